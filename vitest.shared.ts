// Shared test settings: resolve workspace packages to their TypeScript sources (the
// "@iter8ts/source" export condition), and write a JSON report that `npm test` sums up, plus
// the run's unhandled errors (which fail a run whose every test passed) for it to name.
import { rmSync, writeFileSync } from "node:fs";
import type { Reporter } from "vitest/reporters";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const ERRORS_FILE = ".vitest-errors.json";

type RecordedError = { name?: string; message?: string; stack?: string };

/**
 * Writes the run's unhandled errors to .vitest-errors.json: those the workers report at the end of
 * the run, and rejections in vitest's own process (which it answers by exiting at once, possibly
 * after the JSON report says every test passed). No file when there are none.
 */
function unhandledErrorsFile(): Reporter {
  const inWorkers: RecordedError[] = [];
  const inRunner: RecordedError[] = [];
  let reason = "running";
  const write = () => {
    const errors = [...inWorkers, ...inRunner];
    if (errors.length === 0) rmSync(ERRORS_FILE, { force: true });
    else writeFileSync(ERRORS_FILE, `${JSON.stringify({ reason, errors }, null, 2)}\n`);
  };
  const record = (e: unknown): RecordedError =>
    e instanceof Error ? { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } : { name: "non-Error rejection", message: String(e) };
  return {
    onInit() {
      rmSync(ERRORS_FILE, { force: true });
      // Before vitest's own listener, which exits the process.
      process.prependListener("unhandledRejection", (e) => {
        inRunner.push(record(e));
        write();
      });
    },
    onTestRunEnd(_modules, unhandledErrors, runReason) {
      reason = runReason;
      for (const e of unhandledErrors) inWorkers.push({ name: e.name, message: e.message, stack: e.stack });
      write();
    },
  };
}

export function testConfig(extra: ViteUserConfig["test"] = {}) {
  return defineConfig({
    resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] },
    ssr: { resolve: { conditions: ["@iter8ts/source", "import", "module", "default"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: ".vitest-report.json" }], unhandledErrorsFile()],
      testTimeout: 20_000,
      ...extra,
    },
  });
}
