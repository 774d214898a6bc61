/** A number as reasons and messages show it: four significant digits, no exponent noise for 0. */
export function describeNumber(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
