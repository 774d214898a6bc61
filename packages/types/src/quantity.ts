/**
 * Kubernetes resource quantities (`50`, `"0.01"`, `10m`, `1k`, `1Ki`, `1e3`,
 * `419202728239n`), as objective limits and metric values are stored in the API.
 *
 * Values are held exactly as a count of nano-units (BigInt) so that formatting
 * reproduces what the API server stores: values are rounded up to a whole
 * nano-unit and written with the largest SI suffix that keeps an integer mantissa
 * (`21.7639` → `21763900u`, `0.001` → `1m`, `1000` → `1k`).
 */

/** The three spellings the API server keeps when it canonicalises a quantity. */
export const QuantityFormat = {
  DecimalSI: "DecimalSI",
  BinarySI: "BinarySI",
  DecimalExponent: "DecimalExponent",
} as const;
/** A quantity format. */
export type QuantityFormat = (typeof QuantityFormat)[keyof typeof QuantityFormat];

/** A quantity as it appears in a document: a JSON number or a quantity string. */
export type Quantity = number | string;

/** A parsed quantity: an exact value in nano-units and the format it was written in. */
export interface ParsedQuantity {
  /** The value times 10^9, rounded toward +∞ as the API server rounds. */
  nanos: bigint;
  format: QuantityFormat;
}

/** The syntax the API server accepts for a quantity string. */
export const QUANTITY_PATTERN = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const NANO_DIGITS = 9;

/** Thrown by {@link parseQuantity} for text that is not a quantity. */
export class QuantityError extends Error {
  override readonly name = "QuantityError";
  readonly code = "invalid_quantity" as const;
  constructor(readonly input: unknown) {
    super(
      `${JSON.stringify(input)} is not a Kubernetes quantity; write a number such as 50, "0.01", "250m", "1k" or "1Ki"`,
    );
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Scales sign·digits·10^exp to nano-units, rounding up. */
function toNanos(negative: boolean, digits: bigint, exp10: number): bigint {
  const shift = exp10 + NANO_DIGITS;
  let value: bigint;
  if (shift >= 0) value = digits * 10n ** BigInt(shift);
  else value = negative ? digits / 10n ** BigInt(-shift) : ceilDiv(digits, 10n ** BigInt(-shift));
  // Rounding toward +∞: a negative value is truncated toward zero, a positive one rounded up.
  return negative ? -value : value;
}

/** Splits a plain decimal number string into its digits and power of ten. */
function decimalParts(text: string): { negative: boolean; digits: bigint; exp10: number } {
  let s = text;
  let negative = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    negative = s.startsWith("-");
    s = s.slice(1);
  }
  const [whole = "", frac = ""] = s.split(".");
  const digits = BigInt((whole + frac).replace(/^0+(?=\d)/, "") || "0");
  return { negative, digits, exp10: -frac.length };
}

/**
 * Parses a quantity (a JSON number or a quantity string) exactly.
 * @throws QuantityError when the input is not a valid quantity.
 */
export function parseQuantity(input: Quantity): ParsedQuantity {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(input);
    // Numbers are read through their shortest round-trip spelling, so 21.7639 stays 21.7639.
    const text = String(input);
    const m = /^(-?[0-9.]+)(?:e([+-]?[0-9]+))?$/.exec(text);
    if (!m) throw new QuantityError(input);
    const parts = decimalParts(m[1]!);
    return { nanos: toNanos(parts.negative, parts.digits, parts.exp10 + Number(m[2] ?? 0)), format: "DecimalSI" };
  }
  if (typeof input !== "string") throw new QuantityError(input);
  const m = QUANTITY_PATTERN.exec(input);
  if (!m) throw new QuantityError(input);
  const parts = decimalParts(m[1]!);
  const suffix = m[2] ?? "";
  if (suffix in binarySuffixes) {
    const power = 1024n ** BigInt(binarySuffixes[suffix]!);
    const nanos = toNanos(parts.negative, parts.digits * power, parts.exp10);
    return { nanos, format: "BinarySI" };
  }
  if (suffix in decimalSuffixes) {
    return { nanos: toNanos(parts.negative, parts.digits, parts.exp10 + decimalSuffixes[suffix]!), format: "DecimalSI" };
  }
  const exp = Number(suffix.slice(1));
  return { nanos: toNanos(parts.negative, parts.digits, parts.exp10 + exp), format: "DecimalExponent" };
}

/** True when the input parses as a quantity. */
export function isQuantity(input: unknown): input is Quantity {
  if (typeof input !== "number" && typeof input !== "string") return false;
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

/** The value of a quantity as a JavaScript number. */
export function quantityToNumber(input: Quantity): number {
  const { nanos } = parseQuantity(input);
  const whole = nanos / 1_000_000_000n;
  const frac = nanos % 1_000_000_000n;
  return Number(whole) + Number(frac) / 1e9;
}

function decimalCanonical(nanos: bigint, exponentStyle: boolean): string {
  if (nanos === 0n) return "0";
  const negative = nanos < 0n;
  let mantissa = negative ? -nanos : nanos;
  let exp = -NANO_DIGITS;
  while (mantissa % 1000n === 0n && exp < 18) {
    mantissa /= 1000n;
    exp += 3;
  }
  const sign = negative ? "-" : "";
  if (exponentStyle) return `${sign}${mantissa}${exp === 0 ? "" : `e${exp}`}`;
  const suffix = Object.entries(decimalSuffixes).find(([, e]) => e === exp)![0];
  return `${sign}${mantissa}${suffix}`;
}

/**
 * Formats a quantity the way the API server stores it. Numbers are written in the
 * decimal SI form; strings keep their own format (binary suffixes stay binary where
 * the value is a whole multiple of 1024, as Kubernetes does).
 */
export function formatQuantity(input: Quantity | ParsedQuantity): string {
  const { nanos, format } = typeof input === "object" ? input : parseQuantity(input);
  if (format === "BinarySI") {
    const unit = 1_000_000_000n;
    const abs = nanos < 0n ? -nanos : nanos;
    if (abs % unit === 0n && abs >= 1024n * unit) {
      let mantissa = abs / unit;
      let power = 0;
      while (mantissa % 1024n === 0n && power < 6) {
        mantissa /= 1024n;
        power += 1;
      }
      const suffix = Object.entries(binarySuffixes).find(([, p]) => p === power)?.[0] ?? "";
      return `${nanos < 0n ? "-" : ""}${mantissa}${suffix}`;
    }
    return decimalCanonical(nanos, false);
  }
  return decimalCanonical(nanos, format === "DecimalExponent");
}

/** Formats a JavaScript number as a canonical decimal SI quantity (`0.001` → `1m`). */
export function numberToQuantity(value: number): string {
  return formatQuantity(value);
}
