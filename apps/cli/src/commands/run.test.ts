import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIo } from "../__fixtures__/memory-io";
import { HOSTILE_SHOWN, RAW_CONTROL } from "../__fixtures__/hostile-text";
import { experimentFolder, experimentYaml, folderWith, METRICS_YAML, ROUTING_SHAPES } from "@iter8ts/local/testing";
import { PASSED_VARIABLES, STATE_FOLDER } from "@iter8ts/local";
import { runRun } from "../run/run-run";
import { LOCAL_STATE_FOLDER, RunExitCode, TASK_VARIABLES, type RunRuntime } from "./run";

/**
 * A runtime whose terminal is a string; `interrupt()` acts as Ctrl-C; `answers` are typed at
 * prompts (none: nobody to ask, as without a terminal).
 */
function runtime(isTTY: boolean, answers?: string[], env: Record<string, string | undefined> = { PATH: process.env.PATH }) {
  let progress = "";
  let stop: ((code: RunExitCode) => void) | undefined;
  const questions: string[] = [];
  const value: RunRuntime = {
    progress: { isTTY, columns: 120, write: (t: string) => void (progress += t) },
    env,
    ask: async (question) => {
      questions.push(question);
      return answers?.shift();
    },
    onInterrupt: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
  };
  return { value, progress: () => progress, questions, interrupt: (code: RunExitCode = RunExitCode.Interrupted) => stop?.(code) };
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
      expect(await runRun([await folderWith(documents)], { allowExec: true }, io, terminal.value)).toBe(RunExitCode.Completed);
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

  describe("commands of the actions", () => {
    const actions = (log: string) => `      start:
      - run: env > "${log}"
      finish:
      - task: common/exec
        with:
          cmd: /bin/sh
          args: ["-c", "echo promoted {{ .name }}"]
`;

    it("refuses without --allow-exec when nobody can be asked, listing each command, and runs nothing", async () => {
      const dir = await experimentFolder({ iterations: 1, actions: actions("/tmp/never-written") });
      const { io, printed } = memoryIo({});
      const terminal = runtime(false);
      expect(await runRun([dir], {}, io, terminal.value)).toBe(RunExitCode.Failed);
      expect(printed.err).toBe(
        "Error: the actions of the experiments run 2 command(s) on this machine, and running them was not allowed; nothing was run. " +
          "Read them, then pass --allow-exec to run them (or answer y when iter8ctl run asks on a terminal)\n" +
          '  shop/cart-ab spec.strategy.actions.start[0] (run): env > "/tmp/never-written"\n' +
          "  shop/cart-ab spec.strategy.actions.finish[0] (common/exec): /bin/sh -c 'echo promoted {{ .name }}'\n",
      );
      expect(terminal.progress()).toBe("");
      expect(terminal.questions).toHaveLength(1);
    });

    it("asks on a terminal: y runs the commands, n or an empty answer runs nothing", async () => {
      for (const [answer, code] of [["y", RunExitCode.Completed], ["n", RunExitCode.Failed], ["", RunExitCode.Failed]] as const) {
        const log = join(await folderWith({}), "env.txt");
        const dir = await experimentFolder({ iterations: 1, actions: actions(log) });
        const { io, printed } = memoryIo({});
        const terminal = runtime(false, [answer]);
        expect(await runRun([dir], {}, io, terminal.value), printed.err).toBe(code);
        expect(terminal.questions[0]).toContain(`  shop/cart-ab spec.strategy.actions.start[0] (run): env > "${log}"\n`);
        expect(terminal.questions[0]).toMatch(/Run them\? \[y\/N\] $/);
        expect(await readFile(log, "utf8").then(() => true, () => false)).toBe(code === RunExitCode.Completed);
        if (code === RunExitCode.Failed) expect(printed.err).toBe("Not running them; nothing was run. Pass --allow-exec to run them without asking.\n");
      }
    });

    it("gives tasks a minimal environment plus what --env names", async () => {
      const log = join(await folderWith({}), "env.txt");
      const dir = await experimentFolder({ iterations: 1, actions: actions(log) });
      const env = { PATH: process.env.PATH, HOME: "/home/someone", LC_ALL: "C.UTF-8", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI", GITHUB_TOKEN: "ghp_x", NAMED_ONE: "named value" };
      const { io, printed } = memoryIo({});
      expect(await runRun([dir], { allowExec: true, env: ["NAMED_ONE", "GIVEN=inline=value"] }, io, runtime(false, undefined, env).value), printed.err).toBe(RunExitCode.Completed);
      const seen = (await readFile(log, "utf8")).split("\n").filter(Boolean);
      expect(seen).toEqual(expect.arrayContaining(["HOME=/home/someone", "LC_ALL=C.UTF-8", "NAMED_ONE=named value", "GIVEN=inline=value", `PATH=${process.env.PATH}`]));
      expect(seen.some((l) => l.startsWith("SCRATCH_DIR="))).toBe(true);
      expect(seen.join("\n")).not.toContain("AWS_SECRET_ACCESS_KEY");
      expect(seen.join("\n")).not.toContain("GITHUB_TOKEN");
      expect(printed.err).toContain("Running with --allow-exec: the actions run 2 command(s) on this machine:\n  shop/cart-ab spec.strategy.actions.start[0] (run)");
    });

    it("refuses an --env name that is not set, before anything runs", async () => {
      const dir = await experimentFolder({ iterations: 1 });
      const { io, printed } = memoryIo({});
      expect(await runRun([dir], { allowExec: true, env: ["NOT_SET_ANYWHERE", "1BAD"] }, io, runtime(false).value)).toBe(RunExitCode.Failed);
      expect(printed.err).toBe(
        "Error: --env NOT_SET_ANYWHERE: NOT_SET_ANYWHERE is not set in this environment; set it, or pass --env NOT_SET_ANYWHERE=VALUE\n" +
          'Error: --env "1BAD": "1BAD" is not a variable name (letters, digits and _, not starting with a digit)\n',
      );
    });

    it("lists the commands in a dry run, without asking", async () => {
      const dir = await experimentFolder({ iterations: 1, actions: actions("/tmp/never-written") });
      const { io, printed } = memoryIo({});
      const terminal = runtime(false);
      expect(await runRun([dir], { dryRun: true }, io, terminal.value)).toBe(RunExitCode.Completed);
      expect(printed.out).toContain('The actions would run 2 command(s) on this machine (a dry run only prints them):\n  shop/cart-ab spec.strategy.actions.start[0] (run): env > "/tmp/never-written"\n');
      expect(terminal.questions).toEqual([]);
    });

    it("shows control characters in the listed commands escaped", async () => {
      const finish = String.raw`      finish:
      - run: "echo ok\e[2J\u009b31m\u202e\rrm -rf ~"
`;
      const dir = await experimentFolder({ iterations: 1, actions: finish });
      const { io, printed } = memoryIo({});
      expect(await runRun([dir], {}, io, runtime(false).value)).toBe(RunExitCode.Failed);
      expect(printed.err).toContain(String.raw`(run): echo ok\u001b[2J\u009b31m\u202e\rrm -rf ~` + "\n");
      expect(printed.err).not.toMatch(RAW_CONTROL);
    });
  });
});

describe("run --help", () => {
  it("names the state folder and the variables tasks get as @iter8ts/local does, without loading it", () => {
    expect(LOCAL_STATE_FOLDER).toBe(STATE_FOLDER);
    expect(TASK_VARIABLES).toEqual(PASSED_VARIABLES);
  });
});
