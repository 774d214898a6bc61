/**
 * A real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager),
 * started from the binaries {@link ensureBuilt} makes, or an existing cluster named by
 * `ITER8TS_KUBECONFIG`. `pnpm kube:up`/`kube:down` and the vitest suites share this code.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiGet } from "./api-request";
import { readKubeconfig, writeKubeconfig, type ClusterAccess } from "./cluster-access";
import { isRunning, logTail, spawnComponent, stopComponents } from "./component-process";
import { ensureBuilt } from "./ensure-built";
import { freePorts } from "./free-port";
import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";
import { runKubectl, type KubectlOptions, type KubectlResult } from "./kubectl";

/** Options of {@link startControlPlane}. */
export interface StartOptions {
  /** Aborts a start in progress (the components started so far are stopped). */
  readonly signal?: AbortSignal;
  /**
   * Folder for the state, certificates, etcd data and logs. Default: a new temporary folder,
   * removed by `stop()`. A given folder must not hold a running control plane.
   */
  readonly dir?: string;
  /**
   * Leave the components running when this process exits (`pnpm kube:up`). By default a watchdog
   * stops them if this process dies without calling `stop()`, so a crashed test run leaks nothing.
   */
  readonly detach?: boolean;
  /**
   * Read for `ITER8TS_KUBECONFIG` (use that cluster, start nothing) and handed to the build
   * (`ITER8TS_CACHE`, Go's settings). Default `process.env`: the harness is test tooling whose
   * callers are test files, so it reads the environment at this one edge.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** How long the API server and the default ServiceAccount may take; default 120 s. */
  readonly readyTimeoutMs?: number;
  /** Progress lines (the build, each component becoming ready); default: none. */
  readonly onProgress?: (line: string) => void;
}

