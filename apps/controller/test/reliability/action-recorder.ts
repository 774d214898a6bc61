// Action Jobs as the cluster runs them (testkit's Job executor, or kube-harness's Job runner on
// kube-apiserver), replaced by a tiny shell action: it waits a moment (so a controller can be
// killed while it runs) and then appends one line with its run id to a file. Counting lines per
// run id tells whether any action ran twice.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestClusterOptions } from "../cluster/test-cluster";

/** One finished action run, as the action wrote it. */
export interface ActionRun {
  runId: string;
  experiment: string;
  action: string;
}

/** A file that action Jobs append to, and the cluster settings that make them do so. */
export class ActionRecorder {
  readonly #dir = mkdtempSync(join(tmpdir(), "iter8ts-actions-"));
  readonly file = join(this.#dir, "runs.log");

  /** How the cluster runs action Jobs: the action image's `iter8ctl` becomes the recording shell action. */
  jobs(options: { durationMs?: number } = {}): Required<Pick<TestClusterOptions, "mapProcess" | "baseEnv">> {
    const seconds = ((options.durationMs ?? 200) / 1000).toFixed(3);
    const script = `sleep ${seconds} && printf '%s %s/%s %s\\n' "$RUN_ID" "$EXPERIMENT_NAMESPACE" "$EXPERIMENT_NAME" "$ACTION" >> "$ACTION_LOG"`;
    return {
      mapProcess: ({ argv, env }) => (argv[0] === "iter8ctl" ? { command: "/bin/sh", args: ["-c", script], env: { ...env, ACTION_LOG: this.file } } : undefined),
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    };
  }

  /** Every run recorded so far. */
  runs(): ActionRun[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [runId = "", experiment = "", action = ""] = line.split(" ");
        return { runId, experiment, action };
      });
  }

  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
