/**
 * In-memory implementations of the engine's ports and a simulated clock, for tests and
 * dry runs: a two-hour experiment runs in milliseconds.
 */
export { Faults } from "./testing/faults";
export { SimulatedClock } from "./testing/simulated-clock";
export { MemoryExperimentStore } from "./testing/memory-experiment-store";
export type { StoreOp } from "./testing/memory-experiment-store";
export { MemoryActionRunner } from "./testing/memory-action-runner";
export type { SimulatedAction, ActionExecution } from "./testing/memory-action-runner";
export { MemoryWeightWriter } from "./testing/memory-weight-writer";
export { ScriptedMetricsSource } from "./testing/scripted-metrics-source";
export type { MetricsQueryContext } from "./testing/scripted-metrics-source";
export { MemoryEventSink } from "./testing/memory-event-sink";
