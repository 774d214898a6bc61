import { describe, expect, it } from "vitest";
import { z } from "zod";
import { hasControls, type Experiment, type TaskSpec } from "@iter8ts/types";
import { istioExperiment } from "./__fixtures__/experiments";
import { createTaskRegistry, createTaskRunner } from "./create-task-registry";
import { defineTask } from "./task-definition";
import { TaskError } from "./task-error";
import type { TaskEvent } from "./task-runner";

/** A Canary experiment with these actions, taken as written (action names are not checked). */
function canaryWithActions(actions: Record<string, TaskSpec[]>): Experiment {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: "e", namespace: "default" },
    spec: { target: "t", strategy: { testingPattern: "Canary", actions } },
  } as Experiment;
}

/** A registry with the builtins plus tasks that record what they were given. */
function recordingRunner(extra: Parameters<typeof createTaskRunner>[0] = {}) {
  const seen: { task: string; input: unknown }[] = [];
  const registry = createTaskRegistry()
    .register(
      defineTask({
        name: "test/record",
        summary: "records its input",
        inputs: z.strictObject({ label: z.string(), count: z.int().default(1) }),
        async run(input) {
          seen.push({ task: "test/record", input });
          return { output: `recorded ${input.label}` };
        },
      }),
    )
    .register(
      defineTask({
        name: "test/fail",
        summary: "fails",
        inputs: z.strictObject({}),
        async run() {
          throw new Error("something broke");
        },
      }),
    )
    .register(
      defineTask({
        name: "test/hang",
        summary: "waits until aborted",
        inputs: z.strictObject({}),
        run: (_input, context) => context.sleep(60_000).then(() => undefined),
      }),
    )
    .register(
      defineTask({
        name: "test/status",
        summary: "sets a status message",
        inputs: z.strictObject({ message: z.string() }),
        async run(input, context) {
          await context.updateStatus((status) => ({ ...status, message: input.message }));
        },
      }),
    );
  return { seen, runner: createTaskRunner({ registry, ...extra }) };
}

const withActions = (finish: TaskSpec[]): Experiment => istioExperiment({ finish });

