import { z } from "zod";
import { experimentNamespace } from "@iter8ts/types";
import { describeObject, isResourceError, parseFieldPath, readFieldPath, type KubeObject, type ObjectKey, type FieldPath } from "@iter8ts/resources";
import { defineTask, type TaskContext } from "../task-definition";
import { TaskError, TaskErrorCode } from "../task-error";

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What `waitFor` asks of an object. */
export type WaitFor =
  | { kind: "exists" }
  | { kind: "condition"; type: string; status: string }
  | { kind: "delete" }
  | { kind: "jsonpath"; path: FieldPath; value: string };

/**
 * Parses a `waitFor` in kubectl's `--for` syntax: `condition=Available`,
 * `condition=Ready=false`, `delete`, or `jsonpath={.status.phase}=Running`.
 *
 * @throws Error saying which forms are accepted.
 */
export function parseWaitFor(text: string | undefined): WaitFor {
  if (text === undefined || text.trim() === "") return { kind: "exists" };
  const t = text.trim();
  if (t.toLowerCase() === "delete") return { kind: "delete" };
  const condition = /^condition=([^=]+)(?:=(.+))?$/i.exec(t);
  if (condition) return { kind: "condition", type: (condition[1] as string).trim(), status: (condition[2] ?? "True").trim() };
  const jsonpath = /^jsonpath=\{(.+)\}=(.*)$/i.exec(t);
  if (jsonpath) return { kind: "jsonpath", path: parseFieldPath((jsonpath[1] as string).trim()), value: (jsonpath[2] as string).trim().replace(/^(['"])(.*)\1$/, "$2") };
  throw new Error(`waitFor ${JSON.stringify(text)} is not understood; write condition=<Type>[=<status>], delete, or jsonpath={.path}=<value>`);
}

const objRef = z.strictObject({
  apiVersion: z.string().min(1).optional(),
  kind: z.string().min(1),
  namespace: z.string().regex(DNS_LABEL, "must be a namespace name (lowercase letters, digits and -)").optional(),
  name: z.string().regex(DNS_SUBDOMAIN, "must be an object name (lowercase letters, digits, - and .)"),
  waitFor: z
    .string()
    .optional()
    .refine(
      (w) => {
        try {
          parseWaitFor(w);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must be condition=<Type>[=<status>], delete, or jsonpath={.path}=<value>" },
    ),
});

interface Target {
  key: ObjectKey;
  waitFor: WaitFor;
  /** Why it is not ready yet, from the latest check. */
  pending?: string;
}

/** Checks one object; undefined when it is ready, else why not. */
async function check(context: TaskContext, target: Target): Promise<string | undefined> {
  let object: KubeObject | undefined;
  try {
    object = await (context.resources as NonNullable<TaskContext["resources"]>).get(target.key, { signal: context.signal });
  } catch (error) {
    if (!isResourceError(error, "not_found")) {
      if (isResourceError(error) && !error.retryable) throw new TaskError(TaskErrorCode.TaskFailed, `cannot read ${describeObject(target.key)}: ${error.message}`, undefined, { cause: error });
      return `cannot be read (${(error as Error).message})`;
    }
  }
  const wait = target.waitFor;
  if (wait.kind === "delete") return object ? "still exists" : undefined;
  if (!object) return "does not exist";
  if (wait.kind === "exists") return undefined;
  if (wait.kind === "condition") {
    const conditions = (object.status as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? [];
    const found = conditions.find((c) => c.type?.toLowerCase() === wait.type.toLowerCase());
    if (!found) return `has no ${wait.type} condition yet`;
    if (found.status?.toLowerCase() === wait.status.toLowerCase()) return undefined;
    const why = [found.reason, found.message].filter(Boolean).join(": ");
    return `condition ${wait.type} is ${found.status}, waiting for ${wait.status}${why ? ` (${why})` : ""}`;
  }
  const reading = readFieldPath(object, wait.path);
  const actual = reading.found ? (typeof reading.value === "string" ? reading.value : JSON.stringify(reading.value)) : undefined;
  if (actual === wait.value) return undefined;
  return `${wait.path.text} is ${actual === undefined ? "not set" : JSON.stringify(actual)}, waiting for ${JSON.stringify(wait.value)}`;
}

/**
 * `common/readiness`: waits until objects exist and meet their `waitFor`, checking every
 * `intervalSeconds` after `initialDelaySeconds`, at most `1 + numRetries` times. The objects are
 * `objRefs` plus every version's `weightObjRef`. Each object is checked until it is ready and
 * then left alone; the task fails naming each object that never got ready and why. (The
 * original indexed objects by the retry counter and never cleared the error between retries, so
 * its retries could not succeed.)
 */
export const readinessTask = defineTask({
  name: "common/readiness",
  summary: "waits for objects to exist and meet conditions",
  inputs: z.strictObject({
    initialDelaySeconds: z.number().min(0).default(5),
    numRetries: z.int().min(0).default(12),
    intervalSeconds: z.number().positive().default(5),
    objRefs: z.array(objRef).default([]),
  }),
  async run(input, context) {
    if (!context.resources) {
      throw new TaskError(TaskErrorCode.MissingDependency, "needs access to cluster objects, which this runtime does not provide");
    }
    const namespace = experimentNamespace(context.experiment);
    const targets: Target[] = [];
    const seen = new Set<string>();
    const add = (key: ObjectKey, waitFor: WaitFor) => {
      const id = JSON.stringify([key.kind.toLowerCase(), key.namespace, key.name, waitFor]);
      if (seen.has(id)) return;
      seen.add(id);
      targets.push({ key, waitFor });
    };
    for (const ref of input.objRefs) {
      const key: ObjectKey = { kind: ref.kind, name: ref.name, namespace: ref.namespace ?? namespace };
      if (ref.apiVersion) key.apiVersion = ref.apiVersion;
      add(key, parseWaitFor(ref.waitFor));
    }
    const info = context.experiment.spec.versionInfo;
    for (const version of info ? [info.baseline, ...(info.candidates ?? [])] : []) {
      const ref = version.weightObjRef;
      if (!ref?.kind || !ref.name) continue;
      const key: ObjectKey = { kind: ref.kind, name: ref.name, namespace: ref.namespace || namespace };
      if (ref.apiVersion) key.apiVersion = ref.apiVersion;
      add(key, { kind: "exists" });
    }
    if (input.initialDelaySeconds > 0) await context.sleep(input.initialDelaySeconds * 1000);
    let waiting = targets;
    for (let attempt = 0; attempt <= input.numRetries; attempt++) {
      const still: Target[] = [];
      for (const target of waiting) {
        target.pending = await check(context, target);
        if (target.pending !== undefined) still.push(target);
      }
      waiting = still;
      if (waiting.length === 0) {
        context.log("info", `${targets.length} object(s) ready`);
        return;
      }
      if (attempt < input.numRetries) {
        context.log("info", `waiting for ${waiting.map((t) => describeObject(t.key)).join(", ")}`);
        await context.sleep(input.intervalSeconds * 1000);
      }
    }
    throw new TaskError(
      TaskErrorCode.TaskFailed,
      `not ready after ${input.numRetries + 1} check(s): ${waiting.map((t) => `${describeObject(t.key)} ${t.pending}`).join("; ")}`,
    );
  },
});
