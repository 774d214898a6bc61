import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIo } from "../__fixtures__/memory-io";
import { HOSTILE_SHOWN, RAW_CONTROL } from "../__fixtures__/hostile-text";
import { experimentFolder, experimentYaml, folderWith, METRICS_YAML, ROUTING_SHAPES } from "../local/__fixtures__/local-files";
import { RunExitCode, runRun, type RunRuntime } from "./run";

/** A runtime whose terminal is a string; `interrupt()` acts as Ctrl-C. */
function runtime(isTTY: boolean) {
  let progress = "";
  let stop: ((code: RunExitCode) => void) | undefined;
  const value: RunRuntime = {
    progress: { isTTY, columns: 120, write: (t: string) => void (progress += t) },
    env: { PATH: process.env.PATH },
    onInterrupt: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
  };
  return { value, progress: () => progress, interrupt: (code: RunExitCode = RunExitCode.Interrupted) => stop?.(code) };
}

describe("iter8ctl run", () => {
  it("shows the live view on a terminal, then the description, and exits 0", async () => {
    const dir = await experimentFolder({ iterations: 1 });
    const { io, printed } = memoryIo({});
    const terminal = runtime(true);
    expect(await runRun([dir], {}, io, terminal.value)).toBe(RunExitCode.Completed);
    expect(terminal.progress()).toContain("\x1b[0J◆ shop/cart-ab · A/B · Progressive");
    expect(terminal.progress()).toMatch(/ {2}traffic {2}cart-v1 █+░* +90%\n/);
    expect(printed.out).toContain("****** Progress Summary ******\nExperiment stage: Completed\nNumber of completed iterations: 1\n");
    expect(printed.err).toBe("");
  });

  it("writes plain log lines with --plain, even on a terminal", async () => {
    const dir = await experimentFolder({ iterations: 1 });
    const terminal = runtime(true);
    expect(await runRun([dir], { plain: true }, memoryIo({}).io, terminal.value)).toBe(RunExitCode.Completed);
    expect(terminal.progress()).not.toContain("\x1b");
    expect(terminal.progress()).toMatch(/^\d\d:\d\d:\d\d shop\/cart-ab iteration 1\/1 · traffic cart-v1 90%, cart-v2 10%/m);
  });

  it("stops on an interruption with its exit code, saying how to resume", async () => {
    const dir = await experimentFolder({ iterations: 30 });
    const { io, printed } = memoryIo({});
    const terminal = runtime(false);
    const code = runRun([dir], {}, io, {
      ...terminal.value,
      progress: {
        write: (t: string) => {
          terminal.value.progress.write(t);
          if (t.includes("Completed Iteration 1")) terminal.interrupt(RunExitCode.Terminated);
        },
      },
    });
    expect(await code).toBe(RunExitCode.Terminated);
    expect(printed.err).toBe(`Interrupted. Progress is saved in ${join(dir, "experiment.yaml")}, ${join(dir, "metrics.yaml")}, ${join(dir, "routing.yaml")} and ${join(dir, ".iter8ctl")}; run the same command to resume.\n`);
    expect(printed.out).toBe("");
  });

  it("exits 1 and lists every problem when the documents cannot be run", async () => {
    const dir = await folderWith({ "experiment.yaml": "apiVersion: iter8.tools/v2alpha2\nkind: Experiment\nmetadata:\n  name: x\nspec:\n  target: t\n  strategy:\n    testingPattern: Blue\n" });
    const { io, printed } = memoryIo({});
    expect(await runRun([dir], {}, io, runtime(false).value)).toBe(RunExitCode.Failed);
    expect(printed.err).toMatch(/^Error: the documents given to iter8ctl run have \d+ problem\(s\); correct them and run again\n( {2}.*\n)* {2}.*experiment\.yaml:8: Experiment x: spec\.strategy\.testingPattern: /);
  });

  it("refuses a template nested 50,000 deep as a problem naming the field, never a stack overflow", async () => {
    const deep = `{{ ${"(".repeat(50_000)}.label${")".repeat(50_000)} }}`;
    const dir = await experimentFolder({ iterations: 1, actions: `      finish:\n      - task: common/exec\n        with:\n          cmd: echo\n          args: ["${deep}"]\n` });
    const { io, printed } = memoryIo({});
    expect(await runRun([dir], { dryRun: true }, io, runtime(false).value)).toBe(RunExitCode.Failed);
    expect(printed.err).toMatch(/^Error: .*\n {2}Experiment shop\/cart-ab: spec\.strategy\.actions\.finish\[0\]: with\.args\[0\]: template nests deeper than 100 levels; /m);
    expect(printed.err).not.toContain("call stack");
  });

  it("shows control characters in version names and task output escaped, in the live view, the log and the description", async () => {
    // YAML double quotes spell the hostile name's controls as escapes.
    const hostileName = String.raw`"cart-v2\e[2J\e]0;owned\a\r\n\u009b31m\u202e"`;
    const finish = String.raw`      finish:
      - run: |
          printf '\033[2J\033]0;owned\007\302\233done\n'
`;
    const documents = {
      "experiment.yaml": experimentYaml({ iterations: 1, actions: finish }).replaceAll("name: cart-v2", `name: ${hostileName}`),
      "metrics.yaml": METRICS_YAML.replaceAll("name: cart-v2", `name: ${hostileName}`),
      "routing.yaml": ROUTING_SHAPES.VirtualService.text,
    };
    // The live view moves the cursor itself; everything else must be escaped.
    // eslint-disable-next-line no-control-regex -- these are the reporter's own escape sequences
    const ownCursorMoves = /\x1b\[\d+F\x1b\[0J|\x1b\[0J/g;
    for (const isTTY of [true, false]) {
      const { io, printed } = memoryIo({});
      const terminal = runtime(isTTY);
      expect(await runRun([await folderWith(documents)], {}, io, terminal.value)).toBe(RunExitCode.Completed);
      const progress = terminal.progress().replace(ownCursorMoves, "");
      expect(progress, isTTY ? "live view" : "log").not.toMatch(RAW_CONTROL);
      expect(progress).toContain(`cart-v2${HOSTILE_SHOWN}`);
      expect(progress).toContain("\\u001b[2J\\u001b]0;owned\\u0007\\u009bdone");
      expect(`${printed.out}${printed.err}`).not.toMatch(RAW_CONTROL);
      expect(printed.out).toContain(`Winning version: cart-v2${HOSTILE_SHOWN}\n`);
    }
  });

  it("shows control characters in the problems of documents it cannot run escaped", async () => {
    const dir = await experimentFolder({ iterations: 1, objectives: String.raw`    - metric: "shop/latency\e[2J\u009b\u202e"` + "\n      upperLimit: 100" });
    const { io, printed } = memoryIo({});
    expect(await runRun([dir], { dryRun: true }, io, runtime(false).value)).toBe(RunExitCode.Failed);
    expect(printed.err).toContain("shop/latency\\u001b[2J\\u009b\\u202e");
    expect(printed.err).not.toMatch(RAW_CONTROL);
  });
});
