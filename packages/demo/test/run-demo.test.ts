// The orchestrator end to end, with a stand-in for `iter8ctl run` that edits the working copy
// the way local mode does; everything else (apps, router, metrics API, traffic) is real.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SAMPLES, DemoError, findDemoSample, formatSummary, runDemo, type DemoOptions } from "../src/index";
import { SAMPLES_DIR } from "./sample-files";

const FAKE = fileURLToPath(new URL("./fixtures/fake-iter8ctl.mjs", import.meta.url));
const WITHOUT_RUN = fileURLToPath(new URL("./fixtures/iter8ctl-without-run.mjs", import.meta.url));

let workRoot: string;
let log: string[];
let childOutput: string;
beforeEach(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "iter8ts-run-demo-test-"));
  log = [];
  childOutput = "";
});
afterEach(() => rm(workRoot, { recursive: true, force: true }));

const options = (overrides: Partial<DemoOptions> = {}): DemoOptions => ({
  samples: [findDemoSample("ab-progressive")!],
  samplesDir: SAMPLES_DIR,
  iter8ctl: FAKE,
  fast: true,
  qps: 60,
  budgetSeconds: 60,
  workRoot,
  log: (line) => log.push(line),
  iter8ctlOutput: (text) => (childOutput += text),
  ...overrides,
});

const mode = (m: string) => writeFile(join(workRoot, "fake-iter8ctl-mode"), m);
const workdirs = async () => (await readdir(workRoot)).filter((f) => f.startsWith("iter8ts-demo-"));

describe("runDemo", () => {
  it("runs every sample, follows the weights as they move, and checks where traffic ends", async () => {
    const report = await runDemo(options({ samples: DEMO_SAMPLES }));
    expect(report.results.map((r) => [r.sample, r.ok, r.message])).toEqual([
      ["ab-progressive", true, "promoted sample-app-v2 after 3 iterations; routing: sample-app-v1 0% · sample-app-v2 100%"],
      ["rollback", true, "rolled back to sample-app-v1 in iteration 1 of 4; routing: sample-app-v1 100% · sample-app-v2 0%"],
      ["statistics", true, "promoted sample-app-v2 after 3 iterations; routing: sample-app-v1 0% · sample-app-v2 100%"],
    ]);
    expect(report.ok).toBe(true);
    // The router re-read the routing document at every step the runner wrote.
    expect(log).toContainEqual(expect.stringMatching(/^router http:\/\/127\.0\.0\.1:\d+ at 60 requests\/s: sample-app-v1 100% · sample-app-v2 0%$/));
    for (const split of ["sample-app-v1 80% · sample-app-v2 20%", "sample-app-v1 40% · sample-app-v2 60%", "sample-app-v1 0% · sample-app-v2 100%"]) {
      expect(log).toContain(`[router] ${split}`);
    }
    expect(childOutput).toContain("iteration: sample-app-v1 40 / sample-app-v2 60");
    const ab = report.results[0]!;
    expect(ab.traffic["sample-app-v1"]!.requests).toBeGreaterThan(0);
    expect(ab.traffic["sample-app-v2"]!.requests).toBeGreaterThan(0);
    expect(ab.load!.sent).toBe(ab.traffic["sample-app-v1"]!.requests + ab.traffic["sample-app-v2"]!.requests);
    expect(ab.report).toMatchObject({ stage: "Completed", winner: "sample-app-v2", rolledBack: false });
    // Successful working copies are removed.
    expect(await workdirs()).toEqual([]);
    const summary = formatSummary(report).join("\n");
    expect(summary).toContain("ok     rollback (");
    expect(summary).toMatch(/all 3 sample\(s\) did what they should, in \d+\.\d s$/);
  });

  it("fails a sample whose routing ends on the wrong version, and keeps its working copy", async () => {
    await mode("promote-wrong");
    const report = await runDemo(options());
    const [result] = report.results;
    expect(report.ok).toBe(false);
    expect(result!.message).toBe(
      "expected the finish action to promote sample-app-v2 with 100% of traffic, but routing: sample-app-v1 100% · sample-app-v2 0%",
    );
    expect(result!.workdirKept).toBe(true);
    expect(existsSync(join(result!.workdir, "experiment.yaml"))).toBe(true);
    expect(formatSummary(report).join("\n")).toContain(`working copy kept: ${result!.workdir}`);
  });

  it("reports an iter8ctl run that exits with a failure", async () => {
    await mode("fail");
    const report = await runDemo(options());
    expect(report.results[0]!.message).toMatch(/^iter8ctl run .* exited with code 3; see its output above$/);
    expect(childOutput).toContain("experiment failed to start");
  });

  it("stops everything, iter8ctl included, when the budget runs out", async () => {
    await mode("hang");
    const error = (await runDemo(options({ budgetSeconds: 3 })).catch((e: unknown) => e)) as DemoError;
    expect(error).toBeInstanceOf(DemoError);
    expect(error.code).toBe("budget_exceeded");
    expect(error.message).toContain("did not finish within its 3 s budget");
    const pid = Number(await readFile(join(workRoot, "fake-iter8ctl-pid"), "utf8"));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("stops everything when interrupted", async () => {
    await mode("hang");
    const interrupt = new AbortController();
    const running = runDemo(options({ signal: interrupt.signal }));
    await expect.poll(() => existsSync(join(workRoot, "fake-iter8ctl-pid")), { timeout: 10_000 }).toBe(true);
    interrupt.abort();
    await expect(running).rejects.toMatchObject({ code: "interrupted" });
    // The copy holds the runner's saved state, so the user can look at it (or resume it).
    const kept = log.find((l) => l.startsWith("working copy kept: "))?.slice("working copy kept: ".length);
    expect(kept && existsSync(join(kept, "experiment.yaml"))).toBe(true);
  });

  it("says what to do when iter8ctl is not built or has no run command, before starting anything", async () => {
    await expect(runDemo(options({ iter8ctl: join(workRoot, "missing.js") }))).rejects.toMatchObject({
      code: "iter8ctl_missing",
      message: expect.stringContaining("pnpm exec turbo run build --filter=@iter8ts/cli..."),
    });
    await expect(runDemo(options({ iter8ctl: WITHOUT_RUN }))).rejects.toMatchObject({
      code: "run_command_missing",
      message: expect.stringContaining("has no `run` command (local mode)"),
    });
    expect(await workdirs()).toEqual([]);
  });
});
