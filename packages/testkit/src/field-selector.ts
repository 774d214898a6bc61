/**
 * Field selectors (`metadata.name=x,metadata.namespace!=y`). The API server accepts only the
 * field labels each kind declares and answers 400 otherwise.
 */

/** One requirement: the field label, `=` or `!=`, and the value. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** A field selector the API server would refuse. */
export class FieldSelectorError extends Error {
  override readonly name = "FieldSelectorError";
  readonly code = "InvalidFieldSelector" as const;
}

/**
 * Parses a field selector; `supported` lists the field labels the kind allows, `refusal` words the
 * error for another one (the API server's wording depends on the kind).
 */
export function parseFieldSelector(
  text: string | undefined,
  supported: ReadonlySet<string>,
  refusal: (label: string) => string = (label) => `field label not supported: ${label}`,
): FieldRequirement[] {
  if (text === undefined || text.trim() === "") return [];
  const out: FieldRequirement[] = [];
  for (const raw of text.split(",")) {
    const term = raw.trim();
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1] ?? "";
    if (!supported.has(field)) throw new FieldSelectorError(refusal(field));
    out.push({ field, operator: m[2] === "!=" ? "!=" : "=", value: m[3] ?? "" });
  }
  return out;
}

/** True when every requirement holds; `valueOf` reads a field label from the object ("" when absent). */
export function matchesFieldSelector(requirements: readonly FieldRequirement[], valueOf: (field: string) => string): boolean {
  return requirements.every((r) => (r.operator === "=" ? valueOf(r.field) === r.value : valueOf(r.field) !== r.value));
}
