import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import type { ExtractionOutcome } from "./extraction-outcome";
import { EXPRESSION_WORKER_SOURCE, type ExpressionWorkerData, type WorkerReply } from "./expression-worker-source";

/** How long and how much memory one jq or JSONata evaluation may take. */
export interface ExpressionLimits {
  /** Wall-clock time of one evaluation, in milliseconds (default 1000). */
  timeoutMs: number;
  /** Memory of one worker: its JavaScript heap and jq's WebAssembly memory, each, in bytes (default 64 MiB). */
  memoryBytes: number;
}

/** The limits used when none are given: 1 s and 64 MiB. */
export const DEFAULT_EXPRESSION_LIMITS: Readonly<ExpressionLimits> = Object.freeze({ timeoutMs: 1000, memoryBytes: 64 * 1024 * 1024 });

/** Options of {@link ExpressionPool}. */
export interface ExpressionPoolOptions {
  limits?: Partial<ExpressionLimits>;
  /** Worker threads at most (default 2). */
  size?: number;
  /**
   * How long an expression that broke a limit is refused without running again (default 60 s),
   * so a hostile metric costs the pool one limit's worth of time per period, not one per query.
   */
  cooldownMs?: number;
  /** The clock of the cooldown (default Date.now). */
  now?: () => number;
}

/** Who an evaluation is for: jobs of different groups are served in turn, and one group holds all workers but one at most. */
export interface ExpressionJobOptions {
  /** The tenant, e.g. the experiment's namespace (default: one shared group). */
  group?: string;
}

/** One evaluation to run. */
export interface ExpressionJob {
  kind: "jq" | "jsonata";
  expression: string;
  /** The backend's answer as text. */
  text: string;
}

/** What the pool answers: the worker's reply, or the limit that stopped it. */
export type PoolAnswer = WorkerReply | { kind: "limit"; limit: "time" | "memory"; /** True when refused from an earlier breach without running. */ remembered: boolean };

/**
 * The jq program the worker wraps every expression in (`EXPR`). jq classifies the first output
 * itself, so NaN and infinities (which jq prints as null and as ±1.797e308) stay distinguishable
 * from real nulls and large numbers.
 */
export const JQ_WRAP =
  `[limit(1; (EXPR\n))] | if length == 0 then {k:"empty"} else .[0] | ` +
  `if type == "number" then (if isnan then {k:"nan"} elif isinfinite then {k:"inf"} else {k:"number", v:.} end) ` +
  `else {k:"other", v:.} end end`;

interface Pending {
  id: number;
  group: string;
  job: ExpressionJob;
  resolve: (answer: PoolAnswer) => void;
}

interface Slot {
  worker: ChildProcess;
  busy: Pending | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The end of the worker's stderr, where V8 says it ran out of heap. */
  stderr: string;
}

const MiB = 1024 * 1024;

/** How long a worker may take to start (Node, jq's WebAssembly) and begin an evaluation. */
const STARTUP_MS = 15_000;

function workerData(memoryBytes: number): ExpressionWorkerData {
  const require = createRequire(import.meta.url);
  return { jqPath: require.resolve("jq-wasm"), jsonataPath: require.resolve("jsonata"), wasmPath: require.resolve("jq-wasm/jq.wasm"), wasmMemoryBytes: memoryBytes, jqWrap: JQ_WRAP };
}

/**
 * A small pool of worker processes that run jq and JSONata off the main thread, so an expression
 * that loops or allocates without end cannot stall the process that queries metrics: each
 * evaluation gets a time limit (the worker is killed and replaced when it passes) and a memory
 * limit (the worker's V8 heap through `--max-old-space-size`; jq's WebAssembly heap through its
 * growth hook). Workers are started on demand, reused, and do not keep the process alive when idle.
 *
 * Processes rather than worker threads: V8 ends the whole process, not just the thread, when one
 * allocation is larger than a thread's remaining `resourceLimits` (JSONata's `[1..10000000]` does
 * that), so only a process boundary keeps a hostile expression from taking the controller down.
 */
export class ExpressionPool {
  readonly limits: Readonly<ExpressionLimits>;
  readonly #size: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #slots: Slot[] = [];
  /** Waiting jobs, oldest first. */
  readonly #queue: Pending[] = [];
  /** Groups in the order they are served next (least recently served first). */
  readonly #turns: string[] = [];
  readonly #breaches = new Map<string, { until: number; limit: "time" | "memory" }>();
  #nextId = 0;
  #closed = false;

