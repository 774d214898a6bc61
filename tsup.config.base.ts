// The one build configuration every package and app shares: ESM, type declarations, source maps.
import { defineConfig, type Options } from "tsup";

// Type declarations are for consumers of the published packages; `npm run demo` only runs the
// code and skips them (ITER8TS_SKIP_DTS=1), which makes its first build several times faster.
const dts = process.env.ITER8TS_SKIP_DTS !== "1";

/** Apps and private workspaces: one ESM build, run from the workspace only. */
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

/**
 * Published libraries: ESM (`.js`, `.d.ts`) and CommonJS (`.cjs`, `.d.cts`) side by side, so
 * `require()` works on every Node 20 (require of ESM is only unflagged from 20.19, and TypeScript
 * in a CommonJS project needs `.d.cts` declarations to type it). `shims` gives the CommonJS build
 * a working `import.meta.url` (metrics resolves jq's files from it). The demo's code-only build
 * (ITER8TS_SKIP_DTS=1) runs ESM only, so it skips the CommonJS build too.
 */
export function libraryConfig(overrides: Options = {}) {
  return packageConfig({ format: dts ? ["esm", "cjs"] : ["esm"], shims: true, ...overrides });
}
