/**
 * Group-sequential boundaries with alpha spending (Lan & DeMets 1983) for an experiment whose
 * looks are planned: `plannedLooks` analyses (Iter8: `maxLoops × iterationsPerLoop`), the
 * information fraction of look l being l / plannedLooks.
 *
 * The z statistic of (candidate − baseline) is computed from cumulative data at every look, so
 * the z values of different looks are correlated: with information growing by one unit per look,
 * Corr(Z_i, Z_j) = √(i/j). A boundary is the z that spends exactly the alpha the spending function
 * allows at that look, given that the test did not stop at any earlier look. Those probabilities
 * come from the recursive numerical integration of Armitage, McPherson & Rowe (1969): the
 * sub-density of the score S_l = Z_l √l on the continuation region is carried from look to look
 * by convolving it with the normal increment and truncating it at the boundaries.
 *
 * Everything here depends only on the design (spending function, levels, planned looks) and on
 * which look indices were actually taken, never on data, so boundaries are computed once per
 * design and look pattern and remembered.
 */
import { normalPdf, normalQuantile, normalTails } from "./distributions";
import { StatisticsError } from "./statistics-error";

/** The alpha-spending functions. */
export const SpendingFunction = {
  /** Lan–DeMets O'Brien–Fleming-like: α(t) = 2 − 2Φ(z_{1−α/2} / √t); almost nothing early. */
  OBrienFleming: "obrien-fleming",
  /** Lan–DeMets Pocock-like: α(t) = α ln(1 + (e − 1) t); spends evenly, wider at the end. */
  Pocock: "pocock",
} as const;
/** One of the values of {@link SpendingFunction}. */
export type SpendingFunction = (typeof SpendingFunction)[keyof typeof SpendingFunction];

/**
 * One-sided alpha spent by information fraction t (t ≥ 1 spends all of `alpha`), in the forms
 * of Lan & DeMets (1983) as used with a one-sided level (the convention of common group-sequential
 * software): O'Brien–Fleming-like α(t) = 2 − 2Φ(z_{1−α/2} / √t), Pocock-like α(t) = α ln(1 + (e − 1) t).
 */
export function spentAlpha(spending: SpendingFunction, alpha: number, t: number): number {
  if (!(alpha > 0)) return 0;
  if (!(t > 0)) return 0;
  if (t >= 1) return alpha;
  if (spending === SpendingFunction.Pocock) return alpha * Math.log1p((Math.E - 1) * t);
  // Written through the upper tail so that tiny early spends keep their digits.
  return 2 * normalTails(normalQuantile(1 - alpha / 2) / Math.sqrt(t)).upper;
}

/** A design: one-sided levels of the two claims and how they are spent over the planned looks. */
export interface GroupSequentialDesign {
  spending: SpendingFunction;
  /** Chance of crossing the upper boundary under the null (the "candidate is better" claim). */
  alphaUpper: number;
  /** Chance of crossing the lower boundary under the null (the "baseline is better" claim). */
  alphaLower: number;
  plannedLooks: number;
}

/** The boundaries of one look, in z. `Infinity` = no alpha left on that side: no call possible. */
export interface LookBoundary {
  look: number;
  upper: number;
  lower: number;
  /** Cumulative one-sided alpha spent on each side up to and including this look. */
  spentUpper: number;
  spentLower: number;
}

/** Beyond this many standard deviations the sub-densities are taken to be 0. */
const Z_LIMIT = 9;
/** Simpson nodes per look (odd). 61 nodes reproduce published boundaries to 1e-3. */
const NODES = 61;

/** The sub-density of the score on the continuation region of the last look, on a grid. */
interface Density {
  look: number;
  points: Float64Array;
  /** density × Simpson weight at each point. */
  mass: Float64Array;
}

function grid(from: number, to: number): { points: Float64Array; weights: Float64Array } {
  const points = new Float64Array(NODES);
  const weights = new Float64Array(NODES);
  const h = (to - from) / (NODES - 1);
  for (let i = 0; i < NODES; i++) {
    points[i] = from + i * h;
    weights[i] = (h / 3) * (i === 0 || i === NODES - 1 ? 1 : i % 2 === 1 ? 4 : 2);
  }
  return { points, weights };
}

/**
 * Probability of crossing upward (`side` +1: Z_look ≥ c) or downward (−1: Z_look ≤ −c) at `look`
 * without having stopped before, and its derivative in c.
 */
