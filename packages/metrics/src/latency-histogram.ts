import type { DurationHistogram } from "@iter8ts/analytics";

// Bucket upper bounds in units of the resolution: fortio's progression (fine steps at low
// latencies, coarser ones as latencies grow), so the stored list stays short.
const BOUNDS = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 140, 160, 180,
  200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 50000,
  75000, 100000,
];

/** A bucket as the load generator reports it: fortio's fields, durations in seconds. */
export interface LatencyBucket {
  Start: number;
  End: number;
  /** Share of all requests in this bucket, in percent. */
  Percent: number;
  Count: number;
}

/** A duration histogram in fortio's JSON shape (what `aggregatedBuiltinHists` stores per version). */
export interface LatencyHistogramData extends DurationHistogram {
  Min: number;
  Avg: number;
  StdDev: number;
  Data: LatencyBucket[];
}

/**
 * Records request durations (seconds) into fixed buckets, plus exact count, sum, minimum,
 * maximum and variance. With the default resolution of 0.1 ms the buckets are 0.1 ms wide below
 * 1 ms and about 10–25 % of their value above, which keeps interpolated percentiles close to the
 * true ones while a whole run fits in a few dozen buckets.
 */
export class LatencyHistogram {
  private readonly counts: number[] = new Array<number>(BOUNDS.length + 1).fill(0);
  private count = 0;
  private sum = 0;
  private sumSquares = 0;
  private min = Infinity;
  private max = -Infinity;

  /** @param resolution seconds per bucket unit (default 0.0001 s). */
  constructor(private readonly resolution = 0.0001) {}

  /** Adds one duration in seconds. */
  record(seconds: number): void {
    const v = seconds < 0 ? 0 : seconds;
    this.count++;
    this.sum += v;
    this.sumSquares += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const units = v / this.resolution;
    // Binary search for the first bound >= units; values above the last bound overflow.
    let lo = 0;
    let hi = BOUNDS.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BOUNDS[mid]! < units) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]!++;
  }

  /** Number of durations recorded. */
  get size(): number {
    return this.count;
  }

  /** The histogram in fortio's shape; buckets are clamped to the observed minimum and maximum. */
  toJSON(): LatencyHistogramData {
    const data: LatencyBucket[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i]!;
      if (n === 0) continue;
      const lower = i === 0 ? 0 : BOUNDS[i - 1]! * this.resolution;
      const upper = i < BOUNDS.length ? BOUNDS[i]! * this.resolution : this.max;
      data.push({
        Start: Math.max(lower, this.min),
        End: Math.min(upper, this.max),
        Percent: (100 * n) / this.count,
        Count: n,
      });
    }
    const avg = this.count ? this.sum / this.count : 0;
    const variance = this.count ? Math.max(0, this.sumSquares / this.count - avg * avg) : 0;
    return {
      Count: this.count,
      Min: this.count ? this.min : 0,
      Max: this.count ? this.max : 0,
      Sum: this.sum,
      Avg: avg,
      StdDev: Math.sqrt(variance),
      Data: data,
    };
  }
}
