// Names and messages written to attack a terminal, for the tests of what iter8ctl prints.
import type { ExperimentInput } from "@iter8ts/types";

/**
 * Every character a terminal acts on rather than prints (C0 and C1 controls, DEL, bidi
 * controls, line separators), except the newline a program writes between its own lines.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Clears the screen, retitles the window, recolours, returns to the line start, reverses text. */
export const HOSTILE = "\x1b[2J\x1b]0;owned\x07\r\n\u009b31m\u202e";
/** How {@link HOSTILE} is shown once escaped. */
export const HOSTILE_SHOWN = "\\u001b[2J\\u001b]0;owned\\u0007\\r\\n\\u009b31m\\u202e";

/**
 * A copy of an experiment with {@link HOSTILE} appended to every occurrence of the given names
 * (version and metric names, in spec and status alike) and to its status and condition messages.
 */
export function withHostileText(input: ExperimentInput, names: readonly string[]): ExperimentInput {
  let json = JSON.stringify(input);
  for (const name of names) json = json.replaceAll(JSON.stringify(name), JSON.stringify(`${name}${HOSTILE}`));
  const hostile = JSON.parse(json) as ExperimentInput;
  const status = hostile.status!;
  status.message = `ExperimentFailed: ${HOSTILE}`;
  for (const condition of status.conditions ?? []) condition.message = `${condition.message ?? ""}${HOSTILE}`;
  const winner = status.analysis?.winnerAssessment;
  if (winner) winner.message = `no winner${HOSTILE}`;
  return hostile;
}
