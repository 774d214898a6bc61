/**
 * Turns this iteration's aggregated values into what the statistics need per (metric, version):
 * the value, the number of observations behind it, and a posterior when the metric has an
 * uncertainty model.
 *
 * Sample sizes come from, in order: the value's own `sampleSize` (handed in by the metrics source,
 * or read from the counter the Metric names in `spec.sampleSize`), the `criteria.requestCount`
 * metric, and the builtin request count of the load generator's histograms.
 *
 * Models: `strength.metrics` decides when it names the metric. Otherwise the builtin error rate
 * is a proportion of the builtin request count, the builtin mean latency is a mean whose spread
 * comes from the histogram, and a metric whose name says it is a rate, ratio, fraction, percentage
 * or conversion is a proportion when its values lie in [0, 1] and a sample size is known. Anything
 * else is checked as a point value.
 */
import { experimentNamespace, normalizeMetricRef, type AggregatedMetric, type Experiment } from "@iter8ts/types";
import type { BuiltinHistogram, BuiltinHistograms } from "../builtin-histogram";
import { BuiltinMetric, isErrorCode } from "../builtin-metrics";
import { readQuantity } from "../metric-quantity";
import { betaPosterior, meanPosterior, type Posterior } from "./posterior";
import { proportionSummary, type SampleSummary } from "./sample-summary";
import type { EvidenceModel } from "./statistics-analysis";
import type { MetricModelSettings, Strength } from "./strength";

/** One (metric, version) with its model. */
export interface Observation {
  model: EvidenceModel;
  value: number | null;
  sampleSize: number | null;
  /** The posterior of the modelled quantity; null for point values and missing data. */
  posterior: Posterior | null;
  /** n, mean and per-observation variance, for frequentist comparisons; null when unknown. */
  summary: SampleSummary | null;
  /** Why the model could not be used, when it fell back to a point value. */
  note?: string;
}

const PROPORTION_NAME = /rate|ratio|fraction|percent|proportion|conversion/i;
const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PERCENTILE_METRICS: ReadonlyMap<string, number> = new Map([
  [BuiltinMetric.Latency50, 0.5],
  [BuiltinMetric.Latency75, 0.75],
  [BuiltinMetric.Latency90, 0.9],
  [BuiltinMetric.Latency95, 0.95],
  [BuiltinMetric.Latency99, 0.99],
]);

/** The quantile a builtin latency-percentile metric reports (0.95 for the 95th), else undefined. */
export function builtinPercentile(key: string): number | undefined {
  return PERCENTILE_METRICS.get(key);
}

/** Share of a histogram's requests slower than `limitSeconds` (uniform within each bucket). */
export function countAbove(histogram: BuiltinHistogram, limitSeconds: number): number {
  let above = 0;
  for (const bucket of histogram.DurationHistogram.Data) {
    if (bucket.Count <= 0) continue;
    if (bucket.Start >= limitSeconds) {
      // A bucket starting exactly at the limit holds requests at or above it; only a zero-width
      // bucket at the limit is exactly at it, and "at the limit" is not beyond it.
      if (bucket.End > bucket.Start || bucket.Start > limitSeconds) above += bucket.Count;
    } else if (bucket.End > limitSeconds) {
      above += (bucket.Count * (bucket.End - limitSeconds)) / (bucket.End - bucket.Start);
    }
  }
  return above;
}

/** Per-request standard deviation of durations (seconds), treating each bucket as uniform. */
export function histogramStandardDeviation(histogram: BuiltinHistogram): number | undefined {
  const { Count: count, Sum: sum, Data: data } = histogram.DurationHistogram;
  if (!(count > 1)) return undefined;
  let secondMoment = 0;
  let bucketCount = 0;
  for (const b of data) {
    secondMoment += (b.Count * (b.Start * b.Start + b.Start * b.End + b.End * b.End)) / 3;
    bucketCount += b.Count;
  }
  if (!(bucketCount > 0)) return undefined;
  const mean = sum / count;
  const variance = (secondMoment / bucketCount - mean * mean) * (count / (count - 1));
  return variance > 0 ? Math.sqrt(variance) : undefined;
}

/** Looks up values, sample sizes and models for one experiment and iteration. */
export class MetricObservations {
  private readonly namespace: string;
  private readonly settings = new Map<string, MetricModelSettings>();
  /** metric key → version → value, so that a lookup builds no string. */
  private readonly values = new Map<string, Map<string, number | null>>();

  constructor(
    private readonly experiment: Experiment,
    private readonly aggregated: ReadonlyMap<string, AggregatedMetric>,
    private readonly histograms: BuiltinHistograms,
    private readonly strength: Strength,
  ) {
    this.namespace = experimentNamespace(experiment);
    for (const [ref, settings] of Object.entries(strength.metrics)) this.settings.set(this.key(ref), settings);
  }

  /** The normalised `namespace/name` key of a metric reference. */
  key(ref: string): string {
    return normalizeMetricRef(ref, this.namespace);
  }

