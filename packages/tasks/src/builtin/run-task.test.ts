import { describe, expect, it } from "vitest";
import { secretStore } from "@iter8ts/metrics";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";
import type { TaskEvent } from "../task-runner";

const secrets = secretStore({ "default/slack-token": { token: "xoxb-not-a-real-token" }, "ops/deployer": { user: "ci-bot" } });

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
    const noSecret = await runner.run(istioExperiment({ finish: [{ run: 'echo @< .Secret "token" >@', with: { secret: "ops/missing" } }] }), "finish");
    expect(noSecret.error?.code).toBe("secret_unavailable");
    expect(noSecret.error?.message).toContain("secret ops/missing was not found");
    const noKey = await runner.run(istioExperiment({ finish: [{ run: 'echo @< .Secret "token" >@', with: { secret: "ops/deployer" } }] }), "finish");
    expect(noKey.error?.message).toContain('secret ops/deployer has no key "token"; its keys are user');
  });

  it("refuses a script whose template would render wrongly", async () => {
    const runner = createTaskRunner({ allowExec: true });
    const result = await runner.run(istioExperiment({ finish: [{ run: "echo @< if .Status.Stage >@x@< end" }] }), "finish");
    expect(result.error?.code).toBe("template_error");
    expect(result.error?.message).toContain("the run script: line 1, column");
  });
});
