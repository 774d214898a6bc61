import { AnalyticsError } from "./analytics-error";

/**
 * A small deterministic random source, so that anything analytics draws (mock metric values)
 * is the same every time for the same inputs. Not for cryptography.
 */

/** A function returning uniform numbers in [0, 1). */
export type RandomSource = () => number;

/** FNV-1a over the UTF-16 code units of `text`, mixed once more so that close strings diverge. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * A uniform random source seeded from a string (mulberry32 generator, 2^32 period). Equal seeds
 * give equal sequences on every platform.
 */
export function seededRandom(seed: string): RandomSource {
  let state = hashString(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function sampleNormal(random: RandomSource): number {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A Gamma(shape, 1) draw (Marsaglia–Tsang; shapes below 1 are boosted by a uniform power).
 * @throws AnalyticsError `invalid_argument` when `shape` is not a finite positive number.
 */
export function sampleGamma(random: RandomSource, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new AnalyticsError("invalid_argument", `sampleGamma needs a finite positive shape, got ${shape}`);
  }
  if (shape < 1) return sampleGamma(random, shape + 1) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Beta(alpha, beta) draw, as the share of one Gamma draw in the sum of two.
 * @throws AnalyticsError `invalid_argument` when a parameter is not a finite positive number.
 */
export function sampleBeta(random: RandomSource, alpha: number, beta: number): number {
  const x = sampleGamma(random, alpha);
  const y = sampleGamma(random, beta);
  return x / (x + y);
}
