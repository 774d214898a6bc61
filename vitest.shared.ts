// Shared test settings: resolve workspace packages to their TypeScript sources (the
// "@iter8ts/source" export condition), and write a JSON report that `npm test` sums up, plus
// the run's unhandled errors (which fail a run whose every test passed) for it to name.
import { rmSync, writeFileSync } from "node:fs";
import type { Reporter } from "vitest/reporters";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const ERRORS_FILE = ".vitest-errors.json";

/** Writes the run's unhandled errors to .vitest-errors.json, or removes the file when there are none. */
const unhandledErrorsFile: Reporter = {
  onTestRunEnd(_modules, unhandledErrors, reason) {
    if (unhandledErrors.length === 0) {
      rmSync(ERRORS_FILE, { force: true });
      return;
    }
    const errors = unhandledErrors.map((e) => ({ name: e.name, message: e.message, stack: e.stack }));
    writeFileSync(ERRORS_FILE, `${JSON.stringify({ reason, errors }, null, 2)}\n`);
  },
};

export function testConfig(extra: ViteUserConfig["test"] = {}) {
  return defineConfig({
    resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] },
    ssr: { resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: ".vitest-report.json" }], unhandledErrorsFile],
      testTimeout: 20_000,
      ...extra,
    },
  });
}
