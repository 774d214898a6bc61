const MASK = "[redacted]";

/**
 * Hides secret values in text. Every value added is replaced wherever it appears, as are its
 * base64 form and, for a value spanning lines, each of its lines, so that a secret printed by a
 * script or echoed in an error never reaches captured output, events or messages.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Adds a secret value (empty values are ignored). */
  add(value: string): void {
    const forms = [value, Buffer.from(value, "utf8").toString("base64"), ...value.split(/\r?\n/)];
    let changed = false;
    for (const form of forms) {
      if (form.trim() === "" || this.values.has(form)) continue;
      this.values.add(form);
      changed = true;
    }
    if (changed) {
      // Longest first, so a value containing another is masked whole.
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    }
  }

  /** The text with every secret value replaced by `[redacted]`. */
  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** True when no secret has been added. */
  get empty(): boolean {
    return this.values.size === 0;
  }
}
