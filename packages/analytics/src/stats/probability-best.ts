/**
 * Probability that each version is the best, and the expected loss of choosing it, from the
 * versions' posteriors, by deterministic quadrature (the same input always gives the same
 * answer, to about 1e-12).
 *
 * P(best)_i = ∫ f_i(x) ∏_{j≠i} G_j(x) dx, with G = F (higher is better) or 1 − F (lower is better);
 * expected loss_i = E[best] − E[X_i] = ∫ (G_i − ∏_j G_j) dx, in the metric's own units.
 *
 * The integration window is split into panels that are narrow (1.5 standard deviations, 12 nodes) near
 * each posterior's mass and widen geometrically away from it, so that a posterior from a million
 * requests and one from a hundred are both resolved in the same pass. Each posterior's CDF at the
 * nodes is the running integral of its density on the same panels, normalised to total mass 1.
 */
import { gaussLegendre } from "./gauss-legendre";
import { StatisticsError } from "./statistics-error";
import { lnBeta } from "./special-functions";
import { studentTQuantile } from "./distributions";
import { posteriorMean, posteriorSd, type BetaPosterior, type Posterior } from "./posterior";

/** Which way a metric is better. */
export type Direction = "High" | "Low";

/** P(best) and expected loss per version, in input order. */
export interface ArmComparison {
  /** P(version i is the best), summing to 1. */
  probabilityBest: number[];
  /** E[best] − E[X_i] (higher is better) or E[X_i] − E[best] (lower is better), ≥ 0. */
  expectedLoss: number[];
}

const NODES_PER_PANEL = 12;
/** Panel width near a posterior's centre, in its standard deviations. */
const CORE_WIDTH = 1.5;
/** Away from the centre a panel spans at most this fraction of the distance to it. */
const GROWTH = 0.3;
const MAX_PANELS = 20_000;

interface Arm {
  mean: number;
  sd: number;
  lo: number;
  hi: number;
  /**
   * ln density at node i up to a constant (the CDF is normalised afterwards). `logX` and
   * `log1mX` hold ln x and ln(1 − x) at the nodes, shared by every Beta arm.
   */
  logDensity: (x: number, logX: number, log1mX: number) => number;
}

function armOf(posterior: Posterior, index: number): Arm {
  const mean = posteriorMean(posterior);
  const sd = posteriorSd(posterior);
  if (!(sd > 0) || !Number.isFinite(mean) || !Number.isFinite(sd)) {
    throw new StatisticsError(
      "invalid_input",
      `posterior ${index} has no spread (mean ${mean}, sd ${sd}); a version needs observations with some variation before it can be compared`,
    );
  }
  switch (posterior.family) {
    case "beta": {
      const { alpha: a, beta: b } = posterior;
      if (!(a > 0 && b > 0)) {
        throw new StatisticsError("invalid_input", `posterior ${index}: Beta parameters must be positive (got ${a}, ${b})`);
      }
      // A Beta's far tail is Gamma-like: exponential when a parameter is near 1 (36 standard
      // deviations reach e^-37), close to normal when both are large (9.5 reach e^-45).
      const reach = Math.min(36, 9.5 + 30 / Math.sqrt(Math.min(a, b)));
      return {
        mean,
        sd,
        lo: Math.max(0, mean - reach * sd),
        hi: Math.min(1, mean + reach * sd),
        logDensity: (_x, logX, log1mX) => (a - 1) * logX + (b - 1) * log1mX,
      };
    }
    case "normal": {
      const s = posterior.sd;
      return {
        mean,
        sd,
        lo: mean - 9.5 * s,
        hi: mean + 9.5 * s,
        logDensity: (x) => {
          const z = (x - mean) / s;
          return -0.5 * z * z;
        },
      };
    }
    case "student-t": {
      const { dof, location, scale } = posterior;
      // The lower quantile: 1 − 1e-17 would round to 1 and give an infinite reach.
      const reach = -scale * studentTQuantile(1e-17, dof);
      return {
        mean,
        sd,
        lo: location - reach,
        hi: location + reach,
        logDensity: (x) => {
          const z = (x - location) / scale;
          return -((dof + 1) / 2) * Math.log1p((z * z) / dof);
        },
      };
    }
  }
}

/** Panel boundaries: narrow near every posterior's centre, geometrically wider away from all. */
function panelBoundaries(arms: readonly Arm[]): number[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const arm of arms) {
    lo = Math.min(lo, arm.lo);
    hi = Math.max(hi, arm.hi);
  }
  const bounds = [lo];
  let x = lo;
  while (x < hi) {
    let width = Number.POSITIVE_INFINITY;
    for (const arm of arms) width = Math.min(width, Math.max(CORE_WIDTH * arm.sd, GROWTH * Math.abs(x - arm.mean)));
    x = Math.min(hi, x + width);
    // Guards against a width lost to rounding far from the origin.
    if (x <= bounds[bounds.length - 1]!) break;
    bounds.push(x);
    if (bounds.length > MAX_PANELS) {
      throw new StatisticsError("invalid_input", "posteriors are too far apart relative to their spread to compare");
    }
  }
  return bounds;
}

/**
 * P(best) and expected loss for every version from its posterior. All posteriors describe the same
 * metric; `direction` says whether higher or lower values are better.
 */
