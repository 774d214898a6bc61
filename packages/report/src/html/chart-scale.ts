/** A linear map from a data interval onto a pixel interval. */
export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/**
 * Maps `domain` linearly onto `range` (either may be reversed, as a y axis is). A domain of one
 * point maps everything to the middle of the range rather than dividing by zero.
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = ((value: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0))) as LinearScale;
  Object.defineProperty(scale, "domain", { value: [d0, d1] as const });
  Object.defineProperty(scale, "range", { value: [r0, r1] as const });
  return scale;
}

/** Ticks of an axis and the interval they cover. */
export interface AxisTicks {
  /** The axis runs from `min` to `max`, both multiples of `step` that enclose the data. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
  /** Decimals that show every tick exactly (0 for whole steps). */
  decimals: number;
}

/** The step among 1, 2, 2.5 and 5 × 10^k closest to `rough` from above. */
function niceStep(rough: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function decimalsOf(step: number): number {
  if (step >= 1 && Number.isInteger(step)) return 0;
  // 2.5 × 10^-k needs one decimal more than 10^-k.
  for (let d = 0; d <= 12; d++) {
    const scaled = step * Math.pow(10, d);
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/**
 * Round-numbered ticks enclosing `[lo, hi]`, about `target` of them. A flat interval (one value,
 * or all points equal) is widened so the line sits mid-chart instead of on an edge.
 * @param integer only whole-number steps (iteration axes).
 */
export function niceTicks(lo: number, hi: number, target = 5, integer = false): AxisTicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  let step = niceStep((hi - lo) / Math.max(1, target));
  if (integer) step = Math.max(1, Math.ceil(step));
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const decimals = decimalsOf(step);
  const ticks: number[] = [];
  const count = Math.round((max - min) / step);
  for (let i = 0; i <= count; i++) ticks.push(Number((min + i * step).toFixed(decimals)));
  return { min: ticks[0] ?? min, max: ticks[ticks.length - 1] ?? max, step, ticks, decimals };
}
