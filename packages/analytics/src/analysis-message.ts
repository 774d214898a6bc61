/**
 * Collects the errors, warnings and notes of one analysis step and renders them in the message
 * format Iter8 tools display and parse: `Error: e1, e2; Warning: w1; Info: i1`. A category with
 * nothing in it stays in the text (`Error: ; Warning: ; Info: all ok`) so that readers which
 * split on `; ` keep working.
 */
export class AnalysisMessage {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly infos: string[] = [];

  /** Records something that prevented part of the analysis. */
  error(text: string): this {
    this.errors.push(text);
    return this;
  }

  /** Records something the user should look at; the analysis still produced a result. */
  warn(text: string): this {
    this.warnings.push(text);
    return this;
  }

  /** Records how the result was reached. */
  info(text: string): this {
    this.infos.push(text);
    return this;
  }

  /** True when nothing was recorded. */
  get isEmpty(): boolean {
    return this.errors.length + this.warnings.length + this.infos.length === 0;
  }

  /** Appends everything another message recorded. */
  merge(other: AnalysisMessage): this {
    this.errors.push(...other.errors);
    this.warnings.push(...other.warnings);
    this.infos.push(...other.infos);
    return this;
  }

  /** The message text: `Error: …; Warning: …; Info: …`. */
  format(): string {
    return `Error: ${this.errors.join(", ")}; Warning: ${this.warnings.join(", ")}; Info: ${this.infos.join(", ")}`;
  }

  toString(): string {
    return this.format();
  }
}
