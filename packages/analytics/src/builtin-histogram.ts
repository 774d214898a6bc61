/**
 * The latency histograms and response-code counts the builtin load generator records per version
 * in `status.analysis.aggregatedBuiltinHists.data`, in fortio's JSON shape (durations in seconds).
 */

/** One histogram bucket: `Count` requests took between `Start` and `End` seconds. */
export interface HistogramBucket {
  Start: number;
  End: number;
  Count: number;
}

/** Request durations of one version, in seconds. */
export interface DurationHistogram {
  /** Number of requests. */
  Count: number;
  /** Longest duration. */
  Max: number;
  /** Sum of all durations. */
  Sum: number;
  /** Shortest duration, when the generator reported it. */
  Min?: number;
  Data: HistogramBucket[];
}

/** What the load generator recorded for one version. */
export interface BuiltinHistogram {
  DurationHistogram: DurationHistogram;
  /** Response code (as a string, e.g. `"200"`, or `"-1"` for a failed connection) → count. */
  RetCodes: Record<string, number>;
}

/** Histograms by version name. */
export type BuiltinHistograms = Record<string, BuiltinHistogram>;

/** Histograms read from free JSON, plus what was wrong with the entries that had to be skipped. */
export interface ReadBuiltinHistogramsResult {
  histograms: BuiltinHistograms;
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Reads one version's histogram, or says which field is at fault. */
function readOne(version: string, raw: unknown): BuiltinHistogram | string {
  const where = `aggregatedBuiltinHists.data.${version}`;
  if (!isRecord(raw)) return `${where} is not an object`;
  const dh = raw["DurationHistogram"];
  if (!isRecord(dh)) return `${where}.DurationHistogram is missing`;
  const rawData = dh["Data"] ?? [];
  if (!Array.isArray(rawData)) return `${where}.DurationHistogram.Data is not a list`;
  const data: HistogramBucket[] = [];
  for (const [i, b] of rawData.entries()) {
    const start = isRecord(b) ? finiteNumber(b["Start"]) : undefined;
    const end = isRecord(b) ? finiteNumber(b["End"]) : undefined;
    const count = isRecord(b) ? finiteNumber(b["Count"]) : undefined;
    if (start === undefined || end === undefined || count === undefined || end < start || count < 0) {
      return `${where}.DurationHistogram.Data[${i}] needs numbers Start <= End and Count >= 0`;
    }
    data.push({ Start: start, End: end, Count: count });
  }
  const bucketTotal = data.reduce((sum, b) => sum + b.Count, 0);
  const count = dh["Count"] === undefined ? bucketTotal : finiteNumber(dh["Count"]);
  const sum = finiteNumber(dh["Sum"] ?? 0);
  const max = dh["Max"] === undefined ? Math.max(0, ...data.map((b) => b.End)) : finiteNumber(dh["Max"]);
  if (count === undefined || count < 0) return `${where}.DurationHistogram.Count is not a non-negative number`;
  if (sum === undefined) return `${where}.DurationHistogram.Sum is not a number`;
  if (max === undefined) return `${where}.DurationHistogram.Max is not a number`;
  const retCodes: Record<string, number> = {};
  const rawCodes = raw["RetCodes"] ?? {};
  if (!isRecord(rawCodes)) return `${where}.RetCodes is not an object`;
  for (const [code, n] of Object.entries(rawCodes)) {
    const value = finiteNumber(n);
    if (value === undefined || value < 0) return `${where}.RetCodes.${code} is not a non-negative number`;
    retCodes[code] = value;
  }
  const histogram: DurationHistogram = { Count: count, Max: max, Sum: sum, Data: data };
  const min = finiteNumber(dh["Min"]);
  if (min !== undefined) histogram.Min = min;
  return { DurationHistogram: histogram, RetCodes: retCodes };
}

/**
 * Reads `aggregatedBuiltinHists.data` (free JSON in the API) into typed histograms. A version
 * whose entry is malformed is left out and described in `problems`; nothing throws.
 */
export function readBuiltinHistograms(data: unknown): ReadBuiltinHistogramsResult {
  const histograms: BuiltinHistograms = {};
  const problems: string[] = [];
  if (data === undefined || data === null) return { histograms, problems };
  if (!isRecord(data)) return { histograms, problems: ["aggregatedBuiltinHists.data is not an object keyed by version"] };
  for (const [version, raw] of Object.entries(data)) {
    const read = readOne(version, raw);
    if (typeof read === "string") problems.push(`${read}; the builtin metrics of version ${version} are skipped`);
    else histograms[version] = read;
  }
  return { histograms, problems };
}

/**
 * Combines the histograms of two load-generation runs of one version: counts and sums add, `Max`
 * is the larger, `Min` the smaller, response codes add per code; buckets with the same bounds add
 * their counts into one bucket, and the other buckets are kept as they are, in the order they first
 * appear (the same distribution in fewer entries). Neither input is modified.
 */
export function mergeHistograms(a: BuiltinHistogram, b: BuiltinHistogram): BuiltinHistogram {
  const byBounds = new Map<string, HistogramBucket>();
  const data: HistogramBucket[] = [];
  for (const bucket of [...a.DurationHistogram.Data, ...b.DurationHistogram.Data]) {
    const key = `${bucket.Start}:${bucket.End}`;
    const same = byBounds.get(key);
    if (same) {
      same.Count += bucket.Count;
    } else {
      const copy = { Start: bucket.Start, End: bucket.End, Count: bucket.Count };
      byBounds.set(key, copy);
      data.push(copy);
    }
  }
  const merged: DurationHistogram = {
    Count: a.DurationHistogram.Count + b.DurationHistogram.Count,
    Max: Math.max(a.DurationHistogram.Max, b.DurationHistogram.Max),
    Sum: a.DurationHistogram.Sum + b.DurationHistogram.Sum,
    Data: data,
  };
  const mins = [a.DurationHistogram.Min, b.DurationHistogram.Min].filter((m): m is number => m !== undefined);
  if (mins.length > 0) merged.Min = Math.min(...mins);
  const retCodes: Record<string, number> = { ...a.RetCodes };
  for (const [code, n] of Object.entries(b.RetCodes)) retCodes[code] = (retCodes[code] ?? 0) + n;
  return { DurationHistogram: merged, RetCodes: retCodes };
}
