/**
 * Query templates use the syntax Iter8 metrics were written in (Python's `string.Template`):
 * `$name` or `${name}` is replaced by a value, `$$` is a literal `$`, and a `$` that does not
 * start a placeholder (`$1`, `$ `, `$"`) is kept as is. Identifiers are ASCII letters, digits
 * and `_`, not starting with a digit, matched case-insensitively as Python does.
 *
 * Unlike Iter8, which silently sent `$placeholder` text to the backend when a value was missing,
 * the placeholders left without a value are reported, so the caller can refuse the query.
 */

const PLACEHOLDER = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g;

/** The outcome of {@link interpolate}. */
export interface Interpolated {
  /** The text with every known placeholder replaced (unknown ones left as written). */
  text: string;
  /** Names of placeholders that had no value, in order of first appearance, without repeats. */
  unresolved: string[];
}

/** Replaces `$name` / `${name}` placeholders with values; `$$` becomes `$`. */
export function interpolate(template: string, values: Readonly<Record<string, string>>): Interpolated {
  const unresolved: string[] = [];
  const text = template.replace(PLACEHOLDER, (match: string, dollar?: string, named?: string, braced?: string) => {
    if (dollar) return "$";
    const name = (named ?? braced)!;
    if (Object.prototype.hasOwnProperty.call(values, name)) return values[name]!;
    if (!unresolved.includes(name)) unresolved.push(name);
    return match;
  });
  return { text, unresolved };
}
