// The one build configuration every package and app shares: ESM, type declarations, source maps.
import { defineConfig, type Options } from "tsup";

// Type declarations are for consumers of the published packages; `npm run demo` only runs the
// code and skips them (ITER8TS_SKIP_DTS=1), which makes its first build several times faster.
const dts = process.env.ITER8TS_SKIP_DTS !== "1";

export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    dts,
    sourcemap: true,
    clean: true,
    target: "node20",
    ...overrides,
  });
}