  /** The aggregated value of a metric for a version, if any. */
  value(key: string, version: string): number | null {
    // Quantities are parsed exactly (BigInt nano-units), which is slow enough to be worth caching.
    let byVersion = this.values.get(key);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.values.set(key, byVersion);
    }
    const cached = byVersion.get(version);
    if (cached !== undefined) return cached;
    const stored = this.aggregated.get(key)?.data[version]?.value;
    // Plain decimals (what analytics itself writes) need no quantity parsing; suffixed
    // quantities (`250m`, `1k`) go through the exact parser.
    const value =
      typeof stored === "number"
        ? stored
        : typeof stored === "string" && PLAIN_DECIMAL.test(stored)
          ? Number(stored)
          : (readQuantity(stored) ?? null);
    byVersion.set(version, value);
    return value;
  }

  /**
   * Requests a version received: `criteria.requestCount`, else the builtin request count. A
   * negative or non-finite count is no count at all.
   */
  requestCount(version: string): number | null {
    const ref = this.experiment.spec.criteria?.requestCount;
    const counted = ref ? this.value(this.key(ref), version) : null;
    if (counted !== null) return counted >= 0 && Number.isFinite(counted) ? counted : null;
    const histogram = this.histograms[version];
    return histogram ? histogram.DurationHistogram.Count : null;
  }

  /** Observations behind a metric's value for a version (see the file comment for the order). */
  sampleSize(key: string, version: string): number | null {
    const own = this.aggregated.get(key)?.data[version]?.sampleSize;
    if (typeof own === "number" && own >= 0 && Number.isFinite(own)) return own;
    return this.requestCount(version);
  }

  /** The histogram of a version, when the load generator recorded one. */
  histogram(version: string): BuiltinHistogram | undefined {
    return this.histograms[version];
  }

  /** The model a metric gets, before checking that the data allow it. */
  modelOf(key: string): MetricModelSettings["model"] {
    const configured = this.settings.get(key)?.model;
    if (configured) return configured;
    if (key === BuiltinMetric.ErrorRate) return "proportion";
    if (key === BuiltinMetric.MeanLatency) return "mean";
    const name = key.slice(key.indexOf("/") + 1);
    return PROPORTION_NAME.test(name) ? "proportion" : "point";
  }

  /** The value of one metric for one version with its model and posterior. */
  observe(key: string, version: string): Observation {
    const value = this.value(key, version);
    const sampleSize = this.sampleSize(key, version);
    if (value === null) return { model: "none", value, sampleSize, posterior: null, summary: null };
    const point = (note?: string): Observation => ({
      model: "point",
      value,
      sampleSize,
      posterior: null,
      summary: null,
      ...(note ? { note } : {}),
    });
    const model = this.modelOf(key);
    if (model === "point") return point();
    if (sampleSize === null) return point(`no sample size is known for ${key}; checked as a point value`);
    if (model === "proportion") {
      if (value < 0 || value > 1) {
        const note = `${key} = ${value} for ${version} is not a rate in [0, 1]; checked as a point value`;
        return this.settings.has(key) ? point(note) : point();
      }
      const successes = this.successes(key, version, value, sampleSize);
      return {
        model: "proportion",
        value,
        sampleSize,
        posterior: betaPosterior(successes, sampleSize, this.strength.prior),
        summary: proportionSummary(sampleSize, successes),
      };
    }
    const sd = this.standardDeviation(key, version);
    if (sd === undefined) return point(`no standard deviation is known for ${key}; set strength.metrics["${key}"].stddev`);
    if (sampleSize < 2) return { model: "mean", value, sampleSize, posterior: null, summary: null };
    return {
      model: "mean",
      value,
      sampleSize,
      posterior: meanPosterior(sampleSize, value, sd),
      summary: { n: sampleSize, mean: value, variance: sd * sd },
    };
  }

  /** Successes behind a rate: exact error counts for the builtin error rate, else value × n. */
  private successes(key: string, version: string, value: number, n: number): number {
    const histogram = this.histograms[version];
    if (key === BuiltinMetric.ErrorRate && histogram && histogram.DurationHistogram.Count === n) {
      return Object.entries(histogram.RetCodes)
        .filter(([code]) => isErrorCode(code))
        .reduce((total, [, count]) => total + count, 0);
    }
    return value * n;
  }

  private standardDeviation(key: string, version: string): number | undefined {
    const configured = this.settings.get(key)?.stddev;
    if (typeof configured === "number") return configured;
    if (typeof configured === "string") {
      const sd = this.value(this.key(configured), version);
      return sd !== null && sd > 0 ? sd : undefined;
    }
    const histogram = this.histograms[version];
    if (key === BuiltinMetric.MeanLatency && histogram) {
      const seconds = histogramStandardDeviation(histogram);
      return seconds === undefined ? undefined : 1000 * seconds;
    }
    return undefined;
  }
}
