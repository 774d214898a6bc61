// The three local samples end to end, short (--fast), through the built demo executable and the
// built iter8ctl: sample apps, router, metrics API and traffic on 127.0.0.1, `iter8ctl run` on a
// working copy of each sample, and the demo's verdict on where the traffic ended.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath, repoRoot } from "./run-cli";

const demoPath = join(repoRoot, "packages", "demo", "dist", "run-demo.js");

function runDemo(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  for (const [path, what] of [
    [cliPath, "@iter8ts/cli"],
    [demoPath, "@iter8ts/demo"],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} does not exist: build it first with \`pnpm exec turbo run build --filter=${what}...\` (npm test builds everything first)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demoPath, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    // The demo stops everything it started on SIGTERM; SIGKILL only if it does not.
    const stop = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 10_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(stop);
      clearTimeout(kill);
      resolve({ code, output });
    });
  });
}

describe("npm run demo, short", () => {
  it("runs ab-progressive, rollback and statistics with iter8ctl run, and each ends where it should", async () => {
    const { code, output } = await runDemo(["--fast", "--budget", "150"], 160_000);
    const summary = output.slice(output.lastIndexOf("=== summary"));
    expect(code, output).toBe(0);
    expect(summary).toMatch(/^ok {5}ab-progressive \([\d.]+ s\): promoted sample-app-v2 after 4 iterations; routing: sample-app-v1 0% · sample-app-v2 100%$/m);
    expect(summary).toMatch(/^ok {5}rollback \([\d.]+ s\): rolled back to sample-app-v1 in iteration \d+ of 4; routing: sample-app-v1 100% · sample-app-v2 0%$/m);
    expect(summary).toMatch(/^ok {5}statistics \([\d.]+ s\): promoted sample-app-v2 after \d+ iterations; routing: sample-app-v1 0% · sample-app-v2 100%$/m);
    expect(summary).toContain("all 3 sample(s) did what they should");
    // iter8ctl's own output is part of the demo's: its plain log and its final description.
    expect(output).toMatch(/demo\/ab-progressive iteration 2\/4 · traffic sample-app-v1 \d+%, sample-app-v2 \d+%/);
    expect(output).toContain("Experiment name: statistics");
  }, 180_000);
});
