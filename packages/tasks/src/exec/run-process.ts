import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { BoundedOutput } from "./bounded-output";
import type { SecretMask } from "@iter8ts/types";

/** How to run one process. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  /** The complete environment of the process (nothing is inherited). */
  env: Readonly<Record<string, string>>;
  cwd?: string;
  /** Stops the process (its whole process group) when aborted. */
  signal: AbortSignal;
  maxOutputBytes: number;
  redactor: SecretMask;
  /** Each complete line of output, redacted, as it arrives. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/** What a process did. */
export interface ProcessOutcome {
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signalName: string | null;
  /** stdout and stderr interleaved as they arrived, size-bounded and redacted. */
  output: string;
  truncated: boolean;
  /** The process could not be started (e.g. the command does not exist). */
  spawnError?: Error;
}

const KILL_GRACE_MS = 2000;
const MAX_LINE = 8192;

/**
 * Runs a command without a shell: arguments are passed as they are, so nothing in them is
 * interpreted. The process gets its own process group, so stopping it also stops whatever it
 * started; on abort it gets SIGTERM, then SIGKILL after a grace period.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const output = new BoundedOutput(spec.maxOutputBytes);
    const partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
    // Decoders keep a character split across chunks whole.
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    const emit = (stream: "stdout" | "stderr", text: string, flush: boolean) => {
      if (!spec.onLine) return;
      partial[stream] += text;
      const lines = partial[stream].split("\n");
      partial[stream] = lines.pop() ?? "";
      if (flush || partial[stream].length > MAX_LINE) {
        if (partial[stream] !== "") lines.push(partial[stream]);
        partial[stream] = "";
      }
      for (const line of lines) spec.onLine(spec.redactor.redact(line), stream);
    };
    if (spec.signal.aborted) {
      resolve({ exitCode: null, signalName: "SIGTERM", output: "", truncated: false });
      return;
    }
    const child = spawn(spec.command, [...spec.args], {
      env: { ...spec.env },
      cwd: spec.cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      const signalGroup = (sig: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), sig);
        } catch {
          // The group is already gone.
        }
      };
      signalGroup("SIGTERM");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    spec.signal.addEventListener("abort", kill, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      output.append(chunk);
      emit("stdout", decoders.stdout.write(chunk), false);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output.append(chunk);
      emit("stderr", decoders.stderr.write(chunk), false);
    });
    let settled = false;
    const finish = (outcome: Omit<ProcessOutcome, "output" | "truncated">) => {
      if (settled) return;
      settled = true;
      spec.signal.removeEventListener("abort", kill);
      emit("stdout", decoders.stdout.end(), true);
      emit("stderr", decoders.stderr.end(), true);
      resolve({ ...outcome, output: spec.redactor.redact(output.toString()), truncated: output.truncated });
    };
    child.on("error", (error) => finish({ exitCode: null, signalName: null, spawnError: error }));
    child.on("close", (code, signal) => {
      // The group leader is gone; make sure nothing it left behind keeps running.
      if (spec.signal.aborted && killTimer === undefined) kill();
      finish({ exitCode: code, signalName: signal });
    });
  });
}
