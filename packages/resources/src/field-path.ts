import { inputLimitProblem } from "@iter8ts/types";
import { FieldPathError } from "./field-path-error";

/** One step of a field path: an object member name or an array index. */
export type PathSegment = string | number;

/** A parsed `fieldPath` such as `.spec.http[0].route[1].weight`. */
export interface FieldPath {
  /** The text as written. */
  readonly text: string;
  readonly segments: readonly PathSegment[];
}

// Characters that end an unquoted member name. Quotes are excluded so that a stray quote is
// reported instead of becoming part of a name.
const NAME_STOP = new Set([".", "[", "]", "'", '"', " ", "\t", "\n", "\r"]);

function malformed(text: string, position: number, problem: string): FieldPathError {
  return new FieldPathError(
    `field path ${JSON.stringify(text)} is malformed at position ${position}: ${problem}; ` +
      `write it like .spec.http[0].route[1].weight, with ['a.b'] for names that contain dots or slashes`,
  );
}

/**
 * Parses a field path (where a version's weight lives, what a readiness check reads) in the
 * kubectl JSONPath form Iter8 uses: it starts with `.`, names members with `.name` and array
 * elements with `[0]`. Names containing `.`, `/` or other special characters are written quoted
 * (`.metadata.annotations['iter8.tools/x']`, `["a.b"]`) or with a backslash before the special
 * character (`iter8\.tools/x`). Wildcards, filters, slices and negative indices are rejected: a
 * path names one field. A path longer or nested deeper than `InputLimits` allow is refused
 * without being quoted back.
 *
 * @throws FieldPathError `invalid_field_path`, naming the path and the position of the problem.
 */
export function parseFieldPath(text: string): FieldPath {
  const tooBig = inputLimitProblem(text, "fieldPath", "field path");
  if (tooBig) throw new FieldPathError(tooBig);
  if (text.length === 0) throw malformed(text, 0, "the path is empty");
  if (text[0] !== ".") throw malformed(text, 0, "a field path must start with '.'");
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      i++;
      if (i >= text.length) throw malformed(text, i, "the path ends with '.' and names no field");
      const next = text[i];
      if (next === "[") continue;
      if (next === ".") throw malformed(text, i, "'..' (recursive descent) cannot name a single field");
      if (next === "*") throw malformed(text, i, "'*' (wildcard) cannot name a single field");
      const start = i;
      let name = "";
      while (i < text.length && !NAME_STOP.has(text[i] as string)) {
        if (text[i] === "\\") {
          if (i + 1 >= text.length) throw malformed(text, i, "a backslash must be followed by the character it escapes");
          name += text[i + 1];
          i += 2;
        } else {
          name += text[i];
          i++;
        }
      }
      if (name.length === 0) throw malformed(text, start, `expected a field name after '.', found ${JSON.stringify(text[start])}`);
      segments.push(name);
    } else if (c === "[") {
      const open = i;
      i++;
      while (text[i] === " ") i++;
      const q = text[i];
      if (q === "'" || q === '"') {
        i++;
        let name = "";
        for (;;) {
          if (i >= text.length) throw malformed(text, open, `the quoted name opened here is not closed with ${q}`);
          const ch = text[i] as string;
          if (ch === "\\") {
            if (i + 1 >= text.length) throw malformed(text, i, "a backslash must be followed by the character it escapes");
            name += text[i + 1];
            i += 2;
            continue;
          }
          if (ch === q) {
            i++;
            break;
          }
          name += ch;
          i++;
        }
        segments.push(name);
      } else {
        const start = i;
        while (i < text.length && /[0-9]/.test(text[i] as string)) i++;
        if (i === start) {
          const found = text[start] === undefined ? "the end of the path" : JSON.stringify(text[start]);
          const hint = text[start] === "-" ? " (negative indices are not supported)" : text[start] === "*" || text[start] === "?" ? " (wildcards and filters cannot name a single field)" : "";
          throw malformed(text, start, `expected an index such as [0] or a quoted name such as ['name'] inside [ ], found ${found}${hint}`);
        }
        const digits = text.slice(start, i);
        const index = Number(digits);
        if (!Number.isSafeInteger(index)) throw malformed(text, start, `the index ${digits} is too large`);
        segments.push(index);
      }
      while (text[i] === " ") i++;
      if (text[i] !== "]") {
        const found = i >= text.length ? "the end of the path" : JSON.stringify(text[i]);
        throw malformed(text, i, `expected ']' to close the '[' at position ${open}, found ${found}`);
      }
      i++;
      const after = text[i];
      if (after !== undefined && after !== "." && after !== "[") {
        throw malformed(text, i, `expected '.' or '[' after ']', found ${JSON.stringify(after)}`);
      }
    } else {
      throw malformed(text, i, `unexpected ${JSON.stringify(c)}`);
    }
  }
  return { text, segments };
}

function escapePointerToken(segment: PathSegment): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The RFC 6901 JSON Pointer of a field path (`/spec/http/0/route/1/weight`), with `~` written
 * `~0` and `/` written `~1` inside names.
 */
export function toJsonPointer(path: FieldPath | readonly PathSegment[]): string {
  const segments = "segments" in path ? path.segments : path;
  return segments.map((s) => `/${escapePointerToken(s)}`).join("");
}

/** Writes segments back as a field path, quoting names that need it. */
export function formatFieldPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s) => {
      if (typeof s === "number") return `[${s}]`;
      if (s.length > 0 && ![...s].some((ch) => NAME_STOP.has(ch) || ch === "\\" || ch === "*")) return `.${s}`;
      return `['${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
    })
    .join("");
}

/** What {@link readFieldPath} found. */
export type FieldReading =
  | { found: true; value: unknown }
  | { found: false; /** The part of the path that exists, as a field path (empty for the root). */ existingPrefix: string; missing: PathSegment };

/** Reads the value a field path points at, or says which segment is missing. */
export function readFieldPath(root: unknown, path: FieldPath | readonly PathSegment[]): FieldReading {
  const segments = "segments" in path ? path.segments : path;
  let current: unknown = root;
  for (const [i, segment] of segments.entries()) {
    let next: unknown;
    let present = false;
    if (Array.isArray(current)) {
      // A quoted numeric name (['0']) and an index ([0]) address the same array element.
      const index = typeof segment === "number" ? segment : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
      present = index >= 0 && index < current.length;
      if (present) next = current[index];
    } else if (current !== null && typeof current === "object") {
      const key = String(segment);
      present = Object.prototype.hasOwnProperty.call(current, key);
      if (present) next = (current as Record<string, unknown>)[key];
    }
    if (!present) return { found: false, existingPrefix: formatFieldPath(segments.slice(0, i)), missing: segment };
    current = next;
  }
  return { found: true, value: current };
}
