// Lint configuration for every package and app (run from each workspace folder).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { noCrossPackageImports } from "./tools/eslint/no-cross-package-imports.js";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/src/generated/**"] },
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
    plugins: { iter8ts: { rules: { "no-cross-package-imports": noCrossPackageImports } } },
    rules: {
      "iter8ts/no-cross-package-imports": ["error", { apps: ["@iter8ts/cli", "@iter8ts/controller"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
);
