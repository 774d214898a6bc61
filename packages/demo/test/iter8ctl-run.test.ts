// The main job end to end: the A/B and rollback samples run by the real, built `iter8ctl run`
// (local mode) against the demo's apps, router, metrics API and traffic, in the short --fast
// form. (The statistics sample needs a dozen 1-second iterations to gather evidence; its
// decisions are covered on live traffic by sample-decisions.test.ts, and `npm run demo` runs
// it whole.) turbo builds the CLI before these tests (it is a dev dependency of this package).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SAMPLES, runDemo, type DemoReport } from "../src/index";
import { SAMPLES_DIR } from "./sample-files";

const CLI = fileURLToPath(new URL("../../../apps/cli/dist/iter8ctl.js", import.meta.url));

let workRoot: string;
let report: DemoReport;
let output = "";
beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "iter8ts-iter8ctl-run-test-"));
  report = await runDemo({
    samples: DEMO_SAMPLES.filter((s) => s.name !== "statistics"),
    samplesDir: SAMPLES_DIR,
    iter8ctl: CLI,
    fast: true,
    budgetSeconds: 90,
    workRoot,
    log: (line) => (output += `${line}\n`),
    iter8ctlOutput: (text) => (output += text),
  });
}, 100_000);
afterAll(() => rm(workRoot, { recursive: true, force: true }));

describe("iter8ctl run on the local samples", () => {
  it("promotes the winner of ab-progressive after shifting traffic to it iteration by iteration", () => {
    const ab = report.results.find((r) => r.sample === "ab-progressive")!;
    expect(ab.message, output).toBe("promoted sample-app-v2 after 4 iterations; routing: sample-app-v1 0% · sample-app-v2 100%");
    expect(ab.report).toMatchObject({ stage: "Completed", winner: "sample-app-v2", versionRecommendedForPromotion: "sample-app-v2", failed: false });
    // The router saw the engine's weight patches between the start (100/0) and the promotion.
    const section = output.slice(output.indexOf("=== ab-progressive"), output.indexOf("=== rollback"));
    const shifts = [...section.matchAll(/\[router\] sample-app-v1 (\d+)% · sample-app-v2 (\d+)%/g)].map((m) => Number(m[2]));
    expect(shifts.at(-1)).toBe(100);
    expect(shifts.filter((w) => w > 0 && w < 100).length, section).toBeGreaterThanOrEqual(2);
    expect(ab.traffic["sample-app-v2"]!.requests).toBeGreaterThan(0);
  });

  it("rolls back the broken candidate of rollback to the baseline", () => {
    const rollback = report.results.find((r) => r.sample === "rollback")!;
    expect(rollback.ok, output).toBe(true);
    expect(rollback.message).toMatch(/^rolled back to sample-app-v1 in iteration \d+ of 4; routing: sample-app-v1 100% · sample-app-v2 0%$/);
    expect(rollback.report?.rolledBack).toBe(true);
    expect(rollback.traffic["sample-app-v2"]!.errorRate).toBeGreaterThan(0.1);
  });

  it("leaves no working copy behind", async () => {
    expect(report.ok).toBe(true);
    expect((await readdir(workRoot)).filter((f) => f.startsWith("iter8ts-demo-"))).toEqual([]);
  });
});
