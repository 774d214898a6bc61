import { parseQuantity, type Quantity } from "@iter8ts/types";

const NANOS_PER_MILLI = 1_000_000n;

/**
 * Writes a quantity as a plain decimal with exactly three decimals, rounded toward +∞
 * (`1k` → `1000.000`, `10m` → `0.010`, `0.0004` → `0.001`, `-1.2345` → `-1.234`,
 * `-0.0004` → `0.000`). Rounding up means a displayed value is never below the stored one,
 * which is the safe side for upper limits; the arithmetic is exact (no floating point).
 * @throws QuantityError when the input is not a quantity.
 */
export function formatDecimal(input: Quantity): string {
  const { nanos } = parseQuantity(input);
  // BigInt division truncates toward zero, which already is toward +∞ for negative values.
  let millis = nanos / NANOS_PER_MILLI;
  if (nanos > 0n && nanos % NANOS_PER_MILLI !== 0n) millis += 1n;
  const negative = millis < 0n;
  const abs = negative ? -millis : millis;
  const whole = abs / 1000n;
  const frac = (abs % 1000n).toString().padStart(3, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}
