import { escapeControls, hasControls } from "@iter8ts/types";

export { escapeControls };
import { Document, visit } from "yaml";

/**
 * Text from documents and clusters reaches the terminal only through here. Version names, metric
 * names, messages and task output are written by whoever can edit an experiment, and a raw
 * control character in them is an instruction to the terminal, not text: ESC sequences recolour,
 * clear or retitle the screen, move the cursor over earlier lines (faking a passed check), and
 * `\r` or the bidi overrides rewrite a line in place. They are shown escaped instead; the
 * program's own newlines and the live view's own cursor movements are added after escaping.
 * One value for a line of text is escaped with `escapeControls` (re-exported here from
 * @iter8ts/types, which escapes its issue texts the same way): ESC becomes `\u001b`.
 */

/**
 * A copy of `value` (an experiment, a summary) whose strings and keys are escaped with
 * `escapeControls`, for views that lay it out as text: widths and wrapping are then
 * computed on what is shown. Walked without recursion, since task inputs and
 * `criteria.strength` may nest thousands of levels deep.
 */
export function forTerminal<T>(value: T): T {
  const root: { value?: unknown } = {};
  const work: Array<[unknown, Record<PropertyKey, unknown>, PropertyKey]> = [[value, root, "value"]];
  for (let item = work.pop(); item; item = work.pop()) {
    const [source, parent, key] = item;
    let copy: unknown = source;
    if (typeof source === "string") copy = escapeControls(source);
    else if (Array.isArray(source)) {
      const list = new Array<unknown>(source.length);
      source.forEach((child, i) => work.push([child, list as unknown as Record<PropertyKey, unknown>, i]));
      copy = list;
    } else if (source !== null && typeof source === "object") {
      const fields: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(source)) work.push([child, fields, escapeControls(name)]);
      copy = fields;
    }
    // A key such as `__proto__` stays an own field, as JSON.parse would keep it.
    Object.defineProperty(parent, key, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return root.value as T;
}

/** JSON of `value` for a terminal: the same data, with the controls JSON leaves raw (C1, bidi) written as escapes. */
export function jsonForTerminal(value: unknown, indent = 2): string {
  return escapeControls(JSON.stringify(value, null, indent) ?? "null", { keepNewlines: true });
}

/**
 * YAML of `value` for a terminal: the same data, with every string that holds a control
 * character double-quoted and the character written as a `\u` escape, which YAML reads back.
 */
export function yamlForTerminal(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && hasControls(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  // Left raw by the YAML writer only inside the double-quoted strings above, where escapes are read back.
  return escapeControls(doc.toString(), { keepNewlines: true });
}