/** A running control plane (or an existing cluster) and the means to use it. */
export interface ControlPlane extends ClusterAccess {
  /** An admin kubeconfig (group system:masters on a started control plane). */
  readonly kubeconfigPath: string;
  /** True when the cluster came from `ITER8TS_KUBECONFIG`: nothing was started, `stop()` does nothing. */
  readonly external: boolean;
  /** Folder of the built binaries; undefined for an external cluster with no local build. */
  readonly binDir: string | undefined;
  /** State, logs and data of a started control plane; undefined for an external cluster. */
  readonly dir: string | undefined;
  /** Runs kubectl (the built one; on an external cluster the built one if present, else `kubectl` on PATH) with this kubeconfig. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /**
   * Stops kube-apiserver (SIGTERM, as a rolling restart does), keeps it down for `downtimeMs`,
   * and starts it again on the same port over the same etcd, so objects and resourceVersions
   * survive and clients see their connections end and their watches resume. Resolves when
   * `/readyz` is ok again. Throws {@link KubeHarnessError} `Unsupported` on an external cluster.
   */
  restartApiServer(options?: { readonly downtimeMs?: number }): Promise<void>;
  /** Stops every component and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

/** What `state.json` in a control plane's folder records, for `kube:down` and the watchdog. */
interface State {
  binDir: string;
  kubeconfigPath: string;
  server: string;
  /** Components in stop order (controller manager, API server, etcd). */
  readonly components: { name: string; pid: number; binary: string }[];
  watchdogPid?: number;
}

const STATE_FILE = "state.json";
const SERVICE_CIDR = "10.0.0.0/24";
const CONTROLLERS = "namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller";

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on free loopback ports and resolves
 * once `/readyz` is ok and the `default` ServiceAccount exists; or, when `ITER8TS_KUBECONFIG` is
 * set, resolves at once with that cluster.
 */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlane> {
  const env = options.env ?? process.env;
  const external = env.ITER8TS_KUBECONFIG;
  if (external) return externalCluster(external, env);

  const progress = options.onProgress ?? (() => {});
  const binDir = await ensureBuilt({ env, signal: options.signal, onProgress: progress });
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "iter8ts-kube-"));
  if (!ownDir) {
    const running = runningState(dir);
    if (running) {
      throw new KubeHarnessError(KubeHarnessErrorCode.StartFailed, `a control plane from ${dir} is already running (${running.server}); stop it first (pnpm kube:down)`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  const state: State = { binDir, kubeconfigPath: join(dir, "admin.kubeconfig"), server: "", components: [] };
  const saveState = () => writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  let stopped = false;
  const stop = async (removeDir = true) => {
    if (stopped) return;
    stopped = true;
    process.off("exit", killOnExit);
    // The watchdog goes first so that it does not race this stop.
    if (state.watchdogPid) await stopComponents([state.watchdogPid], 1_000);
    await stopComponents(state.components.map((c) => c.pid));
    // Retried: a component that has just exited may still be releasing files under the folder.
    if (removeDir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  // Best effort when the test process exits without stop() (a failed beforeAll, process.exit).
  const killOnExit = () => {
    for (const c of state.components) {
      try {
        process.kill(-c.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  };
  if (!options.detach) process.on("exit", killOnExit);

  try {
    const started = Date.now();
    await runTool(join(binDir, "kube-pki"), ["--dir", join(dir, "pki")]);
    const pki = (name: string) => join(dir, "pki", name);
    const [etcdClientPort, etcdPeerPort, apiserverPort] = (await freePorts(3)) as [number, number, number];
    const access: ClusterAccess = {
      server: `https://127.0.0.1:${apiserverPort}`,
      caData: readFileSync(pki("ca.crt"), "utf8"),
      clientCertData: readFileSync(pki("admin.crt"), "utf8"),
      clientKeyData: readFileSync(pki("admin.key"), "utf8"),
    };
    state.server = access.server;
    const launch = (name: string, args: string[]) => {
      const binary = join(binDir, name);
      const pid = spawnComponent(binary, args, join(dir, `${name}.log`));
      // Stop order is the reverse of start order.
      state.components.unshift({ name, pid, binary });
      saveState();
      return pid;
    };
    const checkAbort = () => {
      if (options.signal?.aborted) throw new KubeHarnessError(KubeHarnessErrorCode.Aborted, "starting the control plane was aborted");
    };

    launch("etcd", ["--data-dir", join(dir, "etcd"), "--client-port", String(etcdClientPort), "--peer-port", String(etcdPeerPort)]);
    if (!options.detach) state.watchdogPid = startWatchdog(dir);
    saveState();
    await waitFor("etcd", dir, state, options, async () => {
      const r = await fetch(`http://127.0.0.1:${etcdClientPort}/health`).catch(() => undefined);
      return r?.ok === true;
    });
    progress(`etcd ready on 127.0.0.1:${etcdClientPort}`);
    checkAbort();

    const apiserverArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${join(dir, "apiserver-certs")}`,
      `--tls-cert-file=${pki("apiserver.crt")}`,
      `--tls-private-key-file=${pki("apiserver.key")}`,
      `--client-ca-file=${pki("ca.crt")}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=${access.server}`,
      `--service-account-key-file=${pki("service-account.pub")}`,
      `--service-account-signing-key-file=${pki("service-account.key")}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The endpoint reconciler refuses a loopback advertise address; nothing in a test cluster
      // reaches the API server through the kubernetes Service anyway.
      "--endpoint-reconciler-type=none",
      // On SIGTERM, stop accepting work (429 with Retry-After), let requests in flight finish,
      // then close the connections within 2 s, watches included; by default the HTTP server
      // waits up to --request-timeout (60 s) for open watches, which a restart would sit through.
      "--shutdown-send-retry-after=true",
      "--profiling=false",
    ];
    launch("kube-apiserver", apiserverArgs);
    const apiserverReady = async () => (await apiGet(access, "/readyz")).status === 200;
    await waitFor("kube-apiserver", dir, state, options, apiserverReady);
    progress(`kube-apiserver ready on ${access.server} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    checkAbort();

    writeKubeconfig(state.kubeconfigPath, access);
    const kcmKubeconfig = join(dir, "kube-controller-manager.kubeconfig");
    writeKubeconfig(kcmKubeconfig, { ...access, clientCertData: readFileSync(pki("kube-controller-manager.crt"), "utf8"), clientKeyData: readFileSync(pki("kube-controller-manager.key"), "utf8") });
    launch("kube-controller-manager", [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      `--controllers=${CONTROLLERS}`,
      `--service-account-private-key-file=${pki("service-account.key")}`,
      `--root-ca-file=${pki("ca.crt")}`,
      "--use-service-account-credentials=true",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      // No metrics or health endpoint: readiness is judged by what the controllers do.
      "--secure-port=0",
      "--profiling=false",
    ]);
    await waitFor("the default ServiceAccount", dir, state, options, async () => (await apiGet(access, "/api/v1/namespaces/default/serviceaccounts/default")).status === 200);
    progress(`control plane ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const kubectl = join(binDir, "kubectl");
    return {
      ...access,
      kubeconfigPath: state.kubeconfigPath,
      external: false,
      binDir,
      dir,
      kubectl: (args, opts) => runKubectl(kubectl, state.kubeconfigPath, args, opts),
      restartApiServer: async (restartOptions = {}) => {
        const apiserver = state.components.find((c) => c.name === "kube-apiserver");
        if (stopped || !apiserver) throw new KubeHarnessError(KubeHarnessErrorCode.Unsupported, "the control plane has been stopped; start a new one");
        await stopComponents([apiserver.pid]);
        if (restartOptions.downtimeMs) await sleep(restartOptions.downtimeMs);
        // Same flags, so the same port, certificates and etcd; state.json names the new pid for kube:down and the watchdog.
        apiserver.pid = spawnComponent(apiserver.binary, apiserverArgs, join(dir, "kube-apiserver.log"));
        saveState();
        await waitFor("kube-apiserver after a restart", dir, state, { readyTimeoutMs: options.readyTimeoutMs }, apiserverReady);
      },
      stop: () => stop(),
    };
  } catch (err) {
    // A folder the caller named keeps the logs of a failed start (the next start clears it).
    await stop(ownDir).catch(() => {});
    throw err;
  }
}

/** Stops the control plane whose state is in `dir` (started with `detach`) and removes `dir`. */
export async function stopControlPlane(dir: string): Promise<{ stopped: string[] }> {
  const state = readState(dir);
  const stopped: string[] = [];
  if (state) {
    // A pid from a state file left behind (say, across a reboot) may now belong to another
    // program; signal only processes that run the recorded binary.
    const ours = state.components.filter((c) => runsBinary(c.pid, c.binary));
    await stopComponents(ours.map((c) => c.pid));
    stopped.push(...ours.map((c) => c.name));
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  return { stopped };
}

/** The state of a control plane in `dir` whose API server still runs, if any. */
export function runningState(dir: string): { server: string; kubeconfigPath: string } | undefined {
  const state = readState(dir);
  const apiserver = state?.components.find((c) => c.name === "kube-apiserver");
  return state && apiserver && runsBinary(apiserver.pid, apiserver.binary) ? { server: state.server, kubeconfigPath: state.kubeconfigPath } : undefined;
}

function readState(dir: string): State | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as State;
  } catch {
    return undefined;
  }
}

function runsBinary(pid: number, binary: string): boolean {
  if (!isRunning(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === binary;
  } catch {
    // No /proc (macOS): trust the pid.
    return true;
  }
}

async function externalCluster(kubeconfigPath: string, env: NodeJS.ProcessEnv): Promise<ControlPlane> {
  const access = readKubeconfig(kubeconfigPath);
  // Use the built kubectl when it exists (same version as the tests expect), else the PATH's.
  const binDir = await ensureBuiltQuietly(env);
  const kubectl = binDir && existsSync(join(binDir, "kubectl")) ? join(binDir, "kubectl") : "kubectl";
  return {
    ...access,
    kubeconfigPath,
    external: true,
    binDir,
    dir: undefined,
    kubectl: (args, opts) => runKubectl(kubectl, kubeconfigPath, args, opts),
    restartApiServer: () => Promise.reject(new KubeHarnessError(KubeHarnessErrorCode.Unsupported, `cannot restart the API server of ${access.server} (ITER8TS_KUBECONFIG names a cluster this harness did not start)`)),
    stop: async () => {},
  };
}

/** The bin folder when the binaries are already built; never starts a build. */
function ensureBuiltQuietly(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return ensureBuilt({ env, printOnly: true, onProgress: () => {} })
    .then((dir) => (existsSync(join(dir, "kubectl")) ? dir : undefined))
    .catch(() => undefined);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `ready` until it holds; fails fast when a component has exited, with its log's tail. */
async function waitFor(what: string, dir: string, state: State, options: StartOptions, ready: () => Promise<boolean>): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new KubeHarnessError(KubeHarnessErrorCode.Aborted, `aborted while waiting for ${what}`);
    const dead = state.components.find((c) => !isRunning(c.pid));
    if (dead) {
      const log = join(dir, `${dead.name}.log`);
      const tail = logTail(log);
      throw new KubeHarnessError(KubeHarnessErrorCode.StartFailed, `${dead.name} exited while waiting for ${what}; the end of ${log}:\n${tail}`, {
        retryable: /address already in use/.test(tail),
      });
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      const logs = state.components.map((c) => `--- ${c.name}.log\n${logTail(join(dir, `${c.name}.log`), 8)}`).join("\n");
      throw new KubeHarnessError(KubeHarnessErrorCode.NotReady, `${what} not ready after ${timeoutMs / 1000} s (a loaded machine may need a longer readyTimeoutMs):\n${logs}`, { retryable: true });
    }
    await sleep(150);
  }
}

function runTool(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", (err) => reject(new KubeHarnessError(KubeHarnessErrorCode.StartFailed, `cannot run ${binary}: ${err.message}`, { cause: err })));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new KubeHarnessError(KubeHarnessErrorCode.StartFailed, `${binary} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/**
 * A detached shell that stops the components if this process dies without calling `stop()` (a
 * test worker killed by a timeout). It polls this pid, reads the components' pids from
 * `state.json` (so it also covers those started after it), and exits when `state.json` is gone.
 * The pid and the folder are passed as arguments, never spliced into the script.
 */
function startWatchdog(dir: string): number {
  const pids = `$(sed -n 's/.*"pid": \\([0-9]*\\).*/\\1/p' "$dir/${STATE_FILE}")`;
  const script = [
    "parent=$1; dir=$2",
    `while kill -0 "$parent" 2>/dev/null && [ -e "$dir/${STATE_FILE}" ]; do sleep 1; done`,
    `[ -e "$dir/${STATE_FILE}" ] || exit 0`,
    `for p in ${pids}; do kill -TERM "-$p" 2>/dev/null; done`,
    "sleep 5",
    `for p in ${pids}; do kill -KILL "-$p" 2>/dev/null; done`,
    'rm -rf "$dir"',
  ].join("\n");
  const child = spawn("sh", ["-c", script, "iter8ts-kube-watchdog", String(process.pid), dir], { detached: true, stdio: "ignore" });
  child.unref();
  child.on("error", () => {});
  return child.pid ?? 0;
}
