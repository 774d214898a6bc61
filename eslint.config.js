// Lint configuration for every package and app (run from each workspace folder).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { ALLOWED_DEPENDENCIES, NO_NODE_IO } from "./tools/eslint/dependency-table.js";
import { layering } from "./tools/eslint/layering.js";
import { noCrossPackageImports } from "./tools/eslint/no-cross-package-imports.js";

// Packages linted with type information (see the last block).
const TYPE_CHECKED = ["packages/engine", "packages/report"];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/.bench/**", "**/src/generated/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript files (scripts, stand-ins spawned by tests) run on Node.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      globals: Object.fromEntries(
        ["process", "console", "Buffer", "URL", "URLSearchParams", "structuredClone", "fetch", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "queueMicrotask", "AbortController", "TextEncoder", "TextDecoder"].map(
          (name) => [name, "readonly"],
        ),
      ),
    },
  },
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    plugins: { iter8ts: { rules: { "no-cross-package-imports": noCrossPackageImports, layering } } },
    rules: {
      "iter8ts/no-cross-package-imports": ["error", { apps: ["@iter8ts/cli", "@iter8ts/controller"] }],
      "iter8ts/layering": ["error", { allowed: ALLOWED_DEPENDENCIES, noNodeIo: NO_NODE_IO }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Type-aware rules where a kind must be handled everywhere (the engine's steps, actions and
    // status): a `switch` over a union that misses a member fails lint. Scoped to the packages
    // listed here because type information costs a TypeScript program per package.
    files: TYPE_CHECKED.map((dir) => `${dir}/**/*.ts`),
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: false }],
      // Fakes and adapters implement Promise-returning ports with async methods that need no await.
      "@typescript-eslint/require-await": "off",
    },
  },
);
