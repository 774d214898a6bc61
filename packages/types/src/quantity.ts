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

/** Why a value is not a quantity. */
export const QuantityErrorCode = {
  /** The text does not follow the quantity syntax. */
  Invalid: "invalid_quantity",
  /** NaN, an infinity, or a value too large for a JavaScript number (beyond ±1.7976931348623157e308). */
  NotFinite: "non_finite_quantity",
} as const;
/** A quantity error code. */
export type QuantityErrorCode = (typeof QuantityErrorCode)[keyof typeof QuantityErrorCode];

/** The fix a non-finite quantity's message proposes. */
export const FINITE_QUANTITY_HINT = 'write a value between -1.7e308 and 1.7e308, such as 50, "0.01", "250m" or "1k"';

/** How an error message shows a value that is not a quantity: JSON for strings, JavaScript's spelling for numbers. */
function spell(input: unknown): string {
  return typeof input === "number" ? String(input) : (JSON.stringify(input) ?? String(input));
}

/** Thrown by {@link parseQuantity} for text that is not a quantity, or a quantity that is not finite. */
export class QuantityError extends Error {
  override readonly name = "QuantityError";
  constructor(
    readonly input: unknown,
    readonly code: QuantityErrorCode = QuantityErrorCode.Invalid,
  ) {
    super(
      code === QuantityErrorCode.NotFinite
        ? `${spell(input)} is not a finite quantity; ${FINITE_QUANTITY_HINT}`
        : `${spell(input)} is not a Kubernetes quantity; write a number such as 50, "0.01", "250m", "1k" or "1Ki"`,
    );
  }
}

// Number.MAX_VALUE is below 10^309: a quantity whose leading digit sits at 10^309 or above can
// only be infinite, and is refused before its digits are scaled (10n ** 10n ** 8n alone takes
// seconds). Values between 10^308 and 10^309 are scaled and then compared exactly.
const MAX_FINITE_ORDER = 308;
const NANOS_PER_UNIT = 1_000_000_000n;

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Scales sign·digits·10^exp to nano-units, rounding up. */
function toNanos(negative: boolean, digits: bigint, exp10: number): bigint {
  const shift = exp10 + NANO_DIGITS;
  let value: bigint;
  if (shift >= 0) value = digits * 10n ** BigInt(shift);
  // Far below a nano-unit (1e-99999999): the quotient is 0 with a remainder, whatever the digits.
  else if (-shift > digits.toString().length) value = digits === 0n || negative ? 0n : 1n;
  else value = negative ? digits / 10n ** BigInt(-shift) : ceilDiv(digits, 10n ** BigInt(-shift));
  // Rounding toward +∞: a negative value is truncated toward zero, a positive one rounded up.
  return negative ? -value : value;
}

/** Refuses, before scaling, digits·10^exp10 at 10^309 or beyond: no JavaScript number holds it. */
function checkOrder(input: Quantity, digits: bigint, exp10: number): void {
  if (digits !== 0n && digits.toString().length - 1 + exp10 > MAX_FINITE_ORDER) throw new QuantityError(input, QuantityErrorCode.NotFinite);
}

/** Refuses a scaled value that {@link quantityToNumber} would turn into an infinity. */
function finite(input: Quantity, parsed: ParsedQuantity): ParsedQuantity {
  if (!Number.isFinite(Number(parsed.nanos / NANOS_PER_UNIT))) throw new QuantityError(input, QuantityErrorCode.NotFinite);
  return parsed;
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
 * @throws QuantityError `invalid_quantity` when the input is not a quantity, `non_finite_quantity`
 *   when it is NaN, an infinity, or too large for a JavaScript number (`"1e309"`).
 */
export function parseQuantity(input: Quantity): ParsedQuantity {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(input, QuantityErrorCode.NotFinite);
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
    // Without the factor (at most 1024^6) the order check still bounds the work; finite() is exact.
    checkOrder(input, parts.digits, parts.exp10);
    const power = 1024n ** BigInt(binarySuffixes[suffix]!);
    const nanos = toNanos(parts.negative, parts.digits * power, parts.exp10);
    return finite(input, { nanos, format: "BinarySI" });
  }
  if (suffix in decimalSuffixes) {
    const exp10 = parts.exp10 + decimalSuffixes[suffix]!;
    checkOrder(input, parts.digits, exp10);
    return finite(input, { nanos: toNanos(parts.negative, parts.digits, exp10), format: "DecimalSI" });
  }
  // Beyond ±2^53 the exponent is not even an exact number; it is refused or floored all the same.
  const exp10 = parts.exp10 + Number(suffix.slice(1));
  checkOrder(input, parts.digits, exp10);
  return finite(input, { nanos: toNanos(parts.negative, parts.digits, exp10), format: "DecimalExponent" });
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
  const whole = nanos / NANOS_PER_UNIT;
  const frac = nanos % NANOS_PER_UNIT;
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
