import type { DecisionRecord } from "@iter8ts/engine";

/** Decisions with the shape a report relies on; a hand-edited entry that lacks it is skipped. */
export function usableDecisions(decisions: readonly DecisionRecord[] | undefined): DecisionRecord[] {
  return (decisions ?? []).filter((d) => Number.isInteger(d.iteration) && d.iteration >= 1);
}