function crossing(previous: Density | null, look: number, c: number, side: 1 | -1): { p: number; dp: number } {
  const root = Math.sqrt(look);
  if (previous === null) {
    const tail = normalTails(c).upper;
    return { p: tail, dp: -normalPdf(c) };
  }
  const sd = Math.sqrt(look - previous.look);
  let p = 0;
  let dp = 0;
  for (let i = 0; i < previous.points.length; i++) {
    const m = previous.mass[i]!;
    if (m === 0) continue;
    // Distance of the boundary from this point, in increment standard deviations.
    const x = (c * root - side * previous.points[i]!) / sd;
    p += m * normalTails(x).upper;
    dp -= (m * normalPdf(x) * root) / sd;
  }
  return { p, dp };
}

/** The c whose crossing probability is `target` (monotone decreasing in c). */
function solveBoundary(previous: Density | null, look: number, target: number, side: 1 | -1): number {
  if (!(target > 0)) return Number.POSITIVE_INFINITY;
  const at = (c: number) => crossing(previous, look, c, side);
  if (at(0).p <= target) return 0;
  let lo = 0;
  let hi = 40;
  if (at(hi).p > target) return hi;
  let c = normalQuantile(1 - Math.min(0.5, target));
  if (!(c > lo && c < hi)) c = (lo + hi) / 2;
  for (let step = 0; step < 200; step++) {
    const { p, dp } = at(c);
    // Work on log p: tiny early spends (1e-12 and less) are then as well resolved as large ones.
    const f = Math.log(p) - Math.log(target);
    if (Math.abs(f) < 1e-10) return c;
    if (f > 0) lo = c;
    else hi = c;
    const slope = dp / p;
    let next = slope < 0 && Number.isFinite(slope) ? c - f / slope : Number.NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (hi - lo < 1e-12) return next;
    c = next;
  }
  return c;
}

/** Carries the sub-density through one more look, truncated at that look's boundaries. */
function advance(previous: Density | null, look: number, upper: number, lower: number): Density {
  const root = Math.sqrt(look);
  const to = Math.min(upper, Z_LIMIT) * root;
  const from = -Math.min(lower, Z_LIMIT) * root;
  const { points, weights } = grid(from, to);
  const mass = new Float64Array(NODES);
  if (previous === null) {
    for (let i = 0; i < NODES; i++) mass[i] = (weights[i]! * normalPdf(points[i]! / root)) / root;
    return { look, points, mass };
  }
  const sd = Math.sqrt(look - previous.look);
  for (let i = 0; i < NODES; i++) {
    let density = 0;
    const s = points[i]!;
    for (let j = 0; j < previous.points.length; j++) {
      const m = previous.mass[j]!;
      if (m !== 0) density += m * normalPdf((s - previous.points[j]!) / sd);
    }
    mass[i] = (weights[i]! * density) / sd;
  }
  return { look, points, mass };
}

function checkDesign(design: GroupSequentialDesign, looks: readonly number[]): void {
  const { alphaUpper, alphaLower, plannedLooks, spending } = design;
  if (!(Number.isInteger(plannedLooks) && plannedLooks >= 1)) {
    throw new StatisticsError("invalid_input", `plannedLooks must be a whole number ≥ 1 (got ${plannedLooks})`);
  }
  for (const [name, value] of [["alphaUpper", alphaUpper], ["alphaLower", alphaLower]] as const) {
    if (!(value >= 0 && value < 0.5)) throw new StatisticsError("invalid_input", `${name} must lie in [0, 0.5) (got ${value})`);
  }
  if (spending !== SpendingFunction.OBrienFleming && spending !== SpendingFunction.Pocock) {
    throw new StatisticsError("invalid_input", `spending must be obrien-fleming or pocock (got ${String(spending)})`);
  }
  looks.forEach((look, i) => {
    if (!(Number.isInteger(look) && look >= 1 && (i === 0 || look > looks[i - 1]!))) {
      throw new StatisticsError("invalid_input", `looks must be increasing whole numbers ≥ 1 (got ${looks.join(", ")})`);
    }
  });
}

/** Boundaries of a look pattern, and the sub-density after its last look (to extend it). */
interface Remembered {
  boundaries: LookBoundary[];
  density: Density | null;
}
const remembered = new Map<string, Remembered>();
const REMEMBERED_MAX = 2048;

