import { roundWeights } from "@iter8ts/analytics";
import type { VersionWeight } from "@iter8ts/types";
import { WeightsError, WeightsErrorCode } from "./weights-error";

/** Recommended weights ready to write, and what had to be adjusted to get there. */
export interface NormalizedWeights {
  /** One entry per recommended version, in version order. */
  weights: VersionWeight[];
  warnings: string[];
}

/**
 * Checks recommended weights against the experiment's versions and makes them writable: whole
 * numbers that add up to 100 when every version has a recommendation. Weights that are fractional
 * or do not add up to 100 are rescaled with `roundWeights` of `@iter8ts/analytics` (largest
 * remainder, ties to the earlier version) and a warning says so. Entries for
 * names that are not versions of the experiment are dropped with a warning.
 *
 * @param versions version names in order (baseline first).
 * @throws WeightsError `invalid_recommendation` for negative or non-numeric values, a version
 *   recommended twice, or partial recommendations adding up to more than 100.
 */
export function normalizeRecommendedWeights(versions: readonly string[], recommended: readonly VersionWeight[]): NormalizedWeights {
  const warnings: string[] = [];
  const byName = new Map<string, number>();
  for (const { name, value } of recommended) {
    if (!versions.includes(name)) {
      warnings.push(`ignored the recommended weight of ${JSON.stringify(name)}, which is not a version of this experiment`);
      continue;
    }
    if (byName.has(name)) {
      throw new WeightsError(WeightsErrorCode.InvalidRecommendation, `version ${JSON.stringify(name)} has two recommended weights; give each version one`);
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new WeightsError(WeightsErrorCode.InvalidRecommendation, `the recommended weight of version ${JSON.stringify(name)} is ${JSON.stringify(value)}; weights must be numbers from 0 to 100`);
    }
    byName.set(name, value);
  }
  const names = versions.filter((v) => byName.has(v));
  const values = names.map((n) => byName.get(n) as number);
  const sum = values.reduce((a, b) => a + b, 0);
  const whole = values.every((v) => Number.isInteger(v));
  let final = values;
  if (names.length === versions.length && names.length > 0) {
    if (!whole || sum !== 100) {
      final = roundWeights(values);
      warnings.push(`recommended weights ${values.join(", ")} were rescaled to ${final.join(", ")} so that they are whole numbers adding up to 100`);
    }
  } else {
    if (sum > 100) {
      throw new WeightsError(
        WeightsErrorCode.InvalidRecommendation,
        `the recommended weights of ${names.map((n) => JSON.stringify(n)).join(", ")} add up to ${sum}, more than 100`,
      );
    }
    if (!whole) {
      final = values.map((v) => Math.round(v));
      warnings.push(`recommended weights ${values.join(", ")} were rounded to ${final.join(", ")}`);
    }
  }
  return { weights: names.map((name, i) => ({ name, value: final[i] as number })), warnings };
}
