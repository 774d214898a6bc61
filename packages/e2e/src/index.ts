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
export type { KubectlStandIn, AppliedManifest, ObjectSink } from "./kubectl-stand-in";
export { SettledActionRunner } from "./settled-action-runner";
export type { FinishedAction } from "./settled-action-runner";
export { OfflineMetricsSource, refusingHttpClient } from "./offline-metrics-source";
export { QuickstartOutcome, mockQuickstartMetrics } from "./quickstart-mocks";
export { servedVersion } from "./served-version";
export type { ObjectReader } from "./served-version";
export { runQuickstart } from "./run-quickstart";
export type { QuickstartRun, IterationWeights } from "./run-quickstart";
