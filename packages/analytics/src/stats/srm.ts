/**
 * Sample ratio mismatch: does the traffic each version received fit the weights that were in
 * force? Pearson's chi-square goodness of fit, with expected counts accumulated period by period
 * because weights change during a progressive rollout (testing cumulative counts against the
 * latest weights alone raises false alarms).
 */
import { chiSquareTails } from "./distributions";
import { StatisticsError } from "./statistics-error";

/** The outcome of an SRM check. */
export const SrmStatus = {
  /** Traffic fits the weights. */
  Ok: "ok",
  /** Traffic does not fit the weights (p below the threshold, or traffic on a 0-weight version). */
  Mismatch: "mismatch",
  /** Too few units to judge (a version below 8 units or an expected count below 5). */
  InsufficientData: "insufficient-data",
} as const;
/** One of the values of {@link SrmStatus}. */
export type SrmStatus = (typeof SrmStatus)[keyof typeof SrmStatus];

/** Result of an SRM check; arrays are in version order. */
export interface SrmResult {
  status: SrmStatus;
  observed: number[];
  expected: number[];
  chiSquare: number;
  dof: number;
  pValue: number;
  /** Versions (by index) that received traffic while their weight was 0. */
  zeroWeightTraffic: number[];
}

/** One period during which the same weights were in force. */
export interface SrmPeriod {
  /** Units (requests, users) that arrived in the period. */
  units: number;
  /** The weights in force (any positive scale; normalised per period). */
  weights: readonly number[];
  /** Per-version units of this period, when known: lets traffic on a 0-weight version be caught. */
  counts?: readonly number[];
}

/** Options of the SRM checks. */
export interface SrmOptions {
  /** Flag a mismatch below this p-value (default 0.001). */
  threshold?: number;
  /** A version with positive expected traffic needs at least this many units (default 8). */
  minUnits?: number;
  /** Every positive expected count must reach this (default 5). */
  minExpected?: number;
}

/** Expected counts Σ_t N_t w_{t,i} / Σ_j w_{t,j} over the periods. */
export function srmExpectedCounts(periods: readonly SrmPeriod[], versions: number): number[] {
  const expected = new Array<number>(versions).fill(0);
  for (const period of periods) {
    if (period.weights.length !== versions) {
      throw new StatisticsError("invalid_input", `a period has ${period.weights.length} weights for ${versions} versions`);
    }
    const total = period.weights.reduce((s, w) => s + Math.max(0, w), 0);
    if (!(total > 0)) continue;
    for (let i = 0; i < versions; i++) expected[i]! += (period.units * Math.max(0, period.weights[i]!)) / total;
  }
  return expected;
}

/**
 * Chi-square test of observed counts against expected counts. Versions with no expected traffic
 * do not add a degree of freedom; any traffic they received is a mismatch by itself.
 */
export function srmFromExpected(
  observed: readonly number[],
  expected: readonly number[],
  options: SrmOptions & { zeroWeightTraffic?: readonly number[] } = {},
): SrmResult {
  const threshold = options.threshold ?? 0.001;
  const minUnits = options.minUnits ?? 8;
  const minExpected = options.minExpected ?? 5;
  const zeroWeightTraffic = new Set(options.zeroWeightTraffic ?? []);
  let chiSquare = 0;
  let active = 0;
  let insufficient = false;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] ?? 0;
    const e = expected[i] ?? 0;
    if (e > 0) {
      active += 1;
      chiSquare += ((o - e) * (o - e)) / e;
      if (o < minUnits || e < minExpected) insufficient = true;
    } else if (o > 0) {
      zeroWeightTraffic.add(i);
    }
  }
  const dof = Math.max(active - 1, 0);
  const total = observed.reduce((s, o) => s + o, 0);
  const zero = [...zeroWeightTraffic].sort((x, y) => x - y);
  // Traffic where none was sent is a mismatch outright, whatever the other versions show.
  const pValue = zero.length > 0 ? 0 : total === 0 || dof === 0 ? 1 : chiSquareTails(chiSquare, dof).upper;
  const status: SrmStatus =
    zero.length > 0
      ? SrmStatus.Mismatch
      : insufficient || total === 0
        ? SrmStatus.InsufficientData
        : pValue < threshold
          ? SrmStatus.Mismatch
          : SrmStatus.Ok;
  return { status, observed: [...observed], expected: [...expected], chiSquare, dof, pValue, zeroWeightTraffic: zero };
}

/** SRM of observed per-version counts against one set of weights. */
export function srmTest(counts: readonly number[], weights: readonly number[], options: SrmOptions = {}): SrmResult {
  const units = counts.reduce((s, c) => s + c, 0);
  return srmTestPeriods([{ units, weights, counts }], counts, options);
}

/**
 * SRM of cumulative per-version counts against weights that changed over time: expected counts
 * are accumulated period by period ({@link srmExpectedCounts}).
 */
export function srmTestPeriods(
  periods: readonly SrmPeriod[],
  counts: readonly number[],
  options: SrmOptions = {},
): SrmResult {
  const expected = srmExpectedCounts(periods, counts.length);
  const zeroWeightTraffic: number[] = [];
  for (const period of periods) {
    if (!period.counts) continue;
    period.weights.forEach((w, i) => {
      if (!(w > 0) && (period.counts?.[i] ?? 0) > 0 && !zeroWeightTraffic.includes(i)) zeroWeightTraffic.push(i);
    });
  }
  return srmFromExpected(counts, expected, { ...options, zeroWeightTraffic });
}
