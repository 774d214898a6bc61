import { quantityToNumber } from "@iter8ts/types";
import type { Quantity } from "@iter8ts/types";

/** The number a stored quantity holds, or `undefined` when there is none or it does not parse. */
export function readQuantity(quantity: Quantity | null | undefined): number | undefined {
  if (quantity === null || quantity === undefined) return undefined;
  try {
    const n = quantityToNumber(quantity);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A number in the form analytics writes into `status.analysis`: whole numbers stay JSON numbers,
 * anything else becomes its shortest decimal string (`"419.2027282381035"`), because the API
 * stores quantities as integers or strings, never as fractional JSON numbers.
 */
export function writeQuantity(value: number): Quantity {
  return Number.isSafeInteger(value) ? value : String(value);
}
