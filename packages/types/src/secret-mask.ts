/**
 * Hiding secret values in text that leaves the process: status messages, Events, logs, action
 * output and reports. A value is found not only as written but in the forms a script, an HTTP
 * client or an error body turns it into, so `curl` echoing a URL or a tool printing JSON does
 * not give the value away.
 */

/** What a masked value is replaced with. */
export const SECRET_MASK = "[redacted]";

/** Values shorter than this are not masked: masking "a" or "1" would garble every message. */
export const MIN_MASKED_LENGTH = 3;

function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  // A value inside a longer base64 text starts at one of three byte offsets; each offset encodes
  // it differently. The characters that also depend on neighbouring bytes are dropped.
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64").replace(/=+$/, "");
    const lead = pad === 0 ? 0 : pad + 1;
    const tail = (pad + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(lead, encoded.length - tail);
    if (core.length >= 4) out.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

/**
 * Every form of a secret value worth looking for: as written, each of its lines, URL-encoded
 * (path, query and form style, upper- and lower-case escapes), JSON-escaped, base64 (standard and
 * URL-safe, at each alignment) and reversed. Forms shorter than {@link MIN_MASKED_LENGTH} are left out.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_MASKED_LENGTH) return [];
  const forms = new Set<string>();
  const push = (form: string) => {
    if (form.trim().length >= MIN_MASKED_LENGTH) forms.add(form);
  };
  const variants = new Set([value, ...value.split(/\r?\n/)]);
  for (const v of variants) {
    push(v);
    const component = encodeURIComponent(v);
    push(component);
    push(component.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
    push(component.replace(/%20/g, "+"));
    push(encodeURI(v));
    push(new URLSearchParams({ v }).toString().slice(2));
    push(JSON.stringify(v).slice(1, -1));
    push(JSON.stringify(v).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    push([...v].reverse().join(""));
  }
  for (const form of base64Forms(Buffer.from(value, "utf8"))) push(form);
  return [...forms];
}

/**
 * Masks secret values in text. Add each value once; {@link redact} replaces every form of every
 * value (see {@link secretForms}) with `[redacted]`, the longest match first.
 */
export class SecretMask {
  readonly #forms = new Set<string>();
  /** Built when first needed after a change: most masks are made per request and never used. */
  #pattern: RegExp | undefined;
  #stale = false;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /** Adds a secret value; values shorter than {@link MIN_MASKED_LENGTH} are ignored. */
  add(value: string): void {
    for (const form of secretForms(value)) {
      if (this.#forms.has(form)) continue;
      this.#forms.add(form);
      this.#stale = true;
    }
  }

  #current(): RegExp | undefined {
    if (this.#stale) {
      // Longest first, so a value containing another is masked whole.
      const sorted = [...this.#forms].sort((a, b) => b.length - a.length);
      this.#pattern = new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
      this.#stale = false;
    }
    return this.#pattern;
  }

  /** The text with every form of every secret value replaced by `[redacted]`. */
  redact(text: string): string {
    const pattern = this.#current();
    return pattern ? text.replace(pattern, SECRET_MASK) : text;
  }

  /** True when the text holds a form of a secret value. */
  reveals(text: string): boolean {
    const pattern = this.#current();
    if (!pattern) return false;
    pattern.lastIndex = 0;
    const found = pattern.test(text);
    pattern.lastIndex = 0;
    return found;
  }

  /** True when no value has been added. */
  get empty(): boolean {
    return this.#forms.size === 0;
  }
}