export function compareArms(posteriors: readonly Posterior[], direction: Direction = "High"): ArmComparison {
  const k = posteriors.length;
  if (k === 0) return { probabilityBest: [], expectedLoss: [] };
  if (k === 1) return { probabilityBest: [1], expectedLoss: [0] };
  const arms = posteriors.map(armOf);
  const bounds = panelBoundaries(arms);
  const rule = gaussLegendre(NODES_PER_PANEL);
  const n = NODES_PER_PANEL;
  const panels = bounds.length - 1;
  const total = panels * n;
  const xs = new Float64Array(total);
  const dx = new Float64Array(total);
  const logX = new Float64Array(total);
  const log1mX = new Float64Array(total);
  const anyBeta = posteriors.some((posterior) => posterior.family === "beta");
  for (let p = 0; p < panels; p++) {
    const left = bounds[p]!;
    const half = 0.5 * (bounds[p + 1]! - left);
    for (let m = 0; m < n; m++) {
      const x = left + half * (rule.nodes[m]! + 1);
      xs[p * n + m] = x;
      dx[p * n + m] = half * rule.weights[m]!;
      if (anyBeta) {
        logX[p * n + m] = Math.log(x);
        log1mX[p * n + m] = Math.log1p(-x);
      }
    }
  }

  // Density and CDF of every arm at every node (arm-major).
  const density = new Float64Array(k * total);
  const cdf = new Float64Array(k * total);
  const f = new Float64Array(n);
  const cumulative = rule.cumulative;
  const weights = rule.weights;
  for (let j = 0; j < k; j++) {
    const arm = arms[j]!;
    const base = j * total;
    // Shift the log density by its value at the mean so exp() neither overflows nor underflows.
    const offset = arm.logDensity(arm.mean, Math.log(arm.mean), Math.log1p(-arm.mean));
    let running = 0;
    for (let p = 0; p < panels; p++) {
      const half = 0.5 * (bounds[p + 1]! - bounds[p]!);
      const start = p * n;
      let panelMass = 0;
      for (let m = 0; m < n; m++) {
        const i = start + m;
        const v = Math.exp(arm.logDensity(xs[i]!, logX[i]!, log1mX[i]!) - offset);
        const value = v < Number.POSITIVE_INFINITY ? v : 0;
        f[m] = value;
        density[base + i] = value;
        panelMass += weights[m]! * value;
      }
      if (panelMass === 0) {
        // Nothing of this arm here: its CDF is flat across the panel.
        for (let m = 0; m < n; m++) cdf[base + start + m] = running;
        continue;
      }
      for (let m = 0; m < n; m++) {
        let acc = 0;
        const row = m * n;
        for (let q = 0; q < n; q++) acc += cumulative[row + q]! * f[q]!;
        cdf[base + start + m] = running + half * acc;
      }
      running += half * panelMass;
    }
    const inverseMass = 1 / running;
    for (let i = 0; i < total; i++) {
      density[base + i] = density[base + i]! * inverseMass;
      const c = cdf[base + i]! * inverseMass;
      cdf[base + i] = c > 1 ? 1 : c;
    }
  }

  const probabilityBest = new Array<number>(k).fill(0);
  const expectedLoss = new Array<number>(k).fill(0);
  const g = new Float64Array(k);
  const prefix = new Float64Array(k + 1);
  const suffix = new Float64Array(k + 1);
  const high = direction === "High";
  for (let i = 0; i < total; i++) {
    for (let j = 0; j < k; j++) {
      const c = cdf[j * total + i]!;
      g[j] = high ? c : 1 - c;
    }
    prefix[0] = 1;
    for (let j = 0; j < k; j++) prefix[j + 1] = prefix[j]! * g[j]!;
    suffix[k] = 1;
    for (let j = k - 1; j >= 0; j--) suffix[j] = suffix[j + 1]! * g[j]!;
    const all = prefix[k]!;
    const w = dx[i]!;
    for (let j = 0; j < k; j++) {
      probabilityBest[j]! += w * density[j * total + i]! * prefix[j]! * suffix[j + 1]!;
      expectedLoss[j]! += w * (g[j]! - all);
    }
  }
  return {
    probabilityBest: probabilityBest.map((p) => Math.min(1, Math.max(0, p))),
    expectedLoss: expectedLoss.map((l) => Math.max(0, l)),
  };
}

/** P(version i is the best) for every version; see {@link compareArms}. */
export function probabilityBest(posteriors: readonly Posterior[], direction: Direction = "High"): number[] {
  return compareArms(posteriors, direction).probabilityBest;
}

/** Expected loss of choosing each version, in the metric's units; see {@link compareArms}. */
export function expectedLoss(posteriors: readonly Posterior[], direction: Direction = "High"): number[] {
  return compareArms(posteriors, direction).expectedLoss;
}

/**
 * P(p_B > p_A) for two Beta posteriors in closed form, valid when `b.alpha` is a whole number:
 * Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A)).
 * Exact but O(α_B); useful to check the quadrature and for small counts.
 */
export function probabilityBetaGreater(a: BetaPosterior, b: BetaPosterior): number {
  if (!Number.isInteger(b.alpha) || b.alpha < 1) {
    throw new StatisticsError("invalid_input", `the closed form needs a whole-number alpha for the second Beta (got ${b.alpha})`);
  }
  // term_0 = B(α_A, β_A + β_B) / B(α_A, β_A); successive terms differ by a rational factor. The
  // terms are summed in log space because the first ones can underflow while later ones matter.
  const logTerms = new Float64Array(b.alpha);
  let logTerm = lnBeta(a.alpha, a.beta + b.beta) - lnBeta(a.alpha, a.beta);
  let largest = Number.NEGATIVE_INFINITY;
  const total = a.alpha + a.beta + b.beta;
  for (let i = 0; i < b.alpha; i++) {
    logTerms[i] = logTerm;
    largest = Math.max(largest, logTerm);
    logTerm += Math.log(((a.alpha + i) * (b.beta + i)) / ((total + i) * (1 + i)));
  }
  let scaled = 0;
  for (let i = 0; i < b.alpha; i++) scaled += Math.exp(logTerms[i]! - largest);
  const sum = Math.exp(largest) * scaled;
  return Math.min(1, sum);
}
