// A reader that stops early (`iter8ctl report -f x.json | head`) must not turn into a crash report.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { simulatedAbnExperiment } from "@iter8ts/report/testing";
import { cliPath, repoRoot } from "./run-cli";

describe("output closed by the reader", () => {
  it("stops quietly when standard output goes away", async () => {
    expect(existsSync(cliPath), "build the CLI first: pnpm turbo run build --filter=@iter8ts/cli...").toBe(true);
    // A report is a few hundred kilobytes: more than a pipe holds, so writing outlives the reader.
    const dir = mkdtempSync(join(tmpdir(), "iter8ctl-pipe-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "experiment.json");
    writeFileSync(file, JSON.stringify(await simulatedAbnExperiment()));
    const script = `"${process.execPath}" "${cliPath}" report -f "${file}" -o html | head -c 10 > /dev/null; echo "status \${PIPESTATUS[0]}" >&2`;
    const child = spawn("bash", ["-c", script], { cwd: repoRoot });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error:/);
    expect(stderr.trim()).toBe("status 0");
  });
});
