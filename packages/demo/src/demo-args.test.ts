import { describe, expect, it } from "vitest";
import { DEMO_USAGE, parseDemoArgs } from "./demo-args";
import { DEMO_SAMPLES } from "./demo-samples";

describe("parseDemoArgs", () => {
  it("runs every sample with the defaults when given nothing", () => {
    expect(parseDemoArgs([])).toEqual({ help: false, samples: [...DEMO_SAMPLES], fast: false, budgetSeconds: 90, qps: 40, keepWorkdirs: false });
    // Shorter iterations need more traffic to see as much per iteration.
    expect(parseDemoArgs(["--fast"]).qps).toBe(80);
  });

  it("takes samples comma-separated or repeated, in the order given", () => {
    const args = parseDemoArgs(["--sample", "statistics,rollback", "--sample", "ab-progressive", "--fast", "--budget", "30", "--qps", "80", "--keep"]);
    expect(args.samples.map((s) => s.name)).toEqual(["statistics", "rollback", "ab-progressive"]);
    expect(args).toMatchObject({ fast: true, budgetSeconds: 30, qps: 80, keepWorkdirs: true });
    expect(parseDemoArgs(["--sample", "all"]).samples).toHaveLength(DEMO_SAMPLES.length);
    expect(parseDemoArgs(["--iter8ctl", "x.js", "--samples-dir", "s"])).toMatchObject({ iter8ctl: "x.js", samplesDir: "s" });
  });

  it("names the option at fault and what it accepts", () => {
    expect(() => parseDemoArgs(["--sample", "canary"])).toThrow("--sample canary is not a sample; choose from ab-progressive, rollback, statistics or all");
    expect(() => parseDemoArgs(["--budget", "soon"])).toThrow('--budget must be a positive number (got "soon")');
    expect(() => parseDemoArgs(["--qps", "0"])).toThrow("--qps must be a positive number");
    expect(() => parseDemoArgs(["--fastest"])).toThrow(/Unknown option '--fastest'.*; see --help/);
    expect(() => parseDemoArgs(["extra"])).toThrow(/; see --help$/);
  });

  it("lists every sample in the help", () => {
    expect(parseDemoArgs(["-h"]).help).toBe(true);
    for (const sample of DEMO_SAMPLES) expect(DEMO_USAGE).toContain(sample.name);
  });
});
