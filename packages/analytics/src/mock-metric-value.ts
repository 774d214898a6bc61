import { experimentNamespace, quantityToNumber } from "@iter8ts/types";
import type { Experiment, MetricSpec } from "@iter8ts/types";
import type { MetricValue } from "./metric-values";
import { sampleBeta, seededRandom } from "./seeded-random";

/** The parts of a Metric spec that mock generation reads. */
export type MockMetricSpec = Pick<MetricSpec, "mock"> & { type?: MetricSpec["type"] };

/**
 * The seed that ties a mock metric's draws to one experiment and metric. Every producer of mock
 * values (analytics itself, the metrics package's mock provider) uses it, so that all of them
 * report the same number for the same experiment, metric, version and elapsed time.
 */
export function mockSeed(experiment: Pick<Experiment, "metadata">, metric: string): string {
  const name = experiment.metadata.name ?? experiment.metadata.generateName ?? "";
  return `${experimentNamespace(experiment)}/${name}|${metric}`;
}

/**
 * The value a mock metric reports for a version after `elapsedSeconds` (whole seconds since the
 * experiment started, at least 1): a Counter grows as `elapsed × level`; a Gauge is
 * `Beta(elapsed, elapsed) × 2 × level`, centred on `level` with a spread that shrinks as the
 * experiment runs. The Beta draw comes from a random source seeded with `seed` (see
 * {@link mockSeed}), the version and the elapsed seconds, so equal inputs give equal values.
 * A version without a level gets `value: null` and an `error` saying what to add; nothing throws.
 */
export function mockMetricValue(
  spec: MockMetricSpec,
  version: string,
  elapsedSeconds: number,
  seed = "",
): MetricValue {
  const entry = spec.mock?.find((m) => m.name === version);
  if (!entry) {
    return { value: null, error: `mock metric has no level for version ${version}; add {name: ${version}, level: <number>} to spec.mock` };
  }
  let level: number;
  try {
    level = quantityToNumber(entry.level);
  } catch (cause) {
    return { value: null, error: `mock level of version ${version} is not a quantity: ${(cause as Error).message}` };
  }
  const elapsed = Math.max(1, Math.floor(Number.isFinite(elapsedSeconds) ? elapsedSeconds : 1));
  if ((spec.type ?? "Gauge") === "Counter") return { value: elapsed * level };
  const random = seededRandom(`${seed}|${version}|${elapsed}`);
  return { value: sampleBeta(random, elapsed, elapsed) * 2 * level };
}
