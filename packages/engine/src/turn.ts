/**
 * The context of one reconcile: the experiment read, the status being built, the time, the
 * condition changes to emit, and the engine's ports and settings. Every step takes a turn and
 * changes only its status; the reconcile writes that status once at the end.
 */
import type { Experiment, Stage } from "@iter8ts/types";
import { appendDecision } from "./decision-record";
import type { EngineSettings } from "./engine-settings";
import type { DecisionRecord, EngineStatus } from "./engine-status";
import { iterationPlan, loopOf } from "./iteration-timing";
import type { EnginePorts, ExperimentKey } from "./ports";
import { Message, Reason } from "./reasons";
import { RecordKind, recordCondition, type RecordedChange } from "./record-condition";

/** The state of one reconcile: the experiment read, the status being built, the events to emit. */
export interface Turn {
  key: ExperimentKey;
  stored: Experiment;
  /** The spec with in-memory defaults. */
  spec: Experiment;
  status: EngineStatus;
  now: Date;
  time: string;
  changes: RecordedChange[];
  /** Set when the experiment completed in this turn, so the next in line is woken. */
  ended: boolean;
  /** The reconcile's deadline, passed to the ports that may take long (metric queries, weight writes). */
  signal: AbortSignal | undefined;
  ports: EnginePorts;
  settings: EngineSettings;
}

/** A decision of this turn's iteration, before the turn adds its time and loop. */
export type DecisionDraft = Omit<DecisionRecord, "time" | "loop">;

/** Records a condition change on the status, remembering it for an event. */
export function record(turn: Turn, kind: RecordKind, reason: string, message: string): void {
  const change = recordCondition(turn.status, kind, reason, message, turn.time);
  if (change) turn.changes.push(change);
}

/** Moves the experiment to `stage`, recording the advance once. */
export function setStage(turn: Turn, stage: Stage): void {
  if (turn.status.stage === stage) return;
  turn.status.stage = stage;
  record(turn, RecordKind.Progress, Reason.StageAdvanced, Message.advancedTo(stage));
}

/** The experiment as ports see it: defaults applied, with the status being built. */
export function current(turn: Turn): Experiment {
  return { ...turn.spec, status: turn.status };
}

/**
 * The same without the decision history, for analytics and queries: they never read it, and
 * copying fifty iterations of evidence on every call would dominate the cost of a reconcile.
 */
export function forAnalysis(turn: Turn): Experiment {
  const { decisions: _decisions, ...status } = turn.status;
  return { ...turn.spec, status };
}

/** Sets `status.versionRecommendedForPromotion`, or removes it when there is no version to name. */
export function recommend(status: EngineStatus, version: string | undefined): void {
  if (version === undefined) delete status.versionRecommendedForPromotion;
  else status.versionRecommendedForPromotion = version;
}

/** The version the experiment's end promotes, for a decision record. */
export function promoted(turn: Turn): Pick<DecisionRecord, "versionRecommendedForPromotion"> {
  const version = turn.status.versionRecommendedForPromotion;
  return version === undefined ? {} : { versionRecommendedForPromotion: version };
}

/** Appends a decision of this turn to `status.decisions`, keeping the configured history. */
export function decide(turn: Turn, decision: DecisionDraft): void {
  const plan = iterationPlan(turn.spec);
  appendDecision(turn.status, { ...decision, loop: loopOf(plan, decision.iteration), time: turn.time }, turn.settings.decisionHistory);
}
