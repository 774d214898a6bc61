const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = /^([+-]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|μs|ms|s|m|h))+|0)$/;
const PART = /([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses a Go duration (`5s`, `1m30s`, `1.5h`, `300ms`, `0`) into milliseconds, as the
 * `metrics/collect` task's `time` input is written. Returns undefined for anything else, including
 * negative durations.
 */
export function parseGoDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  if (m[1] === "-") return undefined;
  if (m[2] === "0") return 0;
  let total = 0;
  for (const part of m[2]!.matchAll(PART)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return total;
}
