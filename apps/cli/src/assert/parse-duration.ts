import { parseGoDuration } from "@iter8ts/metrics";

/**
 * Reads `--timeout` as Go and kubectl write durations: `30s`, `5m`, `1h`, `1m30s`, `1.5h`,
 * `500ms`, or `0` (the Go syntax of `@iter8ts/metrics`). A unit is required so that `5` is not
 * silently read as seconds or minutes.
 * @returns whole milliseconds, or `undefined` when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const ms = parseGoDuration(text);
  return ms === undefined ? undefined : Math.round(ms);
}

/** Writes milliseconds back as a short duration (`90000` → `1m30s`), for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}
