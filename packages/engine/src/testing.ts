/**
 * In-memory implementations of the engine's ports, for tests: with the `SimulatedClock` of the
 * main entry, a two-hour experiment runs in milliseconds.
 */
export { Faults } from "./testing/faults";
export { MemoryExperimentStore } from "./testing/memory-experiment-store";
export type { StoreOp } from "./testing/memory-experiment-store";
export { MemoryActionRunner } from "./testing/memory-action-runner";
export type { SimulatedAction, ActionExecution } from "./testing/memory-action-runner";
export { MemoryWeightWriter } from "./testing/memory-weight-writer";
export { ScriptedMetricsSource } from "./testing/scripted-metrics-source";
export type { MetricsQueryContext } from "./testing/scripted-metrics-source";
export { MemoryEventSink } from "./testing/memory-event-sink";
