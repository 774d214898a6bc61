// Lint configuration for every package and app (run from each workspace folder).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { noCrossPackageImports } from "./tools/eslint/no-cross-package-imports.js";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/src/generated/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
