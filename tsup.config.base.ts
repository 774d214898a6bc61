// The one build configuration every package and app shares: ESM, type declarations, source maps.
import { defineConfig, type Options } from "tsup";

export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    ...overrides,
  });
}
