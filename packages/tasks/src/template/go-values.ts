import { TemplateError, TemplateErrorCode } from "./template-error";

/**
 * Go template semantics over JSON values: truth, printing, and the builtin functions
 * (`and`, `or`, `not`, `len`, `index`, comparisons, `print`, `printf`, `html`, `js`, `urlquery`).
 */

function fail(message: string): TemplateError {
  return new TemplateError(TemplateErrorCode.Execution, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Go's notion of a true value: not false, 0, "", nil, or an empty list or map. */
export function goTruth(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * Prints a value as a Go template does: strings as they are, lists as `[a b]`, maps as
 * `map[k:v]` with sorted keys. Missing values print as nothing. Numbers print in full
 * (`1000000`), where Go would print a JSON number as `1e+06`.
 */
export function goFormat(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || v === null ? "<nil>" : goFormat(v))).join(" ")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${value[k] === undefined || value[k] === null ? "<nil>" : goFormat(value[k])}`).join(" ")}]`;
  }
  return String(value);
}

/** Member lookup that never reaches inherited properties such as `constructor`. */
export function goField(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

function basic(value: unknown, fn: string): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  throw fail(`${fn} can only compare strings, numbers and booleans, not ${goFormat(value)}`);
}

function order(a: unknown, b: unknown, fn: string): number {
  const x = basic(a, fn);
  const y = basic(b, fn);
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (typeof x === "string" && typeof y === "string") return x < y ? -1 : x > y ? 1 : 0;
  throw fail(`${fn} needs two numbers or two strings, got ${JSON.stringify(x)} and ${JSON.stringify(y)}`);
}

function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((arg, i) => {
    // Sprint puts a space between operands when neither is a string.
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += goFormat(arg);
  });
  return out;
}

function pad(text: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || text.length >= width) return text;
  if (left) return text.padEnd(width, " ");
  if (zero) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : "";
    return sign + text.slice(sign.length).padStart(width - sign.length, "0");
  }
  return text.padStart(width, " ");
}

