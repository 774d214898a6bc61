import { Document, visit } from "yaml";

/**
 * Text from documents and clusters reaches the terminal only through here. Version names, metric
 * names, messages and task output are written by whoever can edit an experiment, and a raw
 * control character in them is an instruction to the terminal, not text: ESC sequences recolour,
 * clear or retitle the screen, move the cursor over earlier lines (faking a passed check), and
 * `\r` or the bidi overrides rewrite a line in place. They are shown escaped instead; the
 * program's own newlines and the live view's own cursor movements are added after escaping.
 */

// C0 controls (newline and tab included: inside a value they would break a line or a table),
// DEL, C1 controls (0x9b is a one-byte CSI), the Arabic letter mark and the bidi marks,
// embeddings, overrides and isolates, and the line and paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, less what JSON.stringify escapes itself (every C0 control).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function hex(char: string, digits: number): string {
  return char.charCodeAt(0).toString(16).padStart(digits, "0");
}

/** Escapes one value for a line of terminal text: ESC becomes `\x1b`, a newline `\n`, U+202E `\u202e`. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? (char.charCodeAt(0) <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`));
}

/**
 * A copy of `value` (an experiment, a summary) whose strings and keys are escaped with
 * {@link escapeControl}, for views that lay it out as text: widths and wrapping are then
 * computed on what is shown. Walked without recursion, since task inputs and
 * `criteria.strength` may nest thousands of levels deep.
 */
export function forTerminal<T>(value: T): T {
  const root: { value?: unknown } = {};
  const work: Array<[unknown, Record<PropertyKey, unknown>, PropertyKey]> = [[value, root, "value"]];
  for (let item = work.pop(); item; item = work.pop()) {
    const [source, parent, key] = item;
    let copy: unknown = source;
    if (typeof source === "string") copy = escapeControl(source);
    else if (Array.isArray(source)) {
      const list = new Array<unknown>(source.length);
      source.forEach((child, i) => work.push([child, list as unknown as Record<PropertyKey, unknown>, i]));
      copy = list;
    } else if (source !== null && typeof source === "object") {
      const fields: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(source)) work.push([child, fields, escapeControl(name)]);
      copy = fields;
    }
    // A key such as `__proto__` stays an own field, as JSON.parse would keep it.
    Object.defineProperty(parent, key, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return root.value as T;
}

/** JSON of `value` for a terminal: the same data, with the controls JSON leaves raw written as `\u` escapes. */
export function jsonForTerminal(value: unknown, indent = 2): string {
  return (JSON.stringify(value, null, indent) ?? "null").replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}

/**
 * YAML of `value` for a terminal: the same data, with every string that holds a control
 * character double-quoted and the character written as a `\u` escape, which YAML reads back.
 */
export function yamlForTerminal(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && new RegExp(UNSAFE.source).test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  // Left raw by the YAML writer only inside the double-quoted strings above, where \u is an escape.
  return doc.toString().replace(UNSAFE, (char) => (char === "\n" ? char : `\\u${hex(char, 4)}`));
}
