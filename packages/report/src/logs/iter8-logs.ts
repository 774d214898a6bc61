import type { ExperimentKey } from "@iter8ts/engine";

/** One Iter8Log line, as `iter8ctl debug` uses it. */
export interface DebugLog {
  source: string;
  /** 1 errors, 2 warnings and skipped work, 3 progress. */
  priority: 1 | 2 | 3;
  message: string;
  /** Orders logs across actions: 0 for start, then the loop the experiment was in. */
  precedence: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The Iter8Log lines of `target` in a log's text: each line that is a JSON object with
 * `isIter8Log: true`, this experiment's name and namespace, a priority of 1, 2 or 3 and a string
 * message. Other lines (a task's own output, logs of another experiment that shares the pod
 * namespace, garbage) are skipped, as Iter8's iter8ctl skipped them. A missing or non-numeric
 * precedence counts as 0.
 */
export function parseIter8Logs(text: string, target: ExperimentKey): DebugLog[] {
  const logs: DebugLog[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("{")) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(value) || value.isIter8Log !== true) continue;
    if (value.experimentName !== target.name || value.experimentNamespace !== target.namespace) continue;
    const priority = value.priority;
    if (priority !== 1 && priority !== 2 && priority !== 3) continue;
    if (typeof value.message !== "string") continue;
    const precedence = typeof value.precedence === "number" && Number.isFinite(value.precedence) ? value.precedence : 0;
    logs.push({ source: typeof value.source === "string" ? value.source : "task-runner", priority, message: value.message, precedence });
  }
  return logs;
}

/**
 * The logs at or above `priority` (1 only errors; 3 everything), ordered by precedence; logs of
 * equal precedence keep the order they were read in (the sort is stable, as Iter8's was).
 */
export function selectDebugLogs(logs: readonly DebugLog[], priority: number): DebugLog[] {
  return logs.filter((log) => log.priority <= priority).sort((a, b) => a.precedence - b.precedence);
}
