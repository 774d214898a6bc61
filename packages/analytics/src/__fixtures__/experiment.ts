// Builds well-typed experiments for tests, through the API's own schema so defaults (metric
// type, method) are filled exactly as a parsed document would have them.
import { ExperimentSchema } from "@iter8ts/types";
import type { Experiment, ExperimentInput } from "@iter8ts/types";

type SpecInput = ExperimentInput["spec"];
type StatusInput = NonNullable<ExperimentInput["status"]>;

export interface ExperimentParts {
  name?: string;
  namespace?: string;
  /** Merged over a Canary experiment of baseline `v1` and candidate `v2`. */
  spec?: Partial<SpecInput>;
  status?: StatusInput;
}

export function makeExperiment(parts: ExperimentParts = {}): Experiment {
  return ExperimentSchema.parse({
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name: parts.name ?? "exp", namespace: parts.namespace ?? "default" },
    spec: {
      target: "app",
      strategy: { testingPattern: "Canary" },
      versionInfo: { baseline: { name: "v1" }, candidates: [{ name: "v2" }] },
      ...parts.spec,
    },
    ...(parts.status ? { status: parts.status } : {}),
  });
}

/** Three versions: baseline v1, candidates v2 and v3. */
export const threeVersions = { baseline: { name: "v1" }, candidates: [{ name: "v2" }, { name: "v3" }] };
