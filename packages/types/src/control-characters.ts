/**
 * Characters a terminal acts on instead of printing: C0 controls (ESC starts the sequences that
 * recolour, clear or retitle the screen; `\r` returns to the start of the line), DEL, C1
 * controls (U+009B is a one-character CSI), the Arabic letter mark and the bidi marks,
 * embeddings, overrides and isolates (U+202E reverses what follows), and the line and paragraph
 * separators. Names and messages come from whoever can edit an experiment, so text quoted back
 * to people shows these escaped.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** True when `text` holds a character {@link escapeControls} would escape (a newline included). */
export function hasControls(text: string): boolean {
  return new RegExp(CONTROL.source).test(text);
}

/**
 * Writes every control character of `text` as an escape: `\n`, `\r`, `\t`, else `\u001b` and
 * alike. The escapes read the same in a line of text, inside a JSON string and inside a YAML
 * double-quoted string, so a JSON or YAML document stays the same data (pass `keepNewlines` for
 * a document whose own line breaks must stay). Escaping twice changes nothing more.
 */
export function escapeControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(CONTROL, (char) => {
    if (char === "\n" && options.keepNewlines) return char;
    return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
