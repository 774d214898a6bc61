/**
 * The experiment lifecycle. `reconcile(key)` reads one experiment, decides one step from its
 * spec and status (see `nextStep`), performs that step's side effects through the ports, writes
 * the status guarded by the resourceVersion it read, and says when to come back. The engine
 * keeps nothing in memory between calls, so any number of restarts leave the outcome unchanged.
 */
import { analyze as defaultAnalyze, rollbackAssessments, type MetricValues, type StatisticsAnalysis } from "@iter8ts/analytics";
import {
  ConclusionOutcome,
  experimentNamespace,
  normalizeMetricRef,
  parseMetricRef,
  withDefaults,
  type Analysis,
  type Experiment,
  type MetricInfo,
  type Stage,
} from "@iter8ts/types";
import { actionRunId, handlerName } from "./action-ids";
import { criteriaMetricReferences, metricReference, refusedReference, weightObjectReferences } from "./cross-namespace-refs";
import {
  DEFAULT_DECISION_HISTORY,
  appendDecision,
  copyMetricValues,
  evidenceOf,
  explainCompletion,
  explainContinue,
  explainFailure,
  explainRollback,
  explainPromotion,
} from "./decision-record";
import { EngineError, errorMessage, isRetryable } from "./engine-error";
import { isInvalidStoredExperiment, type InvalidStoredExperimentError } from "./invalid-stored-experiment";
import {
  ActionState,
  DecisionOutcome,
  RetryStep,
  parseEngineStatus,
  type ActionRecord,
  type DecisionRecord,
  type EngineStatus,
} from "./engine-status";
import { iterationPlan, loopOf } from "./iteration-timing";
import { findAction, nextStep, type ActionValidator, type Step } from "./next-step";
import type { ActionRequest, EnginePorts, ExperimentKey } from "./ports";
import { ActionName, HandlerType, Message, Reason } from "./reasons";
import { RecordKind, initialConditions, isConditionTrue, recordCondition, type RecordedChange } from "./record-condition";
import { findRollbackViolations } from "./rollback-check";
import { decideTarget, formatKey, nextInQueue } from "./target-queue";
import { versionRecommendedForPromotion, versionToPromote } from "./version-recommended";

/** The analysis parts computed each iteration (everything in `status.analysis` but the builtin histograms). */
export type IterationAnalysis = Pick<Analysis, "aggregatedMetrics" | "versionAssessments" | "winnerAssessment" | "weights"> & {
  /** The statistics mode's evidence and running state, when `criteria.strength` is set. */
  statistics?: StatisticsAnalysis;
};

/** The analytics function the engine calls each iteration. */
export type AnalyzeFn = (
  experiment: Experiment,
  values: MetricValues,
  options: { now: Date; provenance: string },
) => IterationAnalysis;

/** Backoff for failed steps. */
export interface RetryPolicy {
  /** Attempts of a step before the experiment fails (first attempt included). Default 6. */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 2 s. */
  initialDelayMs?: number;
  /** Longest delay between attempts. Default 2 min. */
  maxDelayMs?: number;
}

/** Engine settings; every one has a default. */
export interface EngineOptions {
  /** Analytics; defaults to `analyze` from `@iter8ts/analytics`. */
  analyze?: AnalyzeFn;
  /** Written as `provenance` of each analysis. Default `iter8ts/analytics`. */
  provenance?: string;
  retry?: RetryPolicy;
  /**
   * How often an action the runner lost (it answers Unknown for a started run, e.g. a restarted
   * local process) is started again before it fails. Default 1.
   */
  maxActionRestarts?: number;
  /** How often to ask the runner about a running action. Default 1 s. */
  actionPollMs?: number;
  /** An action still running after this long fails. Default 20 min. */
  actionTimeoutMs?: number;
  /** How often a waiting experiment looks at its target again, in case a wake-up was missed. Default 30 s. */
  waitingRecheckMs?: number;
  /** Retry delay after the store failed. Default 5 s. */
  storeRetryMs?: number;
  /** Decisions kept in `status.decisions`. Default 50. */
  decisionHistory?: number;
  /** Re-reads after a write conflict within one reconcile. Default 3. */
  conflictRetries?: number;
  /** Makes the token that identifies an experiment incarnation; default 12 random hex digits. */
  newRunToken?: () => string;
  /**
   * Checks the actions' tasks before the experiment takes its target (for example with
   * `@iter8ts/tasks`' `validate`); a problem fails the experiment with InvalidExperiment.
   */
  validateActions?: ActionValidator;
}

/** What a reconcile did. */
export const ReconcileOutcome = {
  NotFound: "NotFound",
  Completed: "Completed",
  /** The experiment moved on; reconcile again after `requeueAfterMs` (often 0). */
  Progressed: "Progressed",
  /** The target is held by another experiment. */
  Waiting: "Waiting",
  ActionRunning: "ActionRunning",
  /** The next iteration is not due yet. */
  NotDue: "NotDue",
  /** A step failed and will be tried again. */
  Retrying: "Retrying",
  /** The store failed or kept conflicting; nothing was changed. */
  StoreError: "StoreError",
  /**
   * The reconcile's signal was aborted (its deadline passed) before it finished: nothing was
   * written, so the step (an iteration, say) is done again on the next reconcile, not lost.
   */
  Aborted: "Aborted",
} as const;
export type ReconcileOutcome = (typeof ReconcileOutcome)[keyof typeof ReconcileOutcome];

