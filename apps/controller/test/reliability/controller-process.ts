// The built controller executable as a child process, the way a cluster runs it: flags on the
// command line, JSON logs on stdout, endpoints on ephemeral loopback ports. Tests kill it with
// SIGKILL, so nothing here relies on the process cooperating.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** Where the build puts the executable (the bundled benchmark in node_modules/.bench sits as deep as this folder). */
export const CONTROLLER_PATH = join(import.meta.dirname, "..", "..", "dist", "controller.js");

const STARTING = "iter8ts controller starting";
const portOf = (address: unknown) => Number(String(address).split(":").at(-1));

/** One JSON log line of the controller (pino: `level`, `time` in epoch ms, `msg`, fields). */
export interface LogEntry {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Settings of {@link ControllerProcess.start}. */
export interface ControllerProcessOptions {
  kubeconfigPath: string;
  /** `POD_NAME`: the replica's identity in the Lease and in Events. */
  name: string;
  /** Flags after the kubeconfig and the loopback endpoint addresses. */
  args?: readonly string[];
  /** Node.js flags before the script, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** More environment variables for the controller (PATH and POD_NAME are always set). */
  env?: Readonly<Record<string, string>>;
  /**
   * Write stdout to this file instead of keeping the lines in {@link ControllerProcess.logs}: a
   * benchmark's process is busy being the API server, and a controller blocked on a full pipe
   * would measure the reader, not itself.
   */
  logFile?: string;
}

/** Fails with the build command when the executable is missing. */
export function requireBuiltController(): void {
  if (!existsSync(CONTROLLER_PATH)) {
    throw new Error(`${CONTROLLER_PATH} does not exist: build the controller first with \`pnpm turbo run build --filter=@iter8ts/controller...\``);
  }
}

/** A running (or finished) controller process and everything it logged. */
export class ControllerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: LogEntry[] = [];
  /** Lines of stderr (a crash prints its stack there). */
  readonly stderr: string[] = [];
  /** When the process was spawned (epoch ms). */
  readonly spawnedAt = Date.now();
  /** Resolves with the endpoint ports once the process logs that it is starting. */
  readonly ports: Promise<{ health: number; metrics: number }>;
  readonly exited: Promise<ProcessExit>;

  private constructor(options: ControllerProcessOptions) {
    this.name = options.name;
    const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, "w");
    this.child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), CONTROLLER_PATH, `--kubeconfig=${options.kubeconfigPath}`, "--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", ...(options.args ?? [])],
      { env: { ...options.env, PATH: process.env.PATH ?? "/usr/bin:/bin", POD_NAME: options.name }, stdio: ["ignore", logFd ?? "pipe", "pipe"] },
    );
    let resolvePorts!: (ports: { health: number; metrics: number }) => void;
    this.ports = new Promise((resolve) => (resolvePorts = resolve));
    const onEntry = (entry: LogEntry) => {
      if (entry.msg === STARTING) resolvePorts({ health: portOf(entry.health), metrics: portOf(entry.metrics) });
    };
    if (logFd !== undefined) {
      closeSync(logFd);
      void this.#findStartingLine(options.logFile!, onEntry);
    } else {
      createInterface({ input: this.child.stdout! }).on("line", (line) => {
        let entry: LogEntry;
        try {
          entry = JSON.parse(line) as LogEntry;
        } catch {
          // Anything but a JSON line on stdout is itself worth failing a test over.
          entry = { level: 60, time: Date.now(), msg: `not a JSON log line: ${line}` };
        }
        this.logs.push(entry);
        onEntry(entry);
      });
    }
    createInterface({ input: this.child.stderr! }).on("line", (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Polls a log file until the line that names the endpoints appears (or the process ends). */
  async #findStartingLine(file: string, onEntry: (entry: LogEntry) => void): Promise<void> {
    while (this.alive) {
      const line = readFileSync(file, "utf8")
        .split("\n")
        .find((l) => l.includes(`"${STARTING}"`));
      if (line) return onEntry(JSON.parse(line) as LogEntry);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Spawns `node dist/controller.js` with the given flags. */
  static start(options: ControllerProcessOptions): ControllerProcess {
    return new ControllerProcess(options);
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<ProcessExit> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  /** The first log entry that matches, if any. */
  find(predicate: (entry: LogEntry) => boolean): LogEntry | undefined {
    return this.logs.find(predicate);
  }

  /** Log entries with this message. */
  logged(msg: string): LogEntry[] {
    return this.logs.filter((entry) => entry.msg === msg);
  }

  /** GET one of the endpoints: `/healthz` and `/readyz` on the health port, `/metrics` on the other. */
  async get(path: "/healthz" | "/readyz" | "/metrics"): Promise<{ status: number; body: string }> {
    const ports = await this.ports;
    const port = path === "/metrics" ? ports.metrics : ports.health;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text() };
  }

  /** The value of one sample of the Prometheus text at `/metrics`, e.g. `iter8_reconciles_total{outcome="Progressed"}`; 0 when absent. */
  async sample(name: string): Promise<number> {
    const { body } = await this.get("/metrics");
    return sampleValue(body, name);
  }
}

/** Sums every sample of a metric family (all label sets) or reads one exact sample from Prometheus text. */
export function sampleValue(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const series = line.slice(0, space);
    if (series === name || (!name.includes("{") && series.startsWith(`${name}{`))) sum += Number(line.slice(space + 1));
  }
  return sum;
}
