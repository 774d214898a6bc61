import { describe, expect, it } from "vitest";
import { secretStore } from "@iter8ts/metrics";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";
import type { TaskEvent } from "../task-runner";

const secrets = secretStore({ "default/slack-token": { token: "xoxb-not-a-real-token" }, "default/deployer": { user: "ci-bot" }, "team-b/db-creds": { token: "team-b-s3cr3t-value" } });

describe("run", () => {
  it("renders @< >@ with Go field names and runs the script with bash", async () => {
    const runner = createTaskRunner({ allowExec: true });
    const script = 'echo "promoting @< .Status.VersionRecommendedForPromotion >@ of @< .Spec.Target >@ in @< .Namespace >@"';
    const result = await runner.run(istioExperiment({ finish: [{ run: script }] }), "finish");
    expect(result.ok).toBe(true);
    expect(result.outcomes[0]?.output).toBe("promoting productpage-v2 of bookinfo-iter8/productpage in default\n");
  });

  it("gives every script of the action the same SCRATCH_DIR, and removes it afterwards", async () => {
    const runner = createTaskRunner({ allowExec: true });
    const result = await runner.run(istioExperiment({ start: [{ run: 'echo kept > "$SCRATCH_DIR/note"' }, { run: 'cat "$SCRATCH_DIR/note"; echo "$SCRATCH_DIR"' }] }), "start");
    expect(result.ok).toBe(true);
    const [content, dir] = (result.outcomes[1]?.output ?? "").trim().split("\n");
    expect(content).toBe("kept");
    const { existsSync } = await import("node:fs");
    expect(existsSync(dir as string)).toBe(false);
  });

  it("reads .Secret from with.secret and never shows its value", async () => {
    const events: TaskEvent[] = [];
    const runner = createTaskRunner({ allowExec: true, secrets, events: (e) => events.push(e) });
    const result = await runner.run(
      istioExperiment({ finish: [{ run: 'echo "token=@< .Secret "token" >@"; echo "@< .Secret "token" >@" >&2; exit 4', with: { secret: "slack-token" } }] }),
      "finish",
    );
    expect(result.ok).toBe(false);
    expect(result.error?.message).toBe('action "finish", task 1 (run): the run script exited with status 4; output ended with:\ntoken=[redacted]\n[redacted]');
    expect(result.outcomes[0]?.output).toContain("token=[redacted]");
    const shown = JSON.stringify(events) + JSON.stringify(result.outcomes);
    expect(shown).not.toContain("xoxb-not-a-real-token");
  });

  it("fails clearly when the secret or the key is missing", async () => {
    const runner = createTaskRunner({ allowExec: true, secrets });
    const noSecret = await runner.run(istioExperiment({ finish: [{ run: 'echo @< .Secret "token" >@', with: { secret: "missing" } }] }), "finish");
    expect(noSecret.error?.code).toBe("secret_unavailable");
    expect(noSecret.error?.message).toContain("secret default/missing was not found");
    const noKey = await runner.run(istioExperiment({ finish: [{ run: 'echo @< .Secret "token" >@', with: { secret: "default/deployer" } }] }), "finish");
    expect(noKey.error?.message).toContain('secret default/deployer has no key "token"; its keys are user');
  });

  it("reads no Secret of another namespace: refused when validated and when run, naming the task and the Secret", async () => {
    const runner = createTaskRunner({ allowExec: true, secrets });
    const experiment = istioExperiment({ finish: [{ run: 'echo @< .Secret "token" >@', with: { secret: "team-b/db-creds" } }] });
    expect(runner.validateExperiment(experiment)).toEqual([
      expect.objectContaining({
        code: "secret_unavailable",
        path: "spec.strategy.actions.finish[0].with.secret",
        message:
          "run: with.secret names Secret team-b/db-creds of another namespace; a task reads Secrets only from its experiment's namespace default: create the Secret there and name it without a namespace",
      }),
    ]);
    const result = await runner.run(experiment, "finish");
    expect(result.error?.code).toBe("secret_unavailable");
    expect(result.error?.message).toBe(
      'action "finish", task 1 (run): with.secret names Secret team-b/db-creds of another namespace; a task reads Secrets only from its experiment\'s namespace default: create the Secret there and name it without a namespace',
    );
    expect(JSON.stringify(result)).not.toContain("team-b-s3cr3t-value");
  });

  it("never shows the secret, however the script turns it around: reversed, base64, URL- or JSON-encoded, in lines, output and the error", async () => {
    const events: TaskEvent[] = [];
    const secret = "xoxb-not-a-real-token";
    const runner = createTaskRunner({ allowExec: true, secrets, events: (e) => events.push(e) });
    const script = [
      `echo $(echo '@< .Secret "token" >@' | rev)`,
      `printf %s '@< .Secret "token" >@' | base64`,
      `printf '%s\\n' "$(printf %s '@< .Secret "token" >@' | rev)" >&2`,
      `node -e 'console.log(encodeURIComponent(process.argv[1] + "/?&"), JSON.stringify({ t: process.argv[1] + "\\"" }))' '@< .Secret "token" >@'`,
      "exit 3",
    ].join("\n");
    const result = await runner.run(istioExperiment({ finish: [{ run: script, with: { secret: "slack-token" } }] }), "finish");
    expect(result.ok).toBe(false);
    const lines = events.flatMap((e) => (e.type === "task-output" ? [e.line] : []));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const shown = JSON.stringify(events) + JSON.stringify(result.outcomes) + String(result.error?.message);
    const encodings = [
      secret,
      [...secret].reverse().join(""),
      Buffer.from(secret).toString("base64").slice(0, 24),
      encodeURIComponent(secret + "/?&"),
      JSON.stringify(secret + '"').slice(1, -1),
    ];
    for (const form of encodings) expect(shown).not.toContain(form);
  });

  it("refuses a script whose template would render wrongly", async () => {
    const runner = createTaskRunner({ allowExec: true });
    const result = await runner.run(istioExperiment({ finish: [{ run: "echo @< if .Status.Stage >@x@< end" }] }), "finish");
    expect(result.error?.code).toBe("template_error");
    expect(result.error?.message).toContain("the run script: line 1, column");
  });
});