/** Go's `fmt.Sprintf` for the verbs templates use: %v %s %d %f %e %g %q %t %x %X %%. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = "";
  let argIndex = 0;
  const spec = /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = spec.exec(format); m; m = spec.exec(format)) {
    out += format.slice(last, m.index);
    last = spec.lastIndex;
    const [, flags = "", widthText, precisionText, verb] = m;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argIndex++];
    const width = widthText === undefined ? undefined : Number(widthText);
    const precision = precisionText === undefined ? undefined : Number(precisionText);
    const plus = flags.includes("+");
    const num = typeof arg === "number" ? arg : undefined;
    let text: string;
    switch (verb) {
      case "v":
      case "s":
        text = goFormat(arg);
        if (precision !== undefined && verb === "s") text = text.slice(0, precision);
        break;
      case "d":
        if (num === undefined || !Number.isInteger(num)) text = `%!d(${goFormat(arg)})`;
        else text = (plus && num >= 0 ? "+" : "") + String(num);
        break;
      case "f":
      case "F":
        text = num === undefined ? `%!f(${goFormat(arg)})` : (plus && num >= 0 ? "+" : "") + num.toFixed(precision ?? 6);
        break;
      case "e":
        text = num === undefined ? `%!e(${goFormat(arg)})` : num.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
        break;
      case "g":
        text = num === undefined ? `%!g(${goFormat(arg)})` : precision === undefined ? String(num) : String(Number(num.toPrecision(precision)));
        break;
      case "q":
        text = JSON.stringify(goFormat(arg));
        break;
      case "t":
        text = typeof arg === "boolean" ? String(arg) : `%!t(${goFormat(arg)})`;
        break;
      case "x":
      case "X": {
        const hex = num !== undefined && Number.isInteger(num) ? num.toString(16) : [...new TextEncoder().encode(goFormat(arg))].map((b) => b.toString(16).padStart(2, "0")).join("");
        text = verb === "X" ? hex.toUpperCase() : hex;
        break;
      }
      default:
        text = `%!${verb}(${goFormat(arg)})`;
    }
    out += pad(text, width, flags.includes("-"), flags.includes("0") && num !== undefined);
  }
  out += format.slice(last);
  if (argIndex < args.length) out += `%!(EXTRA ${args.slice(argIndex).map(goFormat).join(", ")})`;
  return out;
}

/** Go's `html` function. */
export function goHtmlEscape(text: string): string {
  return text.replace(/[&'<>"\0]/g, (c) => ({ "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "\0": "\uFFFD" })[c] as string);
}

/** Go's `js` function: escapes for a JavaScript (or JSON) string literal. */
export function goJsEscape(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    if (c === "\\") out += "\\\\";
    else if (c === "'") out += "\\'";
    else if (c === '"') out += '\\"';
    else if (c === "<" || c === ">" || c === "&" || c === "=" || code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/** Go's `urlquery` function (form encoding: space as `+`). */
export function goUrlQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${(c.charCodeAt(0) as number).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * `shellquote`: the text as one single-quoted POSIX shell word. Inside single quotes nothing is
 * special but `'` itself, which ends the quote, is written escaped (`'\''`) and reopens it, so
 * `$(…)`, backquotes, `;`, newlines and globs stay literal text in sh, bash, dash and zsh. A NUL
 * cannot be part of any shell word (or process argument), so it is refused.
 */
export function goShellQuote(text: string): string {
  if (text.includes("\0")) throw fail("shellquote of a value holding a NUL character, which no shell word can carry");
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function index(value: unknown, keys: unknown[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === undefined || current === null) throw fail(`index of a missing value (looking up ${goFormat(key)})`);
    if (Array.isArray(current) || typeof current === "string") {
      if (typeof key !== "number" || !Number.isInteger(key)) throw fail(`cannot index a list with ${JSON.stringify(key)}; use a whole number`);
      if (key < 0 || key >= current.length) throw fail(`index out of range: ${key} (the list has ${current.length} items)`);
      current = typeof current === "string" ? (current.codePointAt(key) as number) : current[key];
    } else if (isObject(current)) {
      current = goField(current, String(key));
    } else {
      throw fail(`cannot index ${goFormat(current)}`);
    }
  }
  return current;
}

/** The Go template builtins, by name. Each receives evaluated arguments. */
export const GO_FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  and: (...args) => {
    if (args.length === 0) throw fail("and needs at least one argument");
    for (const a of args) if (!goTruth(a)) return a;
    return args[args.length - 1];
  },
  or: (...args) => {
    if (args.length === 0) throw fail("or needs at least one argument");
    for (const a of args) if (goTruth(a)) return a;
    return args[args.length - 1];
  },
  not: (...args) => {
    if (args.length !== 1) throw fail(`not takes one argument, got ${args.length}`);
    return !goTruth(args[0]);
  },
  len: (...args) => {
    if (args.length !== 1) throw fail(`len takes one argument, got ${args.length}`);
    const v = args[0];
    if (typeof v === "string") return new TextEncoder().encode(v).length;
    if (Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    throw fail(`len of ${v === undefined || v === null ? "a missing value" : goFormat(v)}`);
  },
  index: (...args) => {
    if (args.length === 0) throw fail("index needs a value to index");
    return index(args[0], args.slice(1));
  },
  eq: (...args) => {
    if (args.length < 2) throw fail("eq needs at least two arguments");
    const first = basic(args[0], "eq");
    return args.slice(1).some((a) => basic(a, "eq") === first);
  },
  ne: (...args) => {
    if (args.length !== 2) throw fail(`ne takes two arguments, got ${args.length}`);
    return basic(args[0], "ne") !== basic(args[1], "ne");
  },
  lt: (a, b) => order(a, b, "lt") < 0,
  le: (a, b) => order(a, b, "le") <= 0,
  gt: (a, b) => order(a, b, "gt") > 0,
  ge: (a, b) => order(a, b, "ge") >= 0,
  print: (...args) => sprint(args),
  println: (...args) => `${args.map(goFormat).join(" ")}\n`,
  printf: (format, ...args) => {
    if (typeof format !== "string") throw fail("printf needs a format string first");
    return goSprintf(format, args);
  },
  html: (...args) => goHtmlEscape(sprint(args)),
  js: (...args) => goJsEscape(sprint(args)),
  urlquery: (...args) => goUrlQueryEscape(sprint(args)),
  shellquote: (...args) => goShellQuote(sprint(args)),
};
