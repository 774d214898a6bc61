/**
 * Carries the sample-ratio-mismatch accounting from one iteration to the next: the traffic that
 * arrived since the last look is attributed to the weights that were in force meanwhile, so the
 * expected counts follow a progressive rollout period by period.
 */
import { srmFromExpected, type SrmResult } from "./srm";
import type { SrmEvidence, SrmState } from "./statistics-analysis";
import { describeNumber } from "./describe-number";

/** The accounting before any traffic was seen. */
export function emptySrmState(versions: readonly string[]): SrmState {
  const zeros = Object.fromEntries(versions.map((v) => [v, 0]));
  return { lastCounts: { ...zeros }, observed: { ...zeros }, expected: { ...zeros }, zeroWeightTraffic: [], periods: 0 };
}

/** Result of {@link trackTraffic}. */
export interface TrafficTracking {
  state: SrmState;
  evidence: SrmEvidence;
  /** The chi-square result, when counts were available. */
  result: SrmResult | null;
  warnings: string[];
}

/**
 * Folds this look's cumulative per-version counts into the accounting and tests the totals.
 * `counts` are cumulative request counts (null when unknown: the accounting is left as it was);
 * `weightsInForce` are the weights that applied since the last look.
 */
export function trackTraffic(
  previous: SrmState,
  versions: readonly string[],
  counts: readonly (number | null)[],
  weightsInForce: readonly number[],
  threshold: number,
  plannedLooks = 1,
): TrafficTracking {
  // The chi-square test runs at every look on cumulative counts; Bonferroni over the planned
  // looks keeps the chance of any false alarm in the whole experiment at `threshold`.
  const looks = Math.max(1, Math.floor(plannedLooks));
  const lookThreshold = threshold / looks;
  const split = looks > 1 ? ` (srmThreshold ${threshold} split over ${looks} planned looks)` : "";
  const warnings: string[] = [];
  const observedOf = (state: SrmState) => versions.map((v) => state.observed[v] ?? 0);
  const expectedOf = (state: SrmState) => versions.map((v) => state.expected[v] ?? 0);
  const missing = versions.filter((_, i) => counts[i] === null || counts[i] === undefined);
  if (missing.length > 0) {
    const evidence: SrmEvidence = {
      status: "unavailable",
      reason: `no request count for ${missing.join(", ")}; set criteria.requestCount (or collect builtin metrics) to check traffic against weights`,
      threshold,
      chiSquare: null,
      dof: 0,
      pValue: null,
      observed: Object.fromEntries(versions.map((v, i) => [v, observedOf(previous)[i]!])),
      expected: Object.fromEntries(versions.map((v, i) => [v, expectedOf(previous)[i]!])),
      zeroWeightTraffic: [...previous.zeroWeightTraffic],
      consecutiveAlarms: previous.alarms ?? 0,
      lookThreshold,
    };
    return { state: previous, evidence, result: null, warnings };
  }
  const lastCounts: number[] = [];
  const deltas = versions.map((version, i) => {
    const now = counts[i]!;
    const before = previous.lastCounts[version] ?? 0;
    if (now < before) {
      if (now < before / 2) {
        // A cumulative counter fell far: its source restarted, and what it shows now is new.
        warnings.push(`request count of ${version} went down (${before} → ${now}); treating it as restarted`);
        lastCounts.push(now);
        return now;
      }
      // A small dip is a query window sliding by a second (`${elapsedTime}` is whole seconds):
      // nothing new arrived, and the high mark stays so the same requests are not counted twice.
      lastCounts.push(before);
      return 0;
    }
    lastCounts.push(now);
    return now - before;
  });
  const units = deltas.reduce((s, d) => s + d, 0);
  const weightTotal = weightsInForce.reduce((s, w) => s + Math.max(0, w), 0);
  const zero = new Set(previous.zeroWeightTraffic);
  const state: SrmState = {
    lastCounts: Object.fromEntries(versions.map((v, i) => [v, lastCounts[i]!])),
    observed: Object.fromEntries(versions.map((v, i) => [v, (previous.observed[v] ?? 0) + deltas[i]!])),
    expected: Object.fromEntries(
      versions.map((v, i) => [
        v,
        (previous.expected[v] ?? 0) + (weightTotal > 0 ? (units * Math.max(0, weightsInForce[i] ?? 0)) / weightTotal : 0),
      ]),
    ),
    zeroWeightTraffic: [],
    periods: previous.periods + (units > 0 ? 1 : 0),
  };
  versions.forEach((v, i) => {
    if (deltas[i]! > 0 && !((weightsInForce[i] ?? 0) > 0)) zero.add(v);
  });
  state.zeroWeightTraffic = versions.filter((v) => zero.has(v));
  const result = srmFromExpected(observedOf(state), expectedOf(state), {
    threshold: lookThreshold,
    zeroWeightTraffic: state.zeroWeightTraffic.map((v) => versions.indexOf(v)),
  });
    const reason =
    result.status === "mismatch"
      ? state.zeroWeightTraffic.length > 0
        ? `traffic reached ${state.zeroWeightTraffic.join(", ")} while its weight was 0`
        : `traffic does not match the weights in force: chi-square ${describeNumber(result.chiSquare)} on ${result.dof} dof, p = ${describeNumber(result.pValue)} < ${describeNumber(lookThreshold)}${split}`
      : result.status === "insufficient-data"
        ? "too little traffic to judge (a version below 8 requests or an expected count below 5)"
        : `traffic matches the weights in force: p = ${describeNumber(result.pValue)} ≥ ${describeNumber(lookThreshold)}${split}`;
  const alarms = result.status === "mismatch" ? (previous.alarms ?? 0) + 1 : 0;
  state.alarms = alarms;
  const evidence: SrmEvidence = {
    status: result.status,
    reason,
    threshold,
    chiSquare: Number.isFinite(result.chiSquare) ? result.chiSquare : null,
    dof: result.dof,
    pValue: result.pValue,
    observed: Object.fromEntries(versions.map((v, i) => [v, result.observed[i]!])),
    expected: Object.fromEntries(versions.map((v, i) => [v, result.expected[i]!])),
    zeroWeightTraffic: [...state.zeroWeightTraffic],
    consecutiveAlarms: alarms,
    lookThreshold,
  };
  return { state, evidence, result, warnings };
}
