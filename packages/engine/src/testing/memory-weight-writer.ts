import type { Experiment, VersionDetail, VersionWeight } from "@iter8ts/types";
import type { WeightWriter } from "../ports";
import { Faults } from "./faults";

/**
 * Traffic weights in memory, one number per version that has a `weightObjRef`. Observing
 * follows the original rules: a single version without a reference gets the remainder to 100
 * (listed last), two or more without one are an error except under FixedSplit.
 */
export class MemoryWeightWriter implements WeightWriter {
  readonly faults = new Faults<"observe" | "apply">();
  /** Every apply, oldest first. */
  readonly applied: VersionWeight[][] = [];
  readonly #weights = new Map<string, number>();

  /** Sets the weights held by the versions' objects, e.g. `{ v1: 100, v2: 0 }`. */
  constructor(initial: Record<string, number> = {}) {
    for (const [name, value] of Object.entries(initial)) this.#weights.set(name, value);
  }

  /** The weight a version's object holds now. */
  weightOf(version: string): number | undefined {
    return this.#weights.get(version);
  }

  async observe(experiment: Experiment): Promise<VersionWeight[]> {
    this.faults.check("observe");
    const info = experiment.spec.versionInfo;
    if (!info) return [];
    const versions: VersionDetail[] = [info.baseline, ...(info.candidates ?? [])];
    const out: VersionWeight[] = [];
    const without: string[] = [];
    for (const v of versions) {
      if (!v.weightObjRef) {
        without.push(v.name);
        continue;
      }
      const value = this.#weights.get(v.name);
      if (value === undefined) throw new Error(`object of version ${v.name} has no weight at ${v.weightObjRef.fieldPath ?? "(no fieldPath)"}`);
      out.push({ name: v.name, value });
    }
    if (without.length === 1) out.push({ name: without[0] ?? "", value: 100 - out.reduce((sum, w) => sum + w.value, 0) });
    else if (without.length > 1 && experiment.spec.strategy.deploymentPattern !== "FixedSplit") {
      // A spec problem: trying again cannot help.
      throw Object.assign(new Error("unable to read version weights; insufficient number of weightObjectRef specified"), {
        retryable: false,
      });
    }
    return out;
  }

  async apply(experiment: Experiment, weights: VersionWeight[]): Promise<void> {
    this.faults.check("apply");
    const info = experiment.spec.versionInfo;
    const patchable = new Set(
      (info ? [info.baseline, ...(info.candidates ?? [])] : [])
        .filter((v) => v.weightObjRef && (v.weightObjRef.fieldPath ?? "") !== "")
        .map((v) => v.name),
    );
    const changes = weights.filter((w) => patchable.has(w.name));
    for (const w of changes) this.#weights.set(w.name, w.value);
    this.applied.push(changes.map((w) => ({ ...w })));
  }
}
