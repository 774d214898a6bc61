/** The Wilson score interval of a binomial proportion (Brown, Cai & DasGupta 2001 recommend it for small counts). */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** "3.1 % [2.2–4.4]": a count out of `trials` as a percentage with its 95 % Wilson interval. */
export function formatRate(successes: number, trials: number): string {
  const [lo, hi] = wilsonInterval(successes, trials);
  const pct = (x: number) => (100 * x).toFixed(1);
  return `${pct(successes / trials)} % [${pct(lo)}–${pct(hi)}]`;
}
