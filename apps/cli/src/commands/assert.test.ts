import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readInput } from "../io";
import { abInput, canaryInput } from "@iter8ts/report/testing";
import { HOSTILE, HOSTILE_SHOWN, RAW_CONTROL, withHostileText } from "../__fixtures__/hostile-text";
import { memoryIo } from "../__fixtures__/memory-io";
import { fileExperimentSource } from "../experiment-source";
import { ASSERT_CONDITIONS } from "@iter8ts/report";
import { runAssert } from "../assert/run-assert";
import { ASSERT_CONDITION_NAMES, assertCommand } from "./assert";

async function run(args: string[], files: Record<string, string>, stdin = "") {
  const { io, printed } = memoryIo(files, stdin);
  // No cluster in the environment: these tests read files.
  await assertCommand(io, {}).exitOverride().configureOutput({ writeErr: (t) => void (printed.err += t) }).parseAsync(args, { from: "user" });
  return printed;
}

const files = { "running.yaml": stringify(canaryInput()), "done.yaml": stringify(abInput()) };

describe("iter8ctl assert", () => {
  it("prints All conditions satisfied. and exits 0 when every condition holds", async () => {
    expect(await run(["-f", "done.yaml", "-c", "completed,winnerFound", "-c", "candidateWon", "-c", "noFailure"], files)).toEqual({
      out: "All conditions satisfied.\n",
      err: "",
      code: 0,
    });
  });

  it("shows control characters in the names and messages it quotes escaped", async () => {
    const input = withHostileText(canaryInput(), ["checkout-v1", "checkout-v2"]);
    input.status!.analysis!.winnerAssessment!.data.winner = `checkout-v1${HOSTILE}`;
    const r = await run(["-f", "exp.yaml", "-c", "completed,candidateWon"], { "exp.yaml": stringify(input) });
    expect(r.code).toBe(1);
    expect(`${r.out}${r.err}`).not.toMatch(RAW_CONTROL);
    expect(r.err).toContain(`(IterationUpdate: Completed Iteration 4${HOSTILE_SHOWN})`);
    expect(r.err).toContain(`the winner is the baseline "checkout-v1${HOSTILE_SHOWN}", not a candidate`);
    const noWinner = withHostileText(canaryInput(), []);
    noWinner.status!.analysis!.winnerAssessment!.data = { winnerFound: false };
    const w = await run(["-f", "exp.yaml", "-c", "winnerFound"], { "exp.yaml": stringify(noWinner) });
    expect(w.err).toBe(`condition "winnerFound" failed: analytics found no winner: no winner${HOSTILE_SHOWN}\n`);
  });

  it("prints the first failing condition's line on stdout and why each failed on stderr", async () => {
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment!.data.winner = "checkout-v1";
    const r = await run(["-f", "exp.yaml", "-c", "winnerFound,completed", "-c", "candidateWon"], { "exp.yaml": stringify(input) });
    expect(r.code).toBe(1);
    expect(r.out).toBe("experiment has not completed\n");
    expect(r.err).toBe(
      'condition "completed" failed: the Completed condition is False (IterationUpdate: Completed Iteration 4); stage Running, 4 of 10 iterations completed\n' +
        'condition "candidateWon" failed: the winner is the baseline "checkout-v1", not a candidate\n',
    );
  });

  it("keeps the original's messages for completed and winnerFound", async () => {
    const input = canaryInput();
    input.status!.analysis!.winnerAssessment!.data = { winnerFound: false };
    const noWinner = await run(["-f", "exp.yaml", "-c", "winnerFound"], { "exp.yaml": stringify(input) });
    expect(noWinner).toMatchObject({ out: "no winner found in experiment\n", code: 1 });
    expect((await run(["-f", "running.yaml", "-c", "completed"], files)).out).toBe("experiment has not completed\n");
  });

  it("reports a failed experiment with noFailure", async () => {
    const input = abInput();
    input.status!.conditions![1] = { type: "Failed", status: "True", reason: "HandlerFailed", message: "Finish actions failed" };
    const r = await run(["-f", "exp.yaml", "-c", "completed", "-c", "noFailure"], { "exp.yaml": stringify(input) });
    expect(r).toMatchObject({ out: "experiment has failed\n", code: 1 });
    expect(r.err).toContain("the Failed condition is True (HandlerFailed: Finish actions failed)");
  });

  it("reads standard input with -f -", async () => {
    expect(await run(["-f", "-", "-c", "completed"], {}, stringify(abInput()))).toMatchObject({ out: "All conditions satisfied.\n", code: 0 });
  });

  it("refuses to wait on standard input, which cannot be read twice", async () => {
    const r = await run(["-f", "-", "-c", "completed", "--timeout", "5s"], {}, stringify(abInput()));
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(/standard input can be read only once; pass a file with -f/);
  });

  it("rejects missing and unknown conditions with exit 1", async () => {
    expect(await run(["-f", "done.yaml"], files)).toMatchObject({ code: 1, err: "Error: one or more conditions must be specified with assert\n" });
    const r = await run(["-f", "done.yaml", "-c", "completed,slos"], files);
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toBe("Error: Invalid condition: slos (use completed, winnerFound, candidateWon or noFailure)\n");
  });

  it("rejects a timeout that is not a duration", async () => {
    await expect(run(["-f", "done.yaml", "-c", "completed", "--timeout", "10"], files)).rejects.toThrow(/30s, 5m, 1h/);
  });

  it("reports an invalid experiment by field path", async () => {
    const r = await run(["-f", "bad.yaml", "-c", "completed"], { "bad.yaml": "apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata: {name: x}\nspec: {}\n" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\n {2}spec\.target: /);
  });
});

describe("assert --timeout against a file", () => {
  let dir = "";
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("waits for a file that becomes complete, then succeeds", async () => {
    dir = await mkdtemp(join(tmpdir(), "iter8ctl-assert-"));
    const file = join(dir, "exp.yaml");
    await writeFile(file, stringify(canaryInput()));
    const { io, printed: seen } = memoryIo({});
    const source = fileExperimentSource(file, readInput);
    const asserting = runAssert(source, ["completed", "winnerFound"], { timeoutMs: 20_000, pollIntervalMs: 20 }, io);
    // Replace the file the way a writer should: write aside, then rename over it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeFile(`${file}.tmp`, stringify(abInput()));
    await rename(`${file}.tmp`, file);
    expect(await asserting).toBe(0);
    expect(seen.out).toBe("All conditions satisfied.\n");
  });

  it("times out, saying what it waited for and which condition failed", async () => {
    dir = await mkdtemp(join(tmpdir(), "iter8ctl-assert-"));
    const file = join(dir, "exp.yaml");
    await writeFile(file, stringify(canaryInput()));
    const { io, printed: seen } = memoryIo({});
    const code = await runAssert(fileExperimentSource(file, readInput), ["completed"], { timeoutMs: 150, pollIntervalMs: 20 }, io);
    expect(code).toBe(1);
    expect(seen.out).toBe("experiment has not completed\n");
    expect(seen.err).toContain(`Timed out after 150ms waiting for completed on ${file}\n`);
    expect(seen.err).toContain('condition "completed" failed: the Completed condition is False');
  });
});

describe("assert --help", () => {
  it("lists exactly the conditions @iter8ts/report checks, without loading it", () => {
    expect(ASSERT_CONDITION_NAMES).toEqual(ASSERT_CONDITIONS);
    expect(assertCommand().options.find((o) => o.long === "--condition")?.description).toBe(`conditions to check, repeated or comma-separated: ${ASSERT_CONDITIONS.join(", ")}`);
  });
});
