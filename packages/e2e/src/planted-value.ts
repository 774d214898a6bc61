import type { FuzzCase } from "./fuzz-corpus";
import type { Planted } from "./mutate-document";

/**
 * True when the planted value is still where it was planted in the case's document: later
 * mutations may have dropped, moved or replaced it, and a document written as text is read
 * back by the parser, so only documents given as objects are checked.
 */
export function plantedInPlace(fuzz: FuzzCase, planted: Planted): boolean {
  if (typeof fuzz.input === "string") return false;
  let node: unknown = fuzz.input;
  for (const segment of planted.segments) {
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return Object.is(node, planted.value);
}
