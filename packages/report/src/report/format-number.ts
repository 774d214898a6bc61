/**
 * Writes a metric value for people: whole numbers as they are, others with up to six
 * significant digits and no trailing zeros (`0.1 + 0.2` → `0.3`, `1234.5678` → `1234.57`).
 * Non-finite values, which JSON cannot carry, read as `—`.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  // Large values keep every whole digit: `1234567.891` → `1234567.9`, not `1.23457e+6`.
  if (abs >= 1e5 && abs < 1e15) return value.toFixed(1).replace(/\.0$/, "");
  if (abs >= 1e-4) {
    const text = value.toPrecision(6);
    // Only a fraction has zeros to trim: `99999.95` rounds to `100000`, which must stay.
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }
  return value.toExponential(3).replace(/\.?0+e/, "e");
}