  constructor(options: ExpressionPoolOptions = {}) {
    this.limits = Object.freeze({ ...DEFAULT_EXPRESSION_LIMITS, ...options.limits });
    this.#size = Math.max(1, options.size ?? 2);
    this.#cooldownMs = options.cooldownMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Workers alive now (for tests and metrics). */
  get workers(): number {
    return this.#slots.length;
  }

  /** Runs one evaluation; never rejects. */
  run(job: ExpressionJob, options: ExpressionJobOptions = {}): Promise<PoolAnswer> {
    const remembered = this.#remembered(job);
    if (remembered) return Promise.resolve({ kind: "limit", limit: remembered, remembered: true });
    const group = options.group ?? "";
    return new Promise((resolve) => {
      this.#queue.push({ id: this.#nextId++, group, job, resolve });
      if (!this.#turns.includes(group)) this.#turns.push(group);
      this.#dispatch();
    });
  }

  /** Terminates every worker; pending evaluations end as crashes. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.resolve({ kind: "crash", message: "the expression pool was closed" });
    this.#turns.length = 0;
    await Promise.all(this.#slots.splice(0).map((slot) => this.#retire(slot, { kind: "crash", message: "the expression pool was closed" })));
  }

  #key(job: ExpressionJob): string {
    return `${job.kind}\0${job.expression}`;
  }

  #remembered(job: ExpressionJob): "time" | "memory" | undefined {
    const key = this.#key(job);
    const breach = this.#breaches.get(key);
    if (!breach) return undefined;
    if (breach.until > this.#now()) return breach.limit;
    this.#breaches.delete(key);
    return undefined;
  }

  /**
   * The next job to start: the oldest of the group served least recently among those below
   * their share (all workers but one, when there are several), so one tenant's slow expressions
   * leave a worker to the others.
   */
  #next(): Pending | undefined {
    const share = this.#size > 1 ? this.#size - 1 : 1;
    const busy = new Map<string, number>();
    for (const slot of this.#slots) if (slot.busy) busy.set(slot.busy.group, (busy.get(slot.busy.group) ?? 0) + 1);
    for (const group of this.#turns) {
      if ((busy.get(group) ?? 0) >= share) continue;
      const index = this.#queue.findIndex((p) => p.group === group);
      if (index < 0) continue;
      const [pending] = this.#queue.splice(index, 1);
      // Served: to the back of the turns, or out of them when it has nothing else waiting.
      this.#turns.splice(this.#turns.indexOf(group), 1);
      if (this.#queue.some((p) => p.group === group)) this.#turns.push(group);
      return pending;
    }
    return undefined;
  }

  #dispatch(): void {
    // An expression that broke a limit while these waited is refused without running.
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const pending = this.#queue[i]!;
      const remembered = this.#remembered(pending.job);
      if (!remembered) continue;
      this.#queue.splice(i, 1);
      pending.resolve({ kind: "limit", limit: remembered, remembered: true });
    }
    for (const group of [...this.#turns]) if (!this.#queue.some((p) => p.group === group)) this.#turns.splice(this.#turns.indexOf(group), 1);
    while (this.#queue.length > 0 && !this.#closed) {
      if (!this.#slots.some((s) => !s.busy) && this.#slots.length >= this.#size) return;
      const next = this.#next();
      if (!next) return;
      this.#start(this.#slots.find((s) => !s.busy) ?? this.#spawn(), next);
    }
  }

  #spawn(): Slot {
    const memoryMb = Math.max(16, Math.ceil(this.limits.memoryBytes / MiB));
    const worker = spawn(process.execPath, [`--max-old-space-size=${memoryMb}`, "--max-semi-space-size=4", "-e", EXPRESSION_WORKER_SOURCE], {
      // Nothing of this process's environment: the worker needs none of it.
      env: { ITER8_EXPRESSION_WORKER: JSON.stringify(workerData(this.limits.memoryBytes)) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    const slot: Slot = { worker, busy: undefined, timer: undefined, stderr: "" };
    this.#idle(slot);
    worker.stderr!.on("data", (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString("utf8")).slice(-4096);
    });
    worker.on("message", (message: { id: number; started?: true; reply?: WorkerReply }) => {
      const pending = slot.busy;
      if (!pending || pending.id !== message.id) return;
      if (message.started) {
        // The evaluation begins now: the time limit counts from here, not from the worker's start.
        clearTimeout(slot.timer);
        slot.timer = setTimeout(() => void this.#fail(slot, "time"), this.limits.timeoutMs);
        return;
      }
      if (!message.reply) return;
      if (message.reply.kind === "memory") {
        void this.#fail(slot, "memory");
        return;
      }
      clearTimeout(slot.timer);
      slot.busy = undefined;
      this.#idle(slot);
      pending.resolve(message.reply);
      this.#dispatch();
    });
    worker.on("error", (error) => void this.#fail(slot, { kind: "crash", message: error.message }));
    // V8 aborts a process whose heap passed --max-old-space-size, saying so on stderr.
    worker.on("exit", (code, signal) => {
      if (!this.#slots.includes(slot)) return;
      // Let the last stderr chunk arrive before reading it.
      setImmediate(() => {
        const outOfMemory = /heap out of memory|Reached heap limit/.test(slot.stderr);
        void this.#fail(slot, outOfMemory ? "memory" : { kind: "crash", message: `the expression worker ended (${signal ?? `exit code ${code}`})` });
      });
    });
    this.#slots.push(slot);
    return slot;
  }

  /** An idle worker does not keep this process alive; a busy one does, until it answers or is stopped. */
  #idle(slot: Slot): void {
    slot.worker.unref();
    (slot.worker.channel as { unref?: () => void } | undefined)?.unref?.();
    (slot.worker.stderr as { unref?: () => void } | null)?.unref?.();
  }

  #start(slot: Slot, pending: Pending): void {
    slot.busy = pending;
    slot.worker.ref();
    (slot.worker.channel as { ref?: () => void } | undefined)?.ref?.();
    // A worker that has not even begun the evaluation after this long is broken (or the machine
    // is starved): that is not the expression's fault, so it is not remembered as a breach.
    slot.timer = setTimeout(
      () => void this.#fail(slot, { kind: "crash", message: `the expression worker did not begin the evaluation within ${formatMs(STARTUP_MS)}` }),
      STARTUP_MS,
    );
    slot.worker.send({ id: pending.id, ...pending.job });
  }

  async #fail(slot: Slot, why: "time" | "memory" | { kind: "crash"; message: string }): Promise<void> {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    const pending = slot.busy;
    let answer: PoolAnswer;
    if (typeof why === "string") {
      answer = { kind: "limit", limit: why, remembered: false };
      if (pending) this.#breaches.set(this.#key(pending.job), { until: this.#now() + this.#cooldownMs, limit: why });
      if (this.#breaches.size > 1000) this.#breaches.delete(this.#breaches.keys().next().value!);
    } else answer = why;
    const retired = this.#retire(slot, answer);
    this.#dispatch();
    await retired;
  }

  async #retire(slot: Slot, answer: PoolAnswer): Promise<void> {
    clearTimeout(slot.timer);
    const pending = slot.busy;
    slot.busy = undefined;
    pending?.resolve(answer);
    slot.worker.removeAllListeners("exit");
    if (slot.worker.exitCode !== null || slot.worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => slot.worker.once("exit", () => resolve()));
    // Referenced until it is gone, so a caller awaiting close() sees it end.
    slot.worker.ref();
    slot.worker.kill("SIGKILL");
    await exited;
  }
}

/** The outcome of an evaluation a limit stopped. */
export function limitOutcome(answer: Extract<PoolAnswer, { kind: "limit" }>, limits: Readonly<ExpressionLimits>): ExtractionOutcome {
  const limit = answer.limit === "time" ? { what: "time", value: formatMs(limits.timeoutMs), flag: "--expression-timeout" } : { what: "memory", value: formatBytes(limits.memoryBytes), flag: "--expression-memory" };
  return { kind: "limit", limit: answer.limit, value: limit.value, flag: limit.flag, remembered: answer.remembered };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

let shared: ExpressionPool | undefined;

/** The process-wide pool with the default limits, shared by evaluators that were given none. */
export function sharedExpressionPool(): ExpressionPool {
  shared ??= new ExpressionPool();
  return shared;
}
