/** What is wrong with a template. */
export const TemplateErrorCode = {
  /** The template does not parse. */
  Syntax: "syntax",
  /** The template uses a Go template feature this product does not render (it would be wrong, so it is refused). */
  Unsupported: "unsupported",
  /** Rendering failed: a function got arguments it cannot use, a secret key is missing, … */
  Execution: "execution",
  /** The template is longer or nests deeper than `InputLimits` of @iter8ts/types allow. */
  InputLimit: "input_limit",
} as const;
export type TemplateErrorCode = (typeof TemplateErrorCode)[keyof typeof TemplateErrorCode];

/** A template that cannot be compiled or rendered; the message names the template, line and column. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    /** 1-based line and column of the problem, when known. */
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
