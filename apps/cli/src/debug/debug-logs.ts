import { escapeControls } from "@iter8ts/types";
import type { ExperimentKey } from "@iter8ts/engine";
import type { DebugLog } from "@iter8ts/report";

/** The priorities `-p` accepts; logs at or above the given priority (numbers at most it) are shown. */
export const DEBUG_PRIORITIES = ["1", "2", "3"] as const;
/** Iter8's default: errors only. */
export const DEFAULT_DEBUG_PRIORITY = 1;

/**
 * Iter8's `iter8ctl debug` output: `Debugging experiment N in namespace NS`, then
 * `source: S priority: P message: M` per log, each on its own line with control characters
 * escaped (a message is text a task printed, and may hold anything).
 */
export function renderDebugLogs(target: ExperimentKey, logs: readonly DebugLog[]): string {
  let text = `Debugging experiment ${escapeControls(target.name)} in namespace ${escapeControls(target.namespace)}\n`;
  for (const log of logs) text += `source: ${escapeControls(log.source)} priority: ${log.priority} message: ${escapeControls(log.message)}\n`;
  return text;
}

/**
 * `-p`: 1, 2 or 3.
 * @returns the priority, or the usage error to print.
 */
export function parseDebugPriority(value: string | undefined): number | { error: string } {
  if (value === undefined) return DEFAULT_DEBUG_PRIORITY;
  const trimmed = value.trim();
  if ((DEBUG_PRIORITIES as readonly string[]).includes(trimmed)) return Number(trimmed);
  return { error: `-p/--priority must be 1 (errors), 2 (and warnings) or 3 (everything), not ${escapeControls(JSON.stringify(value))}` };
}
