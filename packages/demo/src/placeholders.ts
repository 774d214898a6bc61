import { DemoError, DemoErrorCode } from "./demo-error";

/**
 * The demo's placeholders: `${DEMO_` + capitals, digits and underscores + `}`. Nothing else is
 * touched, so a Metric's own `$name` and `${elapsedTime}` and a task's `{{ .promote }}` pass
 * through to iter8ctl unchanged.
 */
export const PLACEHOLDER_PATTERN = /\$\{(DEMO_[A-Z0-9_]+)\}/g;

/** The names the demo fills in every sample it prepares. */
export const DemoPlaceholder = {
  /** Base URL of the metrics API, e.g. `http://127.0.0.1:40123` (Metrics append `/api/v1/query`). */
  MetricsUrl: "DEMO_METRICS_URL",
  /** Port of sample-app-v1 on 127.0.0.1. */
  V1Port: "DEMO_V1_PORT",
  /** Port of sample-app-v2 on 127.0.0.1. */
  V2Port: "DEMO_V2_PORT",
  /** Absolute path of the working copy handed to `iter8ctl run` (tasks use it to find files). */
  Workdir: "DEMO_WORKDIR",
} as const;
export type DemoPlaceholder = (typeof DemoPlaceholder)[keyof typeof DemoPlaceholder];

/** The placeholders a text uses, each once, in order of first use. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]!))];
}

/**
 * Replaces every `${DEMO_…}` placeholder of a text with its value.
 *
 * @param source What to call the text in messages (usually the file's path).
 * @throws DemoError `placeholder_unknown` listing every placeholder without a value and its line.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, source: string): string {
  const unknown: string[] = [];
  const filled = text.replace(PLACEHOLDER_PATTERN, (whole, name: string, offset: number) => {
    const value = values[name];
    if (value !== undefined) return value;
    const line = text.slice(0, offset).split("\n").length;
    unknown.push(`\${${name}} (line ${line})`);
    return whole;
  });
  if (unknown.length > 0) {
    const known = Object.keys(values).sort().join(", ") || "(none)";
    throw new DemoError(
      DemoErrorCode.PlaceholderUnknown,
      `${source} uses ${unknown.join(", ")}, which the demo does not fill; use one of ${known}`,
    );
  }
  return filled;
}
