/** One request the router forwarded, as the router saw it. */
export interface RequestRecord {
  /** When the response ended, in epoch milliseconds. */
  at: number;
  /** The version that served it. */
  version: string;
  /** HTTP status; 502/504 when the version gave no response. */
  status: number;
  /** Time from the request's arrival at the router to the response's end. */
  latencyMs: number;
  /** User engagement in seconds; 0 when the version reported none. */
  engagement: number;
}

/** What one version did within a window. Means and rates are null without requests. */
export interface VersionSummary {
  requests: number;
  /** Responses with status 500 or above, or no response at all. */
  errors: number;
  errorRate: number | null;
  meanLatencyMs: number | null;
  /** Sample standard deviation of latency (n − 1); null below two requests. */
  latencyStddevMs: number | null;
  meanEngagement: number | null;
  /** Sample standard deviation of engagement (n − 1); null below two requests. */
  engagementStddev: number | null;
}

/** Options of {@link Telemetry}. */
export interface TelemetryOptions {
  /** The clock, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Records kept per version at most; the oldest go first (default 1,000,000). */
  maxRecords?: number;
}

/** True for responses that count as errors: server errors and missing responses. */
export function isErrorStatus(status: number): boolean {
  return status >= 500 || status <= 0;
}

/**
 * The q-quantile of a sorted list, interpolating linearly between the closest ranks (the
 * definition numpy and Prometheus' `quantile` use), so p95 of [1..100] is 95.05.
 */
export function quantileOfSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function meanAndStddev(values: readonly number[]): { mean: number | null; stddev: number | null } {
  if (values.length === 0) return { mean: null, stddev: null };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return { mean, stddev: null };
  const squares = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, stddev: Math.sqrt(squares / (values.length - 1)) };
}

/**
 * The demo's telemetry: every request the router forwarded, queried per version over a window
 * ending now — the role Istio's request metrics play for the cluster quickstarts.
 */
export class Telemetry {
  // Per version, in the order recorded (so by time): a window is a suffix, found by binary search.
  private readonly byVersion = new Map<string, RequestRecord[]>();
  private readonly now: () => number;
  private readonly maxRecords: number;

  constructor(options: TelemetryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxRecords = options.maxRecords ?? 1_000_000;
  }

  /** Adds one request. */
  record(entry: Omit<RequestRecord, "at"> & { at?: number }): void {
    let records = this.byVersion.get(entry.version);
    if (!records) this.byVersion.set(entry.version, (records = []));
    // Keep each list sorted by time even if the wall clock steps back.
    const at = Math.max(entry.at ?? this.now(), records.at(-1)?.at ?? -Infinity);
    records.push({ ...entry, at });
    if (records.length > this.maxRecords) records.splice(0, records.length - this.maxRecords);
  }

  /** Every version seen so far, in order of first appearance. */
  versions(): string[] {
    return [...this.byVersion.keys()];
  }

  /** The requests of a version within the last `windowSeconds` (all of them when omitted). */
  select(version: string, windowSeconds?: number): RequestRecord[] {
    const records = this.byVersion.get(version) ?? [];
    if (windowSeconds === undefined) return records.slice();
    const since = this.now() - windowSeconds * 1000;
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid]!.at < since) lo = mid + 1;
      else hi = mid;
    }
    return records.slice(lo);
  }

  /** Counts, rates, means and spreads of a version within a window. */
  summary(version: string, windowSeconds?: number): VersionSummary {
    const selected = this.select(version, windowSeconds);
    const errors = selected.filter((r) => isErrorStatus(r.status)).length;
    const latency = meanAndStddev(selected.map((r) => r.latencyMs));
    const engagement = meanAndStddev(selected.map((r) => r.engagement));
    return {
      requests: selected.length,
      errors,
      errorRate: selected.length ? errors / selected.length : null,
      meanLatencyMs: latency.mean,
      latencyStddevMs: latency.stddev,
      meanEngagement: engagement.mean,
      engagementStddev: engagement.stddev,
    };
  }

  /** The q-quantile (0 < q ≤ 1) of a version's latency within a window; null without requests. */
  latencyQuantile(version: string, q: number, windowSeconds?: number): number | null {
    const sorted = this.select(version, windowSeconds)
      .map((r) => r.latencyMs)
      .sort((a, b) => a - b);
    return quantileOfSorted(sorted, q);
  }
}
