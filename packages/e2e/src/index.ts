/**
 * End-to-end harness of iter8ts: the quickstart samples read and run through the real engine,
 * analytics, metrics, weights and tasks on in-memory ports and a simulated clock; a kubectl
 * stand-in for finish actions; and the seeded document fuzzer.
 */
export { E2eError, E2eErrorCode } from "./e2e-error";
export { loadSample, SAMPLES_DIR, QUICKSTART_STACKS } from "./load-sample";
export type { SampleDocuments, QuickstartStack } from "./load-sample";
export { pointPromotionAt } from "./point-promotion-at";
export type { PointPromotionOptions } from "./point-promotion-at";
export { startKubectlStandIn } from "./kubectl-stand-in";
export type { KubectlStandIn, AppliedObject, ObjectSink, ServedKind } from "./kubectl-stand-in";
export { openSettledActionRunner } from "./settled-action-runner";
export type { FinishedAction } from "./settled-action-runner";
export { offlineMetricsSource, refusingHttpClient } from "./offline-metrics-source";
export { QuickstartOutcome, mockQuickstartMetrics } from "./quickstart-mocks";
export { QUICKSTART_EXPECTATIONS, quickstartMessages, servedVersion } from "./quickstart-expectations";
export type { ObjectReader, QuickstartExpectation } from "./quickstart-expectations";
export { runQuickstart } from "./run-quickstart";
export type { QuickstartRun, IterationWeights } from "./run-quickstart";
export { FuzzRandom } from "./fuzz-random";
export { Mutation, mutateDocument, mutateText } from "./mutate-document";
export type { MutationResult, Planted } from "./mutate-document";
export { fuzzCase, fuzzCorpus, fuzzKind, loadFuzzBases } from "./fuzz-corpus";
export type { FuzzCase, FuzzBases } from "./fuzz-corpus";
export { checkParseContract } from "./check-parse-contract";
export type { ParseVerdict } from "./check-parse-contract";
export { checkTaskContract } from "./check-task-contract";
export { plantedInPlace } from "./planted-value";
export { routeWeights } from "./route-weights";
export type { RoutedWeights } from "./route-weights";
export { fuzzBackend } from "./fuzz-backend";
export { fuzzTaskRegistry } from "./fuzz-task-registry";
export type { RecordedCommand } from "./fuzz-task-registry";
export { failureCulprit, readsSloppily } from "./failure-culprit";
export type { FailureReport } from "./failure-culprit";
export { runFuzzedExperiment, shortenForFuzz, reconcileBudget, FUZZ_MAX_ITERATIONS_PER_LOOP, FUZZ_MAX_LOOPS } from "./run-fuzzed-experiment";
export type { FuzzRunOutcome } from "./run-fuzzed-experiment";
export { runFuzz } from "./run-fuzz";
export type { FuzzSummary, FuzzViolation, RunFuzzOptions } from "./run-fuzz";
