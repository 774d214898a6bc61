/**
 * The fields the engine adds to `status` next to the Iter8 ones, as zod schemas: they hold
 * everything a restarted runner needs to resume (the run token, the actions started and their
 * outcome, a pending retry, the recent decisions). The types come from the schemas; every reader
 * (the engine itself, the CLI, reports, tests) parses through them, and the controller's CRD
 * is generated from {@link EngineStatusSchema}.
 */
import { ExperimentStatusSchema, VersionWeightSchema, type ExperimentStatus } from "@iter8ts/types";
import { z } from "zod";
import { ActionName, HandlerType } from "./reasons";

/** The life of an action as recorded in status. */
export const ActionState = {
  /** Decided but not yet accepted by the runner (its start failed and will be retried). */
  Pending: "Pending",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
} as const;
export type ActionState = (typeof ActionState)[keyof typeof ActionState];

/** Steps that are retried with backoff before the experiment fails. */
export const RetryStep = {
  LoadMetrics: "LoadMetrics",
  /** Reading the consents to references across namespaces, before the target is taken. */
  References: "References",
  ObserveWeights: "ObserveWeights",
  Iteration: "Iteration",
  ActionLaunch: "ActionLaunch",
  ActionState: "ActionState",
} as const;
export type RetryStep = (typeof RetryStep)[keyof typeof RetryStep];

/** How an iteration ended. */
export const DecisionOutcome = {
  Continued: "Continued",
  RolledBack: "RolledBack",
  Retrying: "Retrying",
  Failed: "Failed",
} as const;
export type DecisionOutcome = (typeof DecisionOutcome)[keyof typeof DecisionOutcome];

const Time = z.string();

/** One action the engine decided to run, in `status.actions`. */
export const ActionRecordSchema = z.object({
  action: z.enum(ActionName),
  handler: z.enum(HandlerType),
  loop: z.int32().min(1).optional(),
  /** `<runToken>-<action>[-<loop>]`; the runner's idempotency key. */
  runId: z.string().describe("<runToken>-<action>[-<loop>]: the action runner's idempotency key."),
  state: z.enum(ActionState),
  /** How many times the runner was asked to start it (0 when a hand-edited status lost it). */
  attempts: z.int32().min(0).catch(0),
  /** How many times it was started again after the runner lost it. */
  restarts: z.int32().min(0).optional(),
  /** When it was last started. */
  launchTime: Time.optional(),
  endTime: Time.optional(),
  /** Why it failed or was restarted, in the runner's or engine's words. */
  message: z.string().optional(),
  /** For failure actions: how the experiment ends once the action is over. */
  completionMessage: z.string().optional(),
});
/** One action the engine decided to run, in `status.actions`. */
export type ActionRecord = z.infer<typeof ActionRecordSchema>;

/** A step that failed and will be tried again, in `status.retry`. */
export const RetryStateSchema = z.object({
  step: z.enum(RetryStep),
  /** Failed attempts so far. */
  attempts: z.int32().min(0),
  lastError: z.string().catch(""),
  nextAttemptTime: Time,
});
/** A step that failed and will be tried again, in `status.retry`. */
export type RetryRecord = z.infer<typeof RetryStateSchema>;

/** What a metrics source learned about one metric for one version (analytics' `MetricValue`, as stored). */
const StoredMetricValueSchema = z.object({
  value: z.number().nullable().optional(),
  sampleSize: z.number().optional(),
  error: z.string().optional(),
});

/** Why and with what evidence one iteration decided what it did, in `status.decisions`. */
export const DecisionRecordSchema = z.object({
  /** The iteration number this attempt belongs to (1-based). */
  iteration: z.int32().min(1),
  loop: z.int32(),
  time: Time,
  outcome: z.enum(DecisionOutcome),
  /** One or two sentences a person can read. */
  reason: z.string(),
  /** Metric values per metric and version, as queried. */
  values: z.record(z.string(), z.record(z.string(), StoredMetricValueSchema)).optional(),
  /** Per version, whether each objective (in criteria order) was met. */
  versionAssessments: z.record(z.string(), z.array(z.boolean())).optional(),
  winner: z.object({ found: z.boolean(), winner: z.string().optional() }).optional(),
  recommendedWeights: z.array(VersionWeightSchema).optional(),
  /** Whether the recommended weights were applied (Progressive and BlueGreen only). */
  weightsApplied: z.boolean().optional(),
  /** Weights observed after this iteration, when they differ from the recommendation. */
  observedWeights: z.array(VersionWeightSchema).optional(),
  versionRecommendedForPromotion: z.string().optional(),
  error: z.string().optional(),
});
/** Why and with what evidence one iteration decided what it did, in `status.decisions`. */
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/** Identifies this incarnation of the experiment; part of every action's `runId`. */
export const runId = z.string();

/** The engine's fields of `status`, each optional. */
export const engineStatusFields = {
  runId: runId.optional(),
  actions: z.array(ActionRecordSchema).optional(),
  retry: RetryStateSchema.optional(),
  /** The most recent iterations' decisions, oldest first, bounded. */
  decisions: z.array(DecisionRecordSchema).optional(),
};

/** `status` with the engine's fields: the schema of the Experiment CRD's status subresource. */
export const EngineStatusSchema = ExperimentStatusSchema.extend(engineStatusFields);
/** `status` with the engine's fields. */
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `value` when `schema` accepts it, with the scalars the schema filled in (a defaulted count).
 * Everything else stays as stored, nested objects and key order included (an API server
 * returns keys sorted), so an untouched status serialises as it was read and a reconcile that
 * changed nothing writes nothing.
 */
function valid<T extends object>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return undefined;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, field] of Object.entries(parsed.data)) if (typeof field !== "object" || field === null) out[key] = field;
  return out as T;
}

/** The entries of `value` (when it is a list) that `schema` accepts. */
function validEntries<T extends object>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => valid(schema, entry) ?? []);
}

/**
 * Reads the engine's fields from a stored status, dropping entries that do not have the
 * expected shape (a hand-edited or foreign status must not crash the engine).
 */
export function readEngineStatus(status: ExperimentStatus | undefined): EngineStatus {
  return parseEngineStatus(JSON.stringify(status ?? {}));
}

/**
 * {@link readEngineStatus} from the status serialised as JSON; the engine already holds that
 * text to tell whether a reconcile changed anything, and parsing it is the cheapest deep copy.
 * Only the engine's fields are checked here: the Iter8 fields were checked by the store.
 */
export function parseEngineStatus(json: string): EngineStatus {
  const parsed: unknown = JSON.parse(json);
  const copy = (isObject(parsed) ? parsed : {}) as EngineStatus & Record<string, unknown>;
  const id = runId.safeParse(copy.runId);
  if (id.success) copy.runId = id.data;
  else delete copy.runId;
  const actions = validEntries(ActionRecordSchema, copy.actions);
  if (actions.length > 0) copy.actions = actions;
  else delete copy.actions;
  const retry = valid(RetryStateSchema, copy.retry);
  if (retry) copy.retry = retry;
  else delete copy.retry;
  if (Array.isArray(copy.decisions)) copy.decisions = validEntries(DecisionRecordSchema, copy.decisions);
  else delete copy.decisions;
  return copy;
}