/** The result of one reconcile. */
export interface ReconcileResult {
  key: ExperimentKey;
  outcome: ReconcileOutcome;
  /** The stage after this reconcile. */
  stage?: Stage;
  /** When to reconcile again; absent when the experiment needs no more work. */
  requeueAfterMs?: number;
  /** Other experiments to reconcile now (the next in line for a target that became free). */
  wake: ExperimentKey[];
  /** For `StoreError` and `Aborted`: what failed. */
  error?: EngineError;
}

/** Options of one reconcile. */
export interface ReconcileOptions {
  /**
   * Aborted when the reconcile must stop (the runtime's deadline per reconcile): metric queries
   * and weight writes still running are cancelled and nothing is written.
   */
  signal?: AbortSignal;
}

/** The lifecycle engine. */
export interface Engine {
  /** Performs the next step of one experiment. Never throws. */
  reconcile(key: ExperimentKey, options?: ReconcileOptions): Promise<ReconcileResult>;
}

interface StepOutcome {
  outcome: ReconcileOutcome;
  requeueAfterMs?: number;
}

/** The state of one reconcile: the experiment read, the status being built, the events to emit. */
interface Turn {
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
}


/** Sets `status.versionRecommendedForPromotion`, or removes it when there is no version to name. */
function recommend(status: EngineStatus, version: string | undefined): void {
  if (version === undefined) delete status.versionRecommendedForPromotion;
  else status.versionRecommendedForPromotion = version;
}

