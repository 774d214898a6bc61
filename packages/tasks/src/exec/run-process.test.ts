import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretMask } from "@iter8ts/types";
import { runProcess, type ProcessSpec } from "./run-process";

const PATH = "/usr/local/bin:/usr/bin:/bin";

function spec(command: string, args: string[], extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { command, args, env: { PATH }, signal: new AbortController().signal, maxOutputBytes: 1 << 20, redactor: new SecretMask(), ...extra };
}

describe("runProcess", () => {
  it("captures stdout and stderr and the exit status", async () => {
    const lines: [string, string][] = [];
    const outcome = await runProcess(spec("/bin/bash", ["-c", "echo out; echo err >&2; exit 3"], { onLine: (line, stream) => lines.push([stream, line]) }));
    expect(outcome.exitCode).toBe(3);
    expect(outcome.output).toContain("out\n");
    expect(outcome.output).toContain("err\n");
    expect(lines).toEqual(expect.arrayContaining([["stdout", "out"], ["stderr", "err"]]));
  });

  it("passes arguments without a shell and gives the process only the environment it is told", async () => {
    const outcome = await runProcess(spec("/usr/bin/env", [], { env: { PATH, ONLY: "this" } }));
    expect(outcome.output.trim().split("\n").sort()).toEqual([`ONLY=this`, `PATH=${PATH}`]);
    const literal = await runProcess(spec("/bin/echo", ["$(whoami)", "a;b", "`id`"]));
    expect(literal.output).toBe("$(whoami) a;b `id`\n");
  });

  it("redacts secrets in captured output and in streamed lines", async () => {
    const redactor = new SecretMask();
    redactor.add("hunter2");
    const lines: string[] = [];
    const outcome = await runProcess(spec("/bin/echo", ["password is hunter2"], { redactor, onLine: (l) => lines.push(l) }));
    expect(outcome.output).toBe("password is [redacted]\n");
    expect(lines).toEqual(["password is [redacted]"]);
  });

  it("bounds the captured output", async () => {
    const outcome = await runProcess(spec("/bin/bash", ["-c", "for i in $(seq 1 2000); do echo line-$i; done"], { maxOutputBytes: 200 }));
    expect(outcome.truncated).toBe(true);
    expect(outcome.output.startsWith("line-1\n")).toBe(true);
    expect(outcome.output.endsWith("line-2000\n")).toBe(true);
    expect(outcome.output).toMatch(/bytes of output dropped/);
  });

  it("stops the process and what it started when aborted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "run-process-"));
    const controller = new AbortController();
    const running = runProcess(spec("/bin/bash", ["-c", `sleep 30 & echo $! > ${dir}/child; wait; echo never`], { signal: controller.signal }));
    // Abort once the background child exists.
    for (let i = 0; i < 200 && !(await readFile(join(dir, "child"), "utf8").catch(() => "")).trim(); i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const outcome = await running;
    expect(outcome.exitCode).toBeNull();
    expect(outcome.signalName).toBe("SIGTERM");
    expect(outcome.output).not.toContain("never");
    const child = Number((await readFile(join(dir, "child"), "utf8")).trim());
    // Gone, or a zombie waiting to be reaped: either way no longer running.
    const state = await readFile(`/proc/${child}/stat`, "utf8").then((s) => s.split(") ")[1]?.[0], () => "gone");
    expect(["gone", "Z"]).toContain(state);
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a command that does not exist", async () => {
    const outcome = await runProcess(spec("/nonexistent/tool", []));
    expect(outcome.spawnError).toBeInstanceOf(Error);
    expect((outcome.spawnError as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});
