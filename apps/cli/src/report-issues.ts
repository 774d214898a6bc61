import type { ValidationIssue } from "@iter8ts/types";
import type { CommandIo } from "./command-io";
import type { Experiment } from "@iter8ts/types";
import { ExperimentLoadError, type ExperimentSource } from "@iter8ts/report";
import { escapeControls } from "./terminal-text";

/** Writes a heading and one `path: message (line N)` line per issue to stderr. */
export function reportIssues(io: CommandIo, heading: string, issues: readonly ValidationIssue[]): void {
  io.err(`${escapeControls(heading)}\n`);
  for (const issue of issues) io.err(`  ${escapeControls(`${issue.path}: ${issue.message}`)}${issue.line === undefined ? "" : ` (line ${issue.line})`}\n`);
}

/** Reports why an experiment could not be loaded; the caller sets the exit code. */
export function reportLoadError(io: CommandIo, error: ExperimentLoadError): void {
  if (error.issues.length) reportIssues(io, `Error: ${error.message}:`, error.issues);
  else io.err(`Error: ${escapeControls(error.message)}\n`);
}

/** Reports fields that were ignored because the API does not know them. */
export function reportWarnings(io: CommandIo, source: ExperimentSource, warnings: readonly ValidationIssue[]): void {
  if (warnings.length) reportIssues(io, `Warning: ${source.label} has fields that were ignored:`, warnings);
}

/**
 * Loads the experiment for a command that reads it once: reports why it could not be loaded
 * (returning null, so the caller exits 1) or the fields that were ignored.
 */
export async function loadOrReport(io: CommandIo, source: ExperimentSource): Promise<Experiment | null> {
  let loaded;
  try {
    loaded = await source.load();
  } catch (error) {
    if (!(error instanceof ExperimentLoadError)) throw error;
    reportLoadError(io, error);
    return null;
  }
  reportWarnings(io, source, loaded.warnings);
  return loaded.experiment;
}
