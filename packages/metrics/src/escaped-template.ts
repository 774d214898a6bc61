/**
 * Interpolation of version values (`$name`, `$namespace`, version variables) into query
 * templates, each value escaped for the place it lands in. A Metric may be used by experiments of
 * other namespaces (with a ReferenceGrant); their version names and variables are then untrusted
 * text spliced into a query that goes out with the Metric's credentials. Without escaping,
 * `"}[1m])) or sum(secret_table{team="c` closes the label matcher it lands in and asks the
 * backend for something else entirely (a confused deputy).
 *
 * The template's own text decides the context of each placeholder, read as the query languages of
 * metric backends are written (PromQL, NRQL, SQL-like): inside a `"…"` or `'…'` string the value's
 * backslashes, quotes and line breaks are escaped; inside a backtick string (raw, no escapes) a
 * value with a backtick is refused; outside any string only a plain token (letters, digits,
 * `_ . : / -`) is allowed, anything else is refused. In a JSON body, a placeholder inside a JSON
 * string is escaped for the query context within that string and then for JSON. Query parameters
 * are percent-encoded when the URL is built, so a value cannot leave its parameter either.
 */

const PLACEHOLDER = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/y;
const PLAIN_TOKEN = /^[A-Za-z0-9_.:/-]*$/;
// Control characters a quoted string cannot hold as written (line breaks and tabs are escaped instead).
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** How a template is written: a query text (params), or JSON whose strings hold query text (body). */
export type TemplateSyntax = "query" | "json";

/** Where a placeholder sits in the query text. */
type QueryContext = "plain" | "double" | "single" | "backtick";

/** A value that cannot be placed where its placeholder is. */
export interface UnsafeValue {
  /** The placeholder's name. */
  name: string;
  /** Why, for the message (never the value itself). */
  reason: string;
}

/** The outcome of {@link interpolateEscaped}. */
export interface EscapedInterpolation {
  text: string;
  /** Placeholders without a value, in order of first appearance. */
  unresolved: string[];
  /** The first value refused for its context, if any. */
  unsafe?: UnsafeValue;
}

/** Tracks quoting in query text, one character at a time. */
class QueryScanner {
  context: QueryContext = "plain";
  #escaped = false;

  /** Back to plain text (a new JSON string starts). */
  reset(): void {
    this.context = "plain";
    this.#escaped = false;
  }

  feed(c: string): void {
    switch (this.context) {
      case "plain":
        if (c === '"') this.context = "double";
        else if (c === "'") this.context = "single";
        else if (c === "`") this.context = "backtick";
        return;
      case "backtick":
        if (c === "`") this.context = "plain";
        return;
      case "double":
      case "single":
        if (this.#escaped) this.#escaped = false;
        else if (c === "\\") this.#escaped = true;
        else if (c === (this.context === "double" ? '"' : "'")) this.context = "plain";
        return;
    }
  }
}

/** The value escaped for `context`, or why it cannot be placed there. */
function escapeForQuery(value: string, context: QueryContext): { text: string } | { reason: string } {
  switch (context) {
    case "plain":
      return PLAIN_TOKEN.test(value)
        ? { text: value }
        : { reason: "it stands outside quotes in the query, where only letters, digits and _ . : / - are allowed; quote the placeholder in the metric's template" };
    case "backtick":
      return value.includes("`") ? { reason: "it contains a backtick and stands in a raw (backtick) string, which cannot escape one" } : { text: value };
    case "double":
    case "single": {
      if (OTHER_CONTROLS.test(value)) return { reason: "it contains control characters" };
      const quote = context === "double" ? '"' : "'";
      let text = "";
      for (const c of value) {
        if (c === "\\" || c === quote) text += `\\${c}`;
        else if (c === "\n") text += "\\n";
        else if (c === "\r") text += "\\r";
        else if (c === "\t") text += "\\t";
        else text += c;
      }
      return { text };
    }
  }
}

/** One character of a JSON string's content as written, decoded: its length in the template and its value. */
function jsonChar(template: string, i: number): { length: number; char: string } {
  const c = template[i] as string;
  if (c !== "\\") return { length: 1, char: c };
  const next = template[i + 1] ?? "";
  const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
  if (next in simple) return { length: 2, char: simple[next] as string };
  if (next === "u" && /^[0-9a-fA-F]{4}$/.test(template.slice(i + 2, i + 6))) return { length: 6, char: String.fromCharCode(parseInt(template.slice(i + 2, i + 6), 16)) };
  return { length: 1, char: c };
}

/**
 * Replaces `$name` / `${name}` placeholders with values escaped for where each stands (see the
 * module's documentation); `$$` becomes `$`. A value that cannot be placed safely is reported in
 * `unsafe` (by name, never by value) and the text must not be sent.
 */
export function interpolateEscaped(template: string, values: Readonly<Record<string, string>>, syntax: TemplateSyntax): EscapedInterpolation {
  const unresolved: string[] = [];
  let unsafe: UnsafeValue | undefined;
  let text = "";
  const query = new QueryScanner();
  // JSON only: whether the scan is inside a JSON string (whose decoded content is query text).
  let inJsonString = false;
  let i = 0;
  while (i < template.length) {
    PLACEHOLDER.lastIndex = i;
    const match = template[i] === "$" ? PLACEHOLDER.exec(template) : null;
    if (match) {
      i += match[0].length;
      if (match[1]) {
        text += "$";
        if (syntax === "query" || inJsonString) query.feed("$");
        continue;
      }
      const name = (match[2] ?? match[3]) as string;
      if (!Object.prototype.hasOwnProperty.call(values, name)) {
        if (!unresolved.includes(name)) unresolved.push(name);
        text += match[0];
        continue;
      }
      const value = values[name] as string;
      const context: QueryContext = syntax === "json" && !inJsonString ? "plain" : query.context;
      const escaped = escapeForQuery(value, context);
      if ("reason" in escaped) {
        unsafe ??= { name, reason: escaped.reason };
        continue;
      }
      text += syntax === "json" && inJsonString ? JSON.stringify(escaped.text).slice(1, -1) : escaped.text;
      continue;
    }
    if (syntax === "query") {
      query.feed(template[i] as string);
      text += template[i];
      i++;
      continue;
    }
    if (!inJsonString) {
      if (template[i] === '"') inJsonString = true;
      text += template[i];
      i++;
      continue;
    }
    if (template[i] === '"') {
      // The JSON string ends; query text in the next one starts afresh.
      inJsonString = false;
      query.reset();
      text += '"';
      i++;
      continue;
    }
    const { length, char } = jsonChar(template, i);
    query.feed(char);
    text += template.slice(i, i + length);
    i += length;
  }
  return unsafe ? { text, unresolved, unsafe } : { text, unresolved };
}
