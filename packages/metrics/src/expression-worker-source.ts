/**
 * The program each expression worker process runs (`node -e`), as CommonJS source. It is kept as
 * text rather than as a module of its own because the package is consumed from `src` (tests),
 * from `dist` and from apps' bundles: `-e` runs the same way in all three, and the worker loads
 * jq and JSONata from the absolute paths the pool resolved (its environment), not from where it
 * runs.
 *
 * Protocol (IPC, advanced serialization): the pool sends `{ id, kind: "jq" | "jsonata",
 * expression, text }`; the worker says `{ id, started: true }` when the evaluation itself begins
 * (after the process and jq have loaded, which the time limit does not count) and answers
 * `{ id, reply }` with a {@link WorkerReply}. After a `memory` reply the worker's jq instance is
 * unusable and the pool replaces the worker.
 */

/** What a worker answers for one job. */
export type WorkerReply =
  /** jq ran: its exit code and outputs (`bare` is the bare expression's stderr after a compile error). */
  | { kind: "jq"; exitCode: number; stdout: string; stderr: string; bare?: string }
  /** JSONata ran: the first result (JSON-safe), or undefined for no result. */
  | { kind: "jsonata"; value: unknown; isNumber: boolean; number?: number }
  /** JSONata failed to compile or evaluate. */
  | { kind: "jsonata_error"; phase: "compile" | "evaluate"; message: string; overflow: boolean }
  /** jq's WebAssembly memory would have grown past the limit. */
  | { kind: "memory" }
  /** Anything else that broke (a trap, a bug). */
  | { kind: "crash"; message: string };

/** The settings of an expression worker (JSON in its `ITER8_EXPRESSION_WORKER` variable). */
export interface ExpressionWorkerData {
  jqPath: string;
  jsonataPath: string;
  wasmPath: string;
  /** Largest jq WebAssembly memory, in bytes. */
  wasmMemoryBytes: number;
  /** The jq wrapper program; `EXPR` is replaced by the expression. */
  jqWrap: string;
}

export const EXPRESSION_WORKER_SOURCE = String.raw`
"use strict";
const workerData = JSON.parse(process.env.ITER8_EXPRESSION_WORKER);
const { loadJq } = require(workerData.jqPath);
const jqModule = new WebAssembly.Module(require("node:fs").readFileSync(workerData.wasmPath));
const jsonata = require(workerData.jsonataPath);
let breached = false;
let jqPromise;
function jq() {
  jqPromise ??= loadJq({
    instantiateWasm(imports, onSuccess) {
      // Emscripten grows jq's heap through this import: refusing past the limit stops jq
      // before the memory exists, instead of after the process ran out of it.
      for (const ns of Object.values(imports)) {
        for (const [name, f] of Object.entries(ns)) {
          if (typeof f === "function" && f.name === "_emscripten_resize_heap") {
            ns[name] = (size) => {
              if ((size >>> 0) > workerData.wasmMemoryBytes) { breached = true; throw new Error("expression memory limit"); }
              return f(size);
            };
          }
        }
      }
      WebAssembly.instantiate(jqModule, imports).then((instance) => onSuccess(instance, jqModule));
    },
  }).then((q) => {
    // One trivial run compiles jq's hot paths, so that this cost is part of loading (not timed)
    // rather than of the first expression (timed).
    q.raw("null", ".", ["-c"]);
    return q;
  });
  return jqPromise;
}
const compiled = new Map();
function compileJsonata(source) {
  let c = compiled.get(source);
  if (!c) {
    try { c = { ok: true, expression: jsonata(source) }; }
    catch (error) { c = { ok: false, error }; }
    if (compiled.size >= 256) compiled.delete(compiled.keys().next().value);
    compiled.set(source, c);
  }
  return c;
}
function messageOf(error) {
  if (error && typeof error === "object") {
    const where = typeof error.position === "number" ? " at position " + error.position : "";
    const code = typeof error.code === "string" ? " (" + error.code + ")" : "";
    return (typeof error.message === "string" ? error.message : String(error)) + where + code;
  }
  return String(error);
}
function jsonSafe(value) {
  try { const text = JSON.stringify(value); return text === undefined ? String(value) : JSON.parse(text); }
  catch { return String(value); }
}
function started(job) {
  process.send({ id: job.id, started: true });
}
async function runJsonata(job) {
  started(job);
  const c = compileJsonata(job.expression);
  if (!c.ok) return { kind: "jsonata_error", phase: "compile", message: messageOf(c.error), overflow: c.error instanceof RangeError };
  let result;
  try { result = await c.expression.evaluate(JSON.parse(job.text)); }
  catch (error) { return { kind: "jsonata_error", phase: "evaluate", message: messageOf(error), overflow: error instanceof RangeError }; }
  if (Array.isArray(result)) result = result.length === 0 ? undefined : result[0];
  if (typeof result === "number") return { kind: "jsonata", value: null, isNumber: true, number: result };
  return { kind: "jsonata", value: result === undefined ? undefined : jsonSafe(result), isNumber: false };
}
async function runJq(job) {
  const q = await jq();
  started(job);
  const result = q.raw(job.text, workerData.jqWrap.replace("EXPR", () => job.expression), ["-c"]);
  const reply = { kind: "jq", exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  if (result.exitCode !== 0 && /compile error|syntax error/.test(result.stderr)) reply.bare = q.raw("null", job.expression, ["-c"]).stderr;
  return reply;
}
process.on("disconnect", () => process.exit(0));
process.on("message", async (job) => {
  let reply;
  try { reply = job.kind === "jq" ? await runJq(job) : await runJsonata(job); }
  catch (error) {
    // A trap may leave jq's instance corrupt: the next job loads a fresh one.
    if (job.kind === "jq") jqPromise = undefined;
    reply = { kind: "crash", message: error && error.message ? String(error.message) : String(error) };
  }
  if (breached) reply = { kind: "memory" };
  process.send({ id: job.id, reply });
});
`;