function randomToken(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const TERMINAL_HANDLERS: ReadonlySet<HandlerType> = new Set([HandlerType.Finish, HandlerType.Rollback, HandlerType.Failure]);

/** Creates an engine over the given ports. */
export function createEngine(ports: EnginePorts, options: EngineOptions = {}): Engine {
  const analyze: AnalyzeFn = options.analyze ?? defaultAnalyze;
  const provenance = options.provenance ?? "iter8ts/analytics";
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 6);
  const initialDelayMs = options.retry?.initialDelayMs ?? 2_000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 120_000;
  const maxActionRestarts = Math.max(0, options.maxActionRestarts ?? 1);
  const actionPollMs = options.actionPollMs ?? 1_000;
  const actionTimeoutMs = options.actionTimeoutMs ?? 20 * 60_000;
  const waitingRecheckMs = options.waitingRecheckMs ?? 30_000;
  const storeRetryMs = options.storeRetryMs ?? 5_000;
  const decisionHistory = options.decisionHistory ?? DEFAULT_DECISION_HISTORY;
  const conflictRetries = Math.max(0, options.conflictRetries ?? 3);
  const newRunToken = options.newRunToken ?? randomToken;
  const { store, clock } = ports;

  // -------------------------------------------------------------------------------------------
  // helpers on a turn

  function record(turn: Turn, kind: RecordKind, reason: string, message: string): void {
    const change = recordCondition(turn.status, kind, reason, message, turn.time);
    if (change) turn.changes.push(change);
  }

  function setStage(turn: Turn, stage: Stage): void {
    if (turn.status.stage === stage) return;
    turn.status.stage = stage;
    record(turn, RecordKind.Progress, Reason.StageAdvanced, Message.advancedTo(stage));
  }

  /** The experiment as ports see it: defaults applied, with the status being built. */
  function current(turn: Turn): Experiment {
    return { ...turn.spec, status: turn.status };
  }

  /**
   * The same without the decision history, for analytics and queries: they never read it, and
   * copying fifty iterations of evidence on every call would dominate the cost of a reconcile.
   */
  function forAnalysis(turn: Turn): Experiment {
    const { decisions: _decisions, ...status } = turn.status;
    return { ...turn.spec, status };
  }

  function backoff(attempts: number): number {
    return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  /** The version the experiment's end promotes, for a decision record. */
  function promoted(turn: Turn): Pick<DecisionRecord, "versionRecommendedForPromotion"> {
    const version = turn.status.versionRecommendedForPromotion;
    return version === undefined ? {} : { versionRecommendedForPromotion: version };
  }

  function decide(turn: Turn, decision: Omit<DecisionRecord, "time" | "loop">): void {
    const plan = iterationPlan(turn.spec);
    appendDecision(turn.status, { ...decision, loop: loopOf(plan, decision.iteration), time: turn.time }, decisionHistory);
  }

  /**
   * Records a failed attempt of `step`; retries it later while attempts remain and the error is
   * not final, otherwise runs `giveUp`.
   */
  async function retryOrGiveUp(
    turn: Turn,
    step: RetryStep,
    error: unknown,
    giveUp: () => Promise<StepOutcome> | StepOutcome,
  ): Promise<StepOutcome> {
    const previous = turn.status.retry?.step === step ? turn.status.retry.attempts : 0;
    const attempts = previous + 1;
    if (isRetryable(error) && attempts < maxAttempts) {
      const delay = backoff(attempts);
      turn.status.retry = {
        step,
        attempts,
        lastError: errorMessage(error),
        nextAttemptTime: new Date(turn.now.getTime() + delay).toISOString(),
      };
      return { outcome: ReconcileOutcome.Retrying, requeueAfterMs: delay };
    }
    delete turn.status.retry;
    return giveUp();
  }

  /**
   * Decides how the experiment ends and which version its end actions promote, before any of
   * them runs: they read both from the status. Only a completion promotes the latest winner; a
   * rollback or a failure promotes the baseline.
   */
  function conclude(turn: Turn, outcome: ConclusionOutcome, why: string): void {
    const version = versionToPromote(turn.spec, turn.status.analysis, outcome);
    recommend(turn.status, version);
    turn.status.conclusion = { outcome, reason: `${why} ${explainPromotion(turn.spec, outcome, version)}` };
  }

  function end(turn: Turn, message: string): StepOutcome {
    setStage(turn, "Completed");
    record(turn, RecordKind.Completed, Reason.ExperimentCompleted, message);
    delete turn.status.retry;
    turn.ended = true;
    return { outcome: ReconcileOutcome.Completed };
  }

  /**
   * Records the failure and ends the experiment, running the `failure` action first when there
   * is one and the experiment got as far as holding its target.
   */
  async function fail(
    turn: Turn,
    reason: string,
    message: string,
    completion: string,
    allowFailureAction = true,
  ): Promise<StepOutcome> {
    record(turn, RecordKind.Failed, reason, message);
    conclude(turn, ConclusionOutcome.Failed, explainFailure(reason, message));
    const failureTasks = turn.spec.spec.strategy.actions?.[ActionName.Failure];
    const held = turn.status.conditions?.some((c) => c.type === "TargetAcquired" && c.status === "True") ?? false;
    if (allowFailureAction && failureTasks && held && !findAction(turn.status, ActionName.Failure)) {
      return launch(turn, ActionName.Failure, HandlerType.Failure, undefined, completion);
    }
    return end(turn, completion);
  }

  /**
   * Fails the experiment when one of `refs` leaves its namespace without consent (see
   * `ReferencePolicy`); undefined when every reference is allowed. A policy that cannot answer
   * is retried as `step`.
   */
  async function guardReferences(turn: Turn, step: RetryStep, refs: Parameters<typeof refusedReference>[2], from = experimentNamespace(turn.spec)): Promise<StepOutcome | undefined> {
    let refused: string | undefined;
    try {
      refused = await refusedReference(ports.references, from, refs);
    } catch (error) {
      return retryOrGiveUp(turn, step, error, () => fail(turn, Reason.ReferenceNotGranted, `the ReferenceGrants could not be read: ${errorMessage(error)}`, Message.failed));
    }
    if (refused === undefined) return undefined;
    delete turn.status.retry;
    return fail(turn, Reason.ReferenceNotGranted, refused, Message.failed);
  }

  /** Every reference of the spec: the criteria's Metrics and the versions' routing objects. */
  function specReferences(turn: Turn) {
    return [...criteriaMetricReferences(turn.spec), ...weightObjectReferences(turn.spec)];
  }

  function requestFor(turn: Turn, r: ActionRecord): ActionRequest {
    const request: ActionRequest = {
      runId: r.runId,
      handlerName: handlerName(turn.key, r.action, r.loop),
      experiment: turn.key,
      action: r.action,
      handler: r.handler,
      tasks: turn.spec.spec.strategy.actions?.[r.action] ?? [],
    };
    if (r.loop !== undefined) request.loop = r.loop;
    return request;
  }

  async function launch(
    turn: Turn,
    action: ActionName,
    handler: HandlerType,
    loop?: number,
    completionMessage?: string,
  ): Promise<StepOutcome> {
    const runToken = turn.status.runId ?? newRunToken();
    turn.status.runId = runToken;
    const r: ActionRecord = {
      action,
      handler,
      runId: actionRunId(runToken, action, loop),
      state: ActionState.Pending,
      attempts: 0,
    };
    if (loop !== undefined) r.loop = loop;
    if (completionMessage !== undefined) r.completionMessage = completionMessage;
    turn.status.actions = [...(turn.status.actions ?? []), r];
    if (TERMINAL_HANDLERS.has(handler)) setStage(turn, "Finishing");
    return startAction(turn, r);
  }

  async function startAction(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
    r.attempts += 1;
    try {
      await ports.actions.start(requestFor(turn, r), current(turn));
    } catch (error) {
      r.message = `could not be started: ${errorMessage(error)}`;
      r.state = ActionState.Pending;
      return retryOrGiveUp(turn, RetryStep.ActionLaunch, error, () => {
        r.state = ActionState.Failed;
        r.endTime = turn.time;
        return actionFailed(turn, r, true);
      });
    }
    delete turn.status.retry;
    r.state = ActionState.Running;
    r.launchTime = turn.time;
    record(turn, RecordKind.Progress, Reason.HandlerLaunched, Message.handlerLaunched(r.handler, r.action));
    return { outcome: ReconcileOutcome.ActionRunning, requeueAfterMs: actionPollMs };
  }

  async function actionFailed(turn: Turn, r: ActionRecord, notStarted: boolean): Promise<StepOutcome> {
    if (r.handler === HandlerType.Failure) {
      // The Failed condition already names the original cause; keep it and say how cleanup went.
      return end(turn, notStarted ? Message.launchFailed : Message.actionsFailed(HandlerType.Failure));
    }
    const completion = notStarted ? Message.launchFailed : Message.actionsFailed(r.handler);
    return fail(turn, Reason.HandlerFailed, Message.actionsFailed(r.handler), completion);
  }

  async function actionSucceeded(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
    switch (r.handler) {
      case HandlerType.Start:
        return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
      case HandlerType.Loop:
        // A loop action may have moved traffic itself (a promotion, a helm upgrade).
        return observeWeights(turn);
      case HandlerType.Failure:
        return end(turn, r.completionMessage ?? Message.failed);
      default:
        return end(turn, Message.completedAfterFinish);
    }
  }

  /** Reads the observed weights into `status.currentWeightDistribution`. */
  async function observeWeights(turn: Turn): Promise<StepOutcome> {
    if (turn.spec.spec.versionInfo) {
      const refused = await guardReferences(turn, RetryStep.ObserveWeights, weightObjectReferences(turn.spec));
      if (refused) return refused;
      try {
        turn.status.currentWeightDistribution = await ports.weights.observe(forAnalysis(turn));
      } catch (error) {
        return retryOrGiveUp(turn, RetryStep.ObserveWeights, error, () =>
          fail(turn, Reason.InvalidExperiment, Message.weightObjRefInvalid(errorMessage(error)), Message.failed),
        );
      }
    }
    if (turn.status.retry?.step === RetryStep.ObserveWeights) delete turn.status.retry;
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
  }

  // -------------------------------------------------------------------------------------------
  // steps

  function initialize(turn: Turn): StepOutcome {
    const s = turn.status;
    for (const field of ["actions", "retry", "decisions", "startTime", "analysis", "currentWeightDistribution", "versionRecommendedForPromotion", "conclusion", "metrics"] as const) {
      delete s[field];
    }
    s.conditions = initialConditions(turn.time);
    s.initTime = turn.time;
    s.lastUpdateTime = turn.time;
    s.stage = "Waiting";
    s.completedIterations = 0;
    s.runId = newRunToken();
    record(turn, RecordKind.Progress, Reason.ExperimentInitialized, Message.initialized);
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
  }

  async function pollAction(turn: Turn, r: ActionRecord): Promise<StepOutcome> {
    let state;
    try {
      state = await ports.actions.state(requestFor(turn, r));
    } catch (error) {
      return retryOrGiveUp(turn, RetryStep.ActionState, error, () => {
        r.state = ActionState.Failed;
        r.endTime = turn.time;
        r.message = `its state could not be read: ${errorMessage(error)}`;
        return actionFailed(turn, r, false);
      });
    }
    if (turn.status.retry?.step === RetryStep.ActionState) delete turn.status.retry;
    switch (state.state) {
      case "Running": {
        const started = r.launchTime ? Date.parse(r.launchTime) : Number.NaN;
        if (!Number.isNaN(started) && turn.now.getTime() - started > actionTimeoutMs) {
          r.state = ActionState.Failed;
          r.endTime = turn.time;
          r.message = `did not finish within ${Math.round(actionTimeoutMs / 1000)} s`;
          return actionFailed(turn, r, false);
        }
        return { outcome: ReconcileOutcome.ActionRunning, requeueAfterMs: actionPollMs };
      }
      case "Unknown":
        if ((r.restarts ?? 0) < maxActionRestarts) {
          r.restarts = (r.restarts ?? 0) + 1;
          r.message = "the runner has no record of it; started again";
          return startAction(turn, r);
        }
        r.state = ActionState.Failed;
        r.endTime = turn.time;
        r.message = `the runner lost it ${(r.restarts ?? 0) + 1} times`;
        return actionFailed(turn, r, false);
      case "Failed":
        r.state = ActionState.Failed;
        r.endTime = turn.time;
        if (state.message !== undefined) r.message = state.message;
        return actionFailed(turn, r, false);
      case "Succeeded":
        r.state = ActionState.Succeeded;
        r.endTime = turn.time;
        delete r.message;
        return actionSucceeded(turn, r);
    }
  }

  /** Experiments competing for this one's target; a store failure aborts the reconcile. */
  async function listTarget(turn: Turn): Promise<Experiment[]> {
    try {
      return await store.listExperiments({ target: turn.spec.spec.target });
    } catch (error) {
      throw new EngineError("StoreUnavailable", `Experiments with target ${turn.spec.spec.target} could not be listed: ${errorMessage(error)}`, { cause: error });
    }
  }

  async function acquireTarget(turn: Turn): Promise<StepOutcome> {
    // Before the target is taken or any action runs: nothing of a refused object is ever read.
    const refused = await guardReferences(turn, RetryStep.References, specReferences(turn));
    if (refused) return refused;
    if (turn.status.retry?.step === RetryStep.References) delete turn.status.retry;
    const others = await listTarget(turn);
    const decision = decideTarget({ ...turn.stored, status: turn.status }, others);
    if (decision?.kind === "acquire") {
      record(turn, RecordKind.Target, Reason.TargetAcquired, "");
      return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
    }
    return { outcome: ReconcileOutcome.Waiting, requeueAfterMs: waitingRecheckMs };
  }

  async function advanceToInitializing(turn: Turn): Promise<StepOutcome> {
    // Confirm the target before starting work: with stale reads two experiments can both have
    // taken it, and the one behind in the queue steps back.
    const others = await listTarget(turn);
    const decision = decideTarget({ ...turn.stored, status: turn.status }, others);
    if (decision?.kind === "release") {
      record(turn, RecordKind.TargetReleased, Reason.TargetReleased, Message.targetReleased(turn.spec.spec.target, formatKey(decision.holder)));
      return { outcome: ReconcileOutcome.Waiting, requeueAfterMs: waitingRecheckMs };
    }
    setStage(turn, "Initializing");
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
  }

  async function loadMetrics(turn: Turn, refs: readonly string[]): Promise<StepOutcome> {
    const loaded: MetricInfo[] = [];
    const seen = new Set<string>();
    const experimentNs = experimentNamespace(turn.spec);
    const fields = new Map<string, string>();
    for (const r of criteriaMetricReferences(turn.spec)) if (!fields.has(`${r.namespace}/${r.name}`)) fields.set(`${r.namespace}/${r.name}`, r.field);
    // A sampleSize is a reference of the Metric that names it, so its namespace is the one that must consent.
    const queue = refs.map((key) => ({ key, from: experimentNs, field: fields.get(key) ?? "spec.criteria" }));
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const { key } = item;
      if (seen.has(key)) continue;
      seen.add(key);
      const { namespace, name } = parseMetricRef(key, experimentNs);
      const refused = await guardReferences(turn, RetryStep.LoadMetrics, [metricReference(item.field, key, experimentNs)], item.from);
      if (refused) return refused;
      let metric;
      try {
        metric = await store.getMetric(namespace, name);
      } catch (error) {
        const failedKey = key;
        return retryOrGiveUp(turn, RetryStep.LoadMetrics, error, () =>
          fail(turn, Reason.MetricsUnreadable, Message.metricUnreadable(failedKey), Message.failed),
        );
      }
      if (!metric) {
        delete turn.status.retry;
        return fail(turn, Reason.MetricUnavailable, Message.metricNotFound(key), Message.failed);
      }
      loaded.push({ name: key, metricObj: metric });
      const sampleSize = metric.spec.sampleSize;
      const metricNs = metric.metadata?.namespace ?? namespace;
      if (sampleSize) queue.push({ key: normalizeMetricRef(sampleSize, metricNs), from: metricNs, field: `spec.sampleSize of Metric ${key}` });
    }
    turn.status.metrics = loaded;
    delete turn.status.retry;
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
  }

  async function advanceToRunning(turn: Turn): Promise<StepOutcome> {
    const observed = await observeWeights(turn);
    if (observed.outcome !== ReconcileOutcome.Progressed) return observed;
    setStage(turn, "Running");
    recommend(turn.status, versionRecommendedForPromotion(turn.spec, turn.status.analysis));
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: 0 };
  }

  async function iterate(turn: Turn, iteration: number): Promise<StepOutcome> {
    const s = turn.status;
    const plan = iterationPlan(turn.spec);
    // Again each iteration: a namespace that withdraws its consent stops the experiment.
    const refused = await guardReferences(turn, RetryStep.Iteration, specReferences(turn));
    if (refused) return refused;
    s.startTime ??= turn.time;

    const failIteration = async (
      what: "metrics" | "analytics" | "weights" | "observe",
      error: unknown,
      values?: MetricValues,
    ): Promise<StepOutcome> => {
      const attempt = (s.retry?.step === RetryStep.Iteration ? s.retry.attempts : 0) + 1;
      const base: Omit<DecisionRecord, "time" | "loop" | "outcome" | "reason"> = {
        iteration,
        ...evidenceOf(what === "weights" || what === "observe" ? s.analysis : undefined),
        error: `${what}: ${errorMessage(error)}`,
      };
      if (values) base.values = copyMetricValues(values);
      const outcome = await retryOrGiveUp(turn, RetryStep.Iteration, error, async () => {
        let failed: StepOutcome;
        switch (what) {
          case "weights":
            failed = await fail(turn, Reason.WeightRedistributionFailed, Message.weightsFailed(errorMessage(error)), Message.failed);
            break;
          case "observe":
            failed = await fail(turn, Reason.InvalidExperiment, Message.weightObjRefInvalid(errorMessage(error)), Message.failed);
            break;
          default:
            failed = await fail(turn, Reason.AnalyticsServiceError, Message.analyticsFailed, Message.failed);
        }
        decide(turn, {
          ...base,
          outcome: DecisionOutcome.Failed,
          reason: `Gave up on iteration ${iteration} after ${attempt} attempt(s): the ${what} step failed.`,
          ...promoted(turn),
        });
        return failed;
      });
      if (outcome.outcome === ReconcileOutcome.Retrying) {
        decide(turn, {
          ...base,
          outcome: DecisionOutcome.Retrying,
          reason: `Attempt ${attempt} of ${maxAttempts} failed in the ${what} step; trying again in ${Math.round((outcome.requeueAfterMs ?? 0) / 1000)} s.`,
        });
      }
      return outcome;
    };

    let values: MetricValues;
    try {
      values = await ports.metrics.query(forAnalysis(turn), turn.signal ? { now: turn.now, signal: turn.signal } : { now: turn.now });
    } catch (error) {
      return failIteration("metrics", error);
    }
    let result: IterationAnalysis;
    try {
      result = analyze(forAnalysis(turn), values, { now: turn.now, provenance });
    } catch (error) {
      return failIteration("analytics", error, values);
    }
    const hists = s.analysis?.aggregatedBuiltinHists;
    s.analysis = { ...(hists ? { aggregatedBuiltinHists: hists } : {}), ...result };
    const evidence = evidenceOf(s.analysis);

    // In the statistics mode an objective that is still undecided reads `false` in
    // versionAssessments; only an objective shown to be violated may roll the experiment back.
    const violations = findRollbackViolations(turn.spec, rollbackAssessments(result.statistics) ?? result.versionAssessments?.data);
    if (violations.length > 0) {
      conclude(turn, ConclusionOutcome.RolledBack, explainRollback(violations));
      decide(turn, {
        iteration,
        outcome: DecisionOutcome.RolledBack,
        reason: s.conclusion?.reason ?? explainRollback(violations),
        values: copyMetricValues(values),
        ...evidence,
        ...promoted(turn),
      });
      delete s.retry;
      if (turn.spec.spec.strategy.actions?.[ActionName.Finish]) {
        return launch(turn, ActionName.Finish, HandlerType.Rollback);
      }
      return end(turn, Message.rolledBack);
    }

    const strategy = turn.spec.spec.strategy;
    let weightsApplied = false;
    let why: string | undefined;
    if (strategy.testingPattern === "Conformance") why = "a Conformance experiment has one version";
    else if (strategy.deploymentPattern === "FixedSplit") why = "the deployment pattern is FixedSplit";
    else {
      const recommended = result.weights?.data ?? [];
      const info = turn.spec.spec.versionInfo;
      const versions = info ? [info.baseline, ...(info.candidates ?? [])] : [];
      const missing = versions.filter(
        (v) => v.weightObjRef && (v.weightObjRef.fieldPath ?? "") !== "" && !recommended.some((w) => w.name === v.name),
      );
      if (missing.length > 0) {
        delete s.retry;
        const failed = await fail(turn, Reason.WeightRedistributionFailed, Message.weightsFailed(Message.noWeightRecommendation), Message.failed);
        decide(turn, {
          iteration,
          outcome: DecisionOutcome.Failed,
          reason: `Analytics recommended no weight for ${missing.map((v) => v.name).join(", ")}.`,
          values: copyMetricValues(values),
          ...evidence,
          ...promoted(turn),
        });
        return failed;
      }
      try {
        await ports.weights.apply(forAnalysis(turn), recommended, turn.signal ? { signal: turn.signal } : undefined);
      } catch (error) {
        return failIteration("weights", error, values);
      }
      try {
        s.currentWeightDistribution = await ports.weights.observe(forAnalysis(turn));
      } catch (error) {
        return failIteration("observe", error, values);
      }
      weightsApplied = true;
    }

    const recommendedVersion = versionRecommendedForPromotion(turn.spec, s.analysis);
    recommend(s, recommendedVersion);
    s.completedIterations = iteration;
    s.lastUpdateTime = turn.time;
    delete s.retry;
    const decision: Omit<DecisionRecord, "time" | "loop"> = {
      iteration,
      outcome: DecisionOutcome.Continued,
      reason: explainContinue(evidence.winner, { applied: weightsApplied, ...(evidence.recommendedWeights ? { recommended: evidence.recommendedWeights } : {}), ...(why ? { why } : {}) }, recommendedVersion),
      values: copyMetricValues(values),
      ...evidence,
      weightsApplied,
    };
    // Observed weights are worth recording only when they differ from what was asked for (a
    // router that rounds, or another writer); otherwise they repeat the recommendation.
    if (s.currentWeightDistribution && JSON.stringify(s.currentWeightDistribution) !== JSON.stringify(evidence.recommendedWeights)) {
      decision.observedWeights = structuredClone(s.currentWeightDistribution);
    }
    if (recommendedVersion !== undefined) decision.versionRecommendedForPromotion = recommendedVersion;
    decide(turn, decision);
    record(turn, RecordKind.Progress, Reason.IterationUpdate, Message.completedIteration(iteration));

    if (iteration % plan.iterationsPerLoop === 0) {
      const loop = iteration / plan.iterationsPerLoop;
      record(turn, RecordKind.Progress, Reason.IterationUpdate, Message.completedLoop(loop));
      if (strategy.actions?.[ActionName.Loop]) return launch(turn, ActionName.Loop, HandlerType.Loop, loop);
    }
    return { outcome: ReconcileOutcome.Progressed, requeueAfterMs: iteration >= plan.totalIterations ? 0 : plan.intervalMs };
  }

  async function finish(turn: Turn): Promise<StepOutcome> {
    const s = turn.status;
    const failure = findAction(s, ActionName.Failure);
    if (failure) return end(turn, failure.completionMessage ?? Message.failed);
    if (s.conditions?.some((c) => c.type === "Failed" && c.status === "True")) return end(turn, Message.failed);
    const finishRecord = findAction(s, ActionName.Finish);
    if (finishRecord) return end(turn, finishRecord.state === ActionState.Succeeded ? Message.completedAfterFinish : Message.actionsFailed(finishRecord.handler));
    if (!s.conclusion) conclude(turn, ConclusionOutcome.Completed, explainCompletion(s.completedIterations ?? 0, s.analysis));
    if (turn.spec.spec.strategy.actions?.[ActionName.Finish]) return launch(turn, ActionName.Finish, HandlerType.Finish);
    return end(turn, Message.completedSuccessfully);
  }

  async function perform(turn: Turn, step: Step): Promise<StepOutcome> {
    switch (step.kind) {
      case "Initialize":
        return initialize(turn);
      case "Done":
        return { outcome: ReconcileOutcome.Completed };
      case "WaitForRetry":
        return { outcome: ReconcileOutcome.Retrying, requeueAfterMs: step.afterMs };
      case "PollAction":
        return pollAction(turn, step.record);
      case "LaunchAction":
        return startAction(turn, step.record);
      case "FailInvalidTasks":
        return fail(turn, step.problem.reason, step.problem.message, Message.failed, false);
      case "AcquireTarget":
        return acquireTarget(turn);
      case "AdvanceToInitializing":
        return advanceToInitializing(turn);
      case "LaunchStart":
        return launch(turn, ActionName.Start, HandlerType.Start);
      case "LoadMetrics":
        return loadMetrics(turn, step.refs);
      case "AdvanceToRunning":
        return advanceToRunning(turn);
      case "FailInvalidVersionInfo":
        return fail(turn, step.problem.reason, step.problem.message, Message.failed);
      case "ObserveWeights":
        return observeWeights(turn);
      case "WaitForIteration":
        return { outcome: ReconcileOutcome.NotDue, requeueAfterMs: step.afterMs };
      case "Iterate":
        return iterate(turn, step.iteration);
      case "Finish":
        return finish(turn);
    }
  }

  // -------------------------------------------------------------------------------------------
  // reconcile

  function emit(turn: Pick<Turn, "key" | "changes" | "time">): void {
    if (!ports.events) return;
    for (const change of turn.changes) {
      try {
        ports.events.emit({ experiment: turn.key, type: change.type, reason: change.reason, message: change.message, time: turn.time });
      } catch {
        // An event sink failing must not undo a decision that is already stored.
      }
    }
  }

  async function wakeAfter(key: ExperimentKey, targets: string[]): Promise<ExperimentKey[]> {
    try {
      const all = await store.listExperiments(targets.length === 1 ? { target: targets[0] } : {});
      return nextInQueue(targets.length > 0 ? targets : all.map((e) => e.spec.target), all, key);
    } catch {
      // Waiting experiments look again every `waitingRecheckMs`, so a missed wake-up only delays them.
      return [];
    }
  }

  function storeError(key: ExperimentKey, error: unknown, code: "StoreUnavailable" | "WriteConflict" | "Unexpected"): ReconcileResult {
    const message =
      code === "WriteConflict"
        ? `The status of experiment ${formatKey(key)} kept changing during the reconcile; it will be tried again.`
        : code === "Unexpected"
          ? `Reconciling experiment ${formatKey(key)} failed unexpectedly: ${errorMessage(error)}`
          : `The store could not be reached for experiment ${formatKey(key)}: ${errorMessage(error)}; it will be tried again.`;
    return {
      key,
      outcome: ReconcileOutcome.StoreError,
      requeueAfterMs: storeRetryMs,
      wake: [],
      error: new EngineError(code, message, { cause: error }),
    };
  }

  /**
   * Ends an experiment the store could not parse (its spec breaks the schema) as failed, naming
   * what is wrong: reading it again would give the same answer until someone edits it, and an
   * edit starts a new reconcile.
   */
  async function failInvalidStored(key: ExperimentKey, invalid: InvalidStoredExperimentError): Promise<ReconcileResult> {
    let status: EngineStatus;
    try {
      status = parseEngineStatus(JSON.stringify(invalid.status ?? {}));
    } catch {
      // A status too deep to copy is replaced, as a hand-edited one would be.
      status = {};
    }
    if (isConditionTrue(status, "Completed")) return { key, outcome: ReconcileOutcome.Completed, wake: [] };
    const time = clock.now().toISOString();
    const changes: RecordedChange[] = [];
    const note = (kind: RecordKind, reason: string, message: string) => {
      const change = recordCondition(status, kind, reason, message, time);
      if (change) changes.push(change);
    };
    if (!status.initTime) {
      status.conditions = initialConditions(time);
      status.initTime = time;
      status.lastUpdateTime = time;
      status.completedIterations = 0;
    }
    note(RecordKind.Failed, Reason.InvalidExperiment, invalid.message);
    status.stage = "Completed";
    note(RecordKind.Progress, Reason.StageAdvanced, Message.advancedTo("Completed"));
    note(RecordKind.Completed, Reason.ExperimentCompleted, Message.failed);
    delete status.retry;
    delete status.versionRecommendedForPromotion;
    status.conclusion = { outcome: ConclusionOutcome.Failed, reason: `${explainFailure(Reason.InvalidExperiment, invalid.message)} No version is recommended for promotion.` };
    let written;
    try {
      written = await store.writeStatus(key, status, invalid.resourceVersion);
    } catch (error) {
      return storeError(key, error, "StoreUnavailable");
    }
    if (written.kind === "conflict") return storeError(key, undefined, "WriteConflict");
    if (written.kind === "notFound") return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(key, []) };
    emit({ key, changes, time });
    return { key, outcome: ReconcileOutcome.Completed, stage: "Completed", wake: await wakeAfter(key, []) };
  }

  function aborted(key: ExperimentKey, signal: AbortSignal): ReconcileResult {
    const why = signal.reason instanceof Error ? `: ${signal.reason.message}` : "";
    return {
      key,
      outcome: ReconcileOutcome.Aborted,
      wake: [],
      error: new EngineError("ReconcileAborted", `The reconcile of experiment ${formatKey(key)} was stopped before it finished${why}; nothing was written and it will be tried again.`, { cause: signal.reason }),
    };
  }

  async function reconcile(key: ExperimentKey, reconcileOptions: ReconcileOptions = {}): Promise<ReconcileResult> {
    const { signal } = reconcileOptions;
    for (let round = 0; round <= conflictRetries; round++) {
      let stored: Experiment | undefined;
      try {
        stored = await store.getExperiment(key);
      } catch (error) {
        if (isInvalidStoredExperiment(error)) return failInvalidStored(key, error);
        return storeError(key, error, "StoreUnavailable");
      }
      if (!stored) {
        return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(key, []) };
      }
      const now = clock.now();
      let turn: Turn;
      let outcome: StepOutcome;
      let before: string;
      try {
        before = JSON.stringify(stored.status ?? {});
        const status = parseEngineStatus(before);
        const { status: _stored, ...withoutStatus } = stored;
        const spec = withDefaults(withoutStatus as Experiment);
        turn = { key, stored, spec, status, now, time: now.toISOString(), changes: [], ended: false, signal };
        outcome = await perform(turn, nextStep(spec, status, now, options.validateActions));
      } catch (error) {
        if (signal?.aborted) return aborted(key, signal);
        return storeError(key, error, error instanceof EngineError ? "StoreUnavailable" : "Unexpected");
      }
      // A step cut short by the deadline saw cancelled queries, not the backends' answers: none
      // of it is recorded.
      if (signal?.aborted) return aborted(key, signal);

      // The status is a copy of the stored one, so an untouched status serialises identically
      // (same key order); a reordered but equal status only costs one needless write.
      if (JSON.stringify(turn.status) !== before) {
        let written;
        try {
          written = await store.writeStatus(key, turn.status, stored.metadata.resourceVersion);
        } catch (error) {
          return storeError(key, error, "StoreUnavailable");
        }
        if (written.kind === "conflict") continue;
        if (written.kind === "notFound") return { key, outcome: ReconcileOutcome.NotFound, wake: await wakeAfter(key, []) };
      }
      emit(turn);
      const result: ReconcileResult = {
        key,
        outcome: outcome.outcome,
        wake: turn.ended ? await wakeAfter(key, [turn.spec.spec.target]) : [],
      };
      if (turn.status.stage) result.stage = turn.status.stage;
      // Delays count from the moment the step was decided (the next iteration is due one interval
      // after this one's time), so the time spent querying and writing comes off them.
      if (outcome.requeueAfterMs !== undefined) result.requeueAfterMs = Math.max(0, outcome.requeueAfterMs - (clock.now().getTime() - now.getTime()));
      return result;
    }
    return storeError(key, undefined, "WriteConflict");
  }

  return { reconcile };
}
