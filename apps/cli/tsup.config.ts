import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Options } from "tsup";
import { packageConfig } from "../../tsup.config.base";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string; dependencies?: Record<string, string> };

// The published iter8ctl is one bundle: the workspace packages (from their TypeScript sources),
// commander, yaml, zod and the rest are compiled in, so Node resolves and loads a handful of
// files instead of hundreds and never runs the CommonJS lexer over yaml or commander. Splitting
// (on by default for ESM) cuts the bundle at every `import()`, which is how each command loads
// only its own implementation (see src/program.ts).
//
// Left out, and so the package's only `dependencies`: jq-wasm and jsonata, which the metrics
// expression workers start by path. @kubernetes/client-node is compiled in too, into the chunks
// that only the commands talking to a cluster load.
const external = [...Object.keys(pkg.dependencies ?? {}), "bufferutil", "utf-8-validate"];
const escaped = external.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
/** Everything else that is not a Node builtin is compiled in (tsup's default leaves packages out). */
const compiledIn = new RegExp(`^(?!node:|(?:${escaped.join("|")})(?:/|$))`);

/**
 * Two substitutions that only make the bundle smaller (and so quicker to parse at every start):
 * - zod's namespace object `z` re-exports every locale (`z.locales`, 370 KB); iter8ctl sets none
 *   (zod configures English itself), so that module is replaced by an empty one.
 * - yaml's package sends Node to its CommonJS build, which a bundler cannot prune; its ES module
 *   build (the one browsers get, the same code without Node-only parts) is used instead.
 * And one that makes the bundle work: @iter8ts/types and @iter8ts/analytics load yaml and jstat
 * with `createRequire` on first use (see LAZY_MODULES), which esbuild cannot follow; in the bundle
 * those loaders import the package instead (jstat through require(), which esbuild compiles in
 * and still runs on first use).
 */
const LAZY_MODULES: ReadonlyArray<{ file: RegExp; contents: string }> = [
  { file: /[\\/]packages[\\/]types[\\/]src[\\/]yaml-module\.ts$/, contents: 'import * as yaml from "yaml";\nexport function yamlModule() { return yaml; }\n' },
  { file: /[\\/]packages[\\/]analytics[\\/]src[\\/]stats[\\/]jstat-module\.ts$/, contents: 'export function jstatModule() { return require("jstat"); }\n' },
];

const bundleSubstitutions: Plugin = {
  name: "iter8ctl-bundle-substitutions",
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](?:classic|core)$/.test(args.resolveDir) ? { path: "zod-locales", namespace: "iter8ctl-empty" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "iter8ctl-empty" }, () => ({ contents: "export {};", loader: "js" }));
    for (const { file, contents } of LAZY_MODULES) build.onLoad({ filter: file }, () => ({ contents, loader: "ts" }));
    build.onResolve({ filter: /^yaml$/ }, (args) => {
      const manifest = createRequire(join(args.resolveDir, "noop.js")).resolve("yaml/package.json");
      return { path: join(dirname(manifest), "browser", "index.js") };
    });
  },
};

export default packageConfig({
  entry: { iter8ctl: "src/main.ts" },
  dts: false,
  splitting: true,
  external,
  noExternal: [compiledIn],
  // Fewer bytes for V8 to parse at every start (about a tenth of describe's CPU time); the bundle
  // is not meant to be read, and errors reach the user as one line naming what is at fault.
  minify: true,
  sourcemap: false,
  platform: "node",
  esbuildPlugins: [bundleSubstitutions],
  esbuildOptions(options) {
    // Workspace packages resolve to src/index.ts, so the bundle keeps one module per source file
    // and a command's chunk holds only the files it reaches.
    options.conditions = ["@iter8ts/source"];
    // CommonJS modules compiled into an ES module still call require() for Node's builtins.
    options.banner = {
      js: '#!/usr/bin/env node\nimport { createRequire as __iter8ctlCreateRequire } from "node:module";\nconst require = __iter8ctlCreateRequire(import.meta.url);',
    };
  },
  define: { __ITER8CTL_VERSION__: JSON.stringify(pkg.version) },
});
