/**
 * Running a Job's container as a local process: the hook that maps a container to a process,
 * spawning it, keeping the tail of its output, and stopping it the way the kubelet does (SIGTERM,
 * then SIGKILL after a grace period). Shared by the test server's Job executor and by
 * @iter8ts/kube-harness's Job runner for a real API server.
 */
import { spawn } from "node:child_process";
import { containerArgv, resolveContainerEnv, type ContainerEnvContext } from "./container-env";
import type { JsonObject } from "./json-value";

/** One container about to start, as the mapping hook sees it. */
export interface ContainerLaunch {
  job: JsonObject;
  pod: JsonObject;
  container: JsonObject;
  /** `command` + `args` after `$(VAR)` expansion; empty when the image's entrypoint would run. */
  argv: string[];
  /** The container's environment, resolved (values, secretKeyRef, configMapKeyRef, fieldRef, envFrom). */
  env: Record<string, string>;
  /** 1 for the first pod of the Job, 2 for the first retry, ... */
  attempt: number;
}

/** The local process to run for a container. */
export interface ProcessSpec {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Maps a container to a local process, e.g. `taskrunner run -a start` to
 * `{ command: process.execPath, args: ["apps/cli/dist/iter8ctl.js", ...] }`. Returning undefined
 * falls back to running `argv` as given.
 */
export type ProcessMapper = (launch: ContainerLaunch) => ProcessSpec | undefined;

/** How containers become processes; defaults of {@link launchContainer}. */
export interface ProcessDefaults {
  /** Maps containers to local processes (default: run `argv` as given). */
  mapProcess?: ProcessMapper;
  /** Environment every container starts from, like an image's ENV. */
  baseEnv?: Readonly<Record<string, string>>;
  /** Working directory when neither the hook nor the container's `workingDir` names one. */
  cwd?: string;
}

/** A {@link ProcessSpec} with its arguments and environment filled in; no `cwd` inherits the test's. */
export type ResolvedProcessSpec = ProcessSpec & { args: string[]; env: Record<string, string> };

/**
 * The process to spawn for a container: the hook's answer, else `argv` as given; its environment
 * is `baseEnv`, then the container's, then the hook's. Undefined when there is nothing to run (no
 * command, and no hook gave one).
 */
export function processSpecFor(launch: ContainerLaunch, defaults: ProcessDefaults = {}): ResolvedProcessSpec | undefined {
  const mapped = defaults.mapProcess?.(launch);
  const command = mapped?.command ?? launch.argv[0];
  if (command === undefined) return undefined;
  const workingDir = launch.container.workingDir;
  return {
    command,
    args: mapped ? (mapped.args ?? []) : launch.argv.slice(1),
    env: { ...defaults.baseEnv, ...launch.env, ...mapped?.env },
    cwd: mapped?.cwd ?? (typeof workingDir === "string" ? workingDir : defaults.cwd),
  };
}

/** A started container process. */
export interface ContainerProcess {
  /** Its output so far, stdout and stderr interleaved, the newest `logLimitBytes` of it. */
  readonly log: string;
  /** The exit code: 128 + n after signal n, 127 when the command could not be started. */
  readonly exited: Promise<number>;
  /** Sends SIGTERM, and SIGKILL after `graceMs` if it still runs; does nothing once it has exited. */
  kill(graceMs: number): void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Spawns `spec` with its output captured (bounded by `logLimitBytes`, default 1 MiB), in a process
 * group of its own: like a container's, its processes are stopped together (a `sh -c` and the
 * command it runs), and the run ends when they have all let go of its output.
 */
export function startContainerProcess(spec: ResolvedProcessSpec, logLimitBytes = 1024 * 1024): ContainerProcess {
  let log = "";
  const append = (chunk: string) => {
    log += chunk;
    if (log.length > logLimitBytes) log = log.slice(log.length - logLimitBytes);
  };
  const child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let closed = false;
  child.stdout?.on("data", (d: Buffer) => append(d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => append(d.toString("utf8")));
  const exited = new Promise<number>((resolve) => {
    child.on("error", (e) => {
      closed = true;
      append(`Error: failed to start ${spec.command}: ${e.message}\n`);
      resolve(127);
    });
    child.on("close", (code, signal) => {
      closed = true;
      resolve(code ?? (signal ? 128 + (SIGNALS[signal] ?? 1) : 1));
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  return {
    get log() {
      return log;
    },
    exited,
    kill(graceMs) {
      if (closed) return;
      signalGroup("SIGTERM");
      const timer = setTimeout(() => {
        if (!closed) signalGroup("SIGKILL");
      }, graceMs);
      timer.unref();
    },
  };
}

/** A container that never started: its reason is its log. */
function notStarted(log: string, exitCode: number): ContainerProcess {
  return { log, exited: Promise.resolve(exitCode), kill: () => {} };
}

/**
 * Starts a container of `pod` the way the kubelet would: resolves its environment, expands its
 * command, asks the hook for the process and spawns it. A container that cannot start is a
 * process that has already exited, with the reason in its log: 1 for a configuration error (a
 * missing ConfigMap, Secret or key; the kubelet's CreateContainerConfigError), 127 when there is
 * no command to run.
 */
export function launchContainer(
  target: Omit<ContainerLaunch, "argv" | "env">,
  envContext: ContainerEnvContext,
  defaults: ProcessDefaults & { logLimitBytes?: number } = {},
): ContainerProcess {
  let env: Record<string, string>;
  try {
    env = resolveContainerEnv(target.pod, target.container, envContext);
  } catch (e) {
    return notStarted(`Error: ${e instanceof Error ? e.message : String(e)}\n`, 1);
  }
  const spec = processSpecFor({ ...target, argv: containerArgv(target.container, env), env }, defaults);
  if (!spec) {
    const { name, image } = target.container;
    return notStarted(`Error: container "${String(name ?? "")}" (image ${String(image)}) has no command, and no mapProcess hook gave one\n`, 127);
  }
  return startContainerProcess(spec, defaults.logLimitBytes);
}
