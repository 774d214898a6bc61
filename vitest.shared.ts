// Shared test settings: resolve workspace packages to their TypeScript sources (the
// "@iter8ts/source" export condition), and write a JSON report that `npm test` sums up.
import { defineConfig, type ViteUserConfig } from "vitest/config";

export function testConfig(extra: ViteUserConfig["test"] = {}) {
  return defineConfig({
    resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] },
    ssr: { resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
      testTimeout: 20_000,
      ...extra,
    },
  });
}