/**
 * The boundaries of the looks actually taken (`looks`: increasing look indices, 1-based; looks
 * skipped in between simply merge their information into the next one, whose spending then
 * includes theirs). Looks past `plannedLooks` have no alpha left: their boundaries are infinite.
 *
 * Continuation region at look l: lower < Z_l < upper, i.e. −lower < Z < upper with `lower`
 * reported as a positive number. A design with a level of 0 on a side never crosses that side.
 * Each look pattern is remembered with its sub-density, so the next look extends it by one step.
 */
export function groupSequentialBoundaries(design: GroupSequentialDesign, looks: readonly number[]): LookBoundary[] {
  checkDesign(design, looks);
  const prefix = `${design.spending}|${design.alphaUpper}|${design.alphaLower}|${design.plannedLooks}|`;
  if (looks.length === 0) return [];
  const known = remembered.get(prefix + looks.join(","));
  if (known) return known.boundaries;
  const keys = looks.map((_, i) => prefix + looks.slice(0, i + 1).join(","));
  // The longest pattern already worked out that this one extends.
  let from = keys.length - 1;
  while (from > 0 && !remembered.has(keys[from - 1]!)) from--;
  const start = from > 0 ? remembered.get(keys[from - 1]!)! : { boundaries: [], density: null };
  const out: LookBoundary[] = [...start.boundaries];
  let density: Density | null = start.density;
  let spentUpper = out.at(-1)?.spentUpper ?? 0;
  let spentLower = out.at(-1)?.spentLower ?? 0;
  for (let i = from; i < looks.length; i++) {
    const look = looks[i]!;
    const t = look / design.plannedLooks;
    const nextUpper = spentAlpha(design.spending, design.alphaUpper, t);
    const nextLower = spentAlpha(design.spending, design.alphaLower, t);
    const upper = solveBoundary(density, look, nextUpper - spentUpper, 1);
    const lower = solveBoundary(density, look, nextLower - spentLower, -1);
    // What is actually spent (a boundary capped at 0 or at 40 spends a little less).
    spentUpper += Number.isFinite(upper) ? crossing(density, look, upper, 1).p : 0;
    spentLower += Number.isFinite(lower) ? crossing(density, look, lower, -1).p : 0;
    out.push({ look, upper, lower, spentUpper, spentLower });
    density = advance(density, look, upper, lower);
    if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value!);
    remembered.set(keys[i]!, { boundaries: [...out], density });
  }
  return out;
}

/**
 * Chance that a cumulative z statistic crosses the boundaries at some look when it has drift
 * `drift` per unit of information (drift × √l is E[Z_l]): the power of the design for an effect,
 * or with drift 0 its overall false-call rate. Returns the upper and lower crossing chances.
 */
export function crossingProbabilities(
  boundaries: readonly LookBoundary[],
  drift = 0,
): { upper: number; lower: number } {
  // Shifting the score by drift × l turns a drifting walk into a driftless one with moving
  // boundaries; the recursion below handles that with per-look offsets.
  let upper = 0;
  let lower = 0;
  let previous: Density | null = null;
  for (const b of boundaries) {
    const shift = drift * b.look;
    const root = Math.sqrt(b.look);
    const up = Number.isFinite(b.upper) ? (b.upper * root - shift) / root : Number.POSITIVE_INFINITY;
    const down = Number.isFinite(b.lower) ? (b.lower * root + shift) / root : Number.POSITIVE_INFINITY;
    if (Number.isFinite(up)) upper += crossing(previous, b.look, up, 1).p;
    if (Number.isFinite(down)) lower += crossing(previous, b.look, down, -1).p;
    previous = advance(previous, b.look, up, down);
  }
  return { upper, lower };
}

/**
 * The constant boundary c with which `looks` equally spaced looks (two-sided, symmetric) cross
 * with total chance `alpha`, optionally shaped as c·√(K/l) (O'Brien & Fleming 1979) instead of
 * flat (Pocock 1977). Used to check the recursion against the classical tables.
 */
export function classicalBoundary(shape: "pocock" | "obrien-fleming", looks: number, alpha: number): number {
  const indices = Array.from({ length: looks }, (_, i) => i + 1);
  const total = (c: number) => {
    const bounds = indices.map((l) => {
      const z = shape === "pocock" ? c : c * Math.sqrt(looks / l);
      return { look: l, upper: z, lower: z, spentUpper: 0, spentLower: 0 };
    });
    const { upper, lower } = crossingProbabilities(bounds);
    return upper + lower;
  };
  let lo = 0.5;
  let hi = 8;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (total(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