describe("TaskRunner.run", () => {
  it("runs tasks in order, matching input keys ignoring case and applying defaults", async () => {
    const { seen, runner } = recordingRunner();
    const result = await runner.run(withActions([{ task: "test/record", with: { LABEL: "a" } }, { task: "test/record", with: { label: "b", count: 2 } }]), "finish");
    expect(result.ok).toBe(true);
    expect(seen.map((s) => s.input)).toEqual([
      { label: "a", count: 1 },
      { label: "b", count: 2 },
    ]);
    expect(result.outcomes.map((o) => [o.location.index, o.status, o.output])).toEqual([
      [0, "succeeded", "recorded a"],
      [1, "succeeded", "recorded b"],
    ]);
  });

  it("skips tasks whose if condition is false", async () => {
    const { seen, runner } = recordingRunner();
    const experiment = withActions([
      { task: "test/record", if: "CandidateWon()", with: { label: "promote candidate" } },
      { task: "test/record", if: "not CandidateWon()", with: { label: "promote baseline" } },
    ]);
    const result = await runner.run(experiment, "finish");
    expect(seen.map((s) => (s.input as { label: string }).label)).toEqual(["promote candidate"]);
    expect(result.outcomes.map((o) => o.status)).toEqual(["succeeded", "skipped"]);
  });

  it("stops at the first failure with an error naming the action, the task's position and name", async () => {
    const { seen, runner } = recordingRunner();
    const result = await runner.run(withActions([{ task: "test/record", with: { label: "a" } }, { task: "test/fail" }, { task: "test/record", with: { label: "never" } }]), "finish");
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(TaskError);
    expect(result.error?.code).toBe("task_failed");
    expect(result.error?.message).toBe('action "finish", task 2 (test/fail): something broke');
    expect(result.error?.location).toEqual({ action: "finish", index: 1, task: "test/fail" });
    expect(seen).toHaveLength(1);
    expect(result.outcomes.map((o) => o.status)).toEqual(["succeeded", "failed"]);
  });

  it("succeeds with no tasks when the action does not exist", async () => {
    const { runner } = recordingRunner();
    const result = await runner.run(withActions([]), "start");
    expect(result).toMatchObject({ ok: true, outcomes: [] });
  });

  it.each<[string, TaskSpec, string, string]>([
    ["both task and run", { task: "test/record", run: "echo" }, "invalid_task", "sets both task and run; keep one"],
    ["neither task nor run", { task: "", run: "" }, "invalid_task", "sets neither task nor run"],
    ["an unknown task", { task: "common/nope" }, "unknown_task", 'unknown task "common/nope"; known tasks are common/bash, common/exec'],
    ["invalid inputs", { task: "test/record", with: { label: 3, extra: 1 } }, "invalid_input", "with.label must be a string (got 3); with.extra is not a known field"],
    ["a malformed condition", { task: "test/record", if: "WinnerFound(", with: { label: "x" } }, "invalid_condition", 'if condition "WinnerFound("'],
    ["a bad timeout", { task: "test/record", with: { label: "x", timeoutSeconds: -1 } }, "invalid_input", "with.timeoutSeconds must be a positive number"],
  ])("fails a task with %s before running anything", async (_what, spec, code, message) => {
    const { seen, runner } = recordingRunner();
    const result = await runner.run(withActions([spec]), "finish");
    expect(result.error?.code).toBe(code);
    expect(result.error?.message).toContain(message);
    expect(seen).toHaveLength(0);
  });

  it("refuses process-running tasks unless exec is allowed", async () => {
    const { runner } = recordingRunner();
    const result = await runner.run(withActions([{ run: "echo hi" }]), "finish");
    expect(result.error?.code).toBe("exec_disabled");
    expect(result.error?.message).toBe('action "finish", task 1 (run): run runs processes, which this runtime does not allow; run the action where exec is enabled');
    const bash = await runner.run(withActions([{ task: "common/bash", with: { script: "echo hi" } }]), "finish");
    expect(bash.error?.code).toBe("exec_disabled");
    const exec = await runner.run(withActions([{ task: "common/exec", with: { cmd: "echo" } }]), "finish");
    expect(exec.error?.code).toBe("exec_disabled");
    const promote = await runner.run(withActions([{ task: "common/promote-kubectl", with: { manifest: "https://example.com/promote.yaml" } }]), "finish");
    expect(promote.error?.code).toBe("exec_disabled");
  });

  it("masks a secret in everything a task reports: its output, log lines, warnings, its error and the events", async () => {
    const secret = "hunter2-very-secret";
    const reversed = [...secret].reverse().join("");
    const registry = createTaskRegistry().register(
      defineTask({
        name: "test/leaky",
        summary: "says its secret every way it can",
        inputs: z.strictObject({ secret: z.string(), fail: z.boolean() }),
        async run(input, context) {
          const { token } = await context.secret(input.secret);
          context.log("info", `token ${token}`);
          context.log("warning", `reversed ${[...String(token)].reverse().join("")}`);
          if (input.fail) throw new Error(`the hook answered ${encodeURIComponent(String(token))}`);
          return { output: `echoed ${Buffer.from(String(token)).toString("base64")}` };
        },
      }),
    );
    const events: TaskEvent[] = [];
    const secrets = { get: async () => ({ token: secret }) };
    const runner = createTaskRunner({ registry, secrets, events: (e) => events.push(e) });
    const ok = await runner.run(withActions([{ task: "test/leaky", with: { secret: "s", fail: false } }]), "finish");
    const failed = await runner.run(withActions([{ task: "test/leaky", with: { secret: "s", fail: true } }]), "finish");
    expect(ok.ok).toBe(true);
    expect(failed.ok).toBe(false);
    const shown = JSON.stringify([ok.outcomes, failed.outcomes, failed.error?.message, events]);
    for (const form of [secret, reversed, Buffer.from(secret).toString("base64"), encodeURIComponent(secret)]) expect(shown).not.toContain(form);
    expect(ok.outcomes[0]?.output).toMatch(/^echoed \S+/);
  });

  it("says why exec is off in the runtime's words", () => {
    const runner = createTaskRunner({ execDisabledReason: "which are not allowed in namespace team-a; ask an admin" });
    const issues = runner.validateExperiment(withActions([{ task: "common/promote-kubectl", with: { manifest: "m.yaml" } }]));
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual(["spec.strategy.actions.finish[0].task: common/promote-kubectl runs processes, which are not allowed in namespace team-a; ask an admin"]);
  });

  it("times a task out, per runner or per task", async () => {
    const { runner } = recordingRunner({ taskTimeoutMs: 50 });
    const result = await runner.run(withActions([{ task: "test/hang" }]), "finish");
    expect(result.error?.code).toBe("timeout");
    expect(result.error?.message).toBe('action "finish", task 1 (test/hang): did not finish within 0.05 s; raise with.timeoutSeconds if it needs longer');
    const perTask = await recordingRunner({ taskTimeoutMs: 600_000 }).runner.run(withActions([{ task: "test/hang", with: { timeoutSeconds: 0.05 } }]), "finish");
    expect(perTask.error?.code).toBe("timeout");
  });

  it("stops when the action is cancelled", async () => {
    const { runner } = recordingRunner();
    const controller = new AbortController();
    const running = runner.run(withActions([{ task: "test/hang" }, { task: "test/record", with: { label: "never" } }]), "finish", { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const result = await running;
    expect(result.error?.code).toBe("aborted");
    expect(result.outcomes).toHaveLength(1);
  });

  it("applies status updates for later tasks and hands them to the runtime", async () => {
    const written: string[] = [];
    const { runner } = recordingRunner({
      writeStatus: async (update) => {
        written.push(update({}).message ?? "");
      },
    });
    const experiment = withActions([
      { task: "test/status", with: { message: "first" } },
      { task: "test/record", if: 'status.message = "first"', with: { label: "saw first" } },
    ]);
    const result = await runner.run(experiment, "finish");
    expect(result.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    expect(result.experiment.status?.message).toBe("first");
    expect(result.statusUpdates).toHaveLength(1);
    expect(written).toEqual(["first"]);
    expect(experiment.status?.message).toBeUndefined();
  });

  it("reports progress as events", async () => {
    const events: TaskEvent[] = [];
    const { runner } = recordingRunner({ events: (e) => events.push(e) });
    await runner.run(withActions([{ task: "test/record", with: { label: "a" } }, { task: "test/record", if: "false", with: { label: "b" } }]), "finish");
    expect(events.map((e) => e.type)).toEqual(["action-started", "task-started", "task-succeeded", "task-skipped", "action-finished"]);
  });
});

describe("TaskRunner.validate", () => {
  it("lists every problem with its field path, without running anything", () => {
    const { runner, seen } = recordingRunner();
    const issues = runner.validate(
      [
        { task: "test/record", with: { label: "ok" } },
        { task: "notification/http", with: { url: "http://x", body: "@< .this.metadata.name" } },
        { task: "test/record", if: "Nope()", with: { label: "x" } },
        { run: "echo @< .Name >@" },
      ],
      "finish",
    );
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ["spec.strategy.actions.finish[1]", "template_error"],
      ["spec.strategy.actions.finish[2].if", "invalid_condition"],
      ["spec.strategy.actions.finish[3].run", "exec_disabled"],
    ]);
    expect(issues[0]?.message).toContain("with.body: line 1, column 1: action is not closed with >@");
    expect(seen).toHaveLength(0);
  });

  it("accepts the quickstarts' finish actions", () => {
    const runner = createTaskRunner({ allowExec: true });
    const tasks: TaskSpec[] = [
      { task: "common/exec", with: { cmd: "/bin/bash", args: ["-c", "kubectl -n bookinfo-iter8 apply -f {{ .promote }}"] } },
      { if: "CandidateWon()", run: "kubectl apply -f https://example.com/candidate.yaml" },
      { if: "not CandidateWon()", run: "kubectl apply -f https://example.com/baseline.yaml" },
    ];
    expect(runner.validate(tasks, "finish")).toEqual([]);
  });

  it("checks every action of an experiment at once", () => {
    const runner = createTaskRunner({ allowExec: true });
    const experiment = canaryWithActions({ start: [{ task: "common/no-such-task" }], finish: [{ run: "true", if: "WinnerFound(" }] });
    expect(runner.validateExperiment(experiment).map((i) => [i.path, i.code])).toEqual([
      ["spec.strategy.actions.start[0].task", "unknown_task"],
      ["spec.strategy.actions.finish[0].if", "invalid_condition"],
    ]);
  });

  it("reports templates and conditions that nest too deep as issues naming the field, never a stack overflow", () => {
    const runner = createTaskRunner({ allowExec: true });
    const deep = (inner: string) => `${"(".repeat(50_000)}${inner}${")".repeat(50_000)}`;
    const experiment = canaryWithActions({
      loop: [{ run: `echo @< ${deep(".Name")} >@` }],
      finish: [{ task: "common/exec", with: { cmd: "cp", args: [`{{ ${deep(".promote")} }}`, "x"] } }, { if: deep("WinnerFound()"), task: "common/exec", with: { cmd: "true" } }],
    });
    const issues = runner.validateExperiment(experiment).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^spec\.strategy\.actions\.loop\[0\]: the run script: template nests deeper than 100 levels; /),
      expect.stringMatching(/^spec\.strategy\.actions\.finish\[0\]: with\.args\[0\]: template nests deeper than 100 levels; /),
      expect.stringMatching(/^spec\.strategy\.actions\.finish\[1\]\.if: if condition nests deeper than 100 levels; /),
    ]);
  });

  it("quotes task names, conditions and action names without control characters", () => {
    const runner = createTaskRunner({ allowExec: true });
    const hostile = "\x1b[2J\u009b31m\u202e\r";
    const experiment = canaryWithActions({ [`finish${hostile}`]: [{ task: `common/exec${hostile}` }, { if: `WinnerFound(${hostile}`, run: "true" }] });
    const issues = runner.validateExperiment(experiment);
    expect(issues).toHaveLength(2);
    for (const issue of issues) expect(hasControls(`${issue.path}: ${issue.message}`), issue.message).toBe(false);
    expect(issues[0]?.message).toContain('unknown task "common/exec\\u001b[2J\\u009b31m\\u202e\\r"');
  });
});
