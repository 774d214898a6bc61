import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseDocuments, type Experiment, type Metric } from "@iter8ts/types";
import { objectKeyId, objectKeyOf, type KubeObject } from "@iter8ts/resources";
import { E2eError, E2eErrorCode } from "./e2e-error";

/** The repository's `samples/` folder. */
export const SAMPLES_DIR = resolve(import.meta.dirname, "..", "..", "..", "samples");

/** The cluster quickstarts, each a folder of `samples/`. */
export const QUICKSTART_STACKS = ["istio", "kfserving", "knative", "seldon", "seldon-single"] as const;
/** One of the cluster quickstarts. */
export type QuickstartStack = (typeof QUICKSTART_STACKS)[number];

/** Everything a sample folder holds, read and validated. */
export interface SampleDocuments {
  /** The folder. */
  dir: string;
  /** The one Experiment of the folder, as written (no defaults). */
  experiment: Experiment;
  /** Every Metric of the folder. */
  metrics: Metric[];
  /**
   * Every other object of the folder's files (namespaces, apps, models, routing), in the order
   * `kubectl apply -f <dir>` applies them: files by name, documents in file order. An object
   * defined twice (a Knative Service first as its baseline, then with its candidate) appears
   * once, as last defined, at its first position.
   */
  objects: KubeObject[];
  /** The folder holding the promotion manifests the finish action applies. */
  promoteDir: string;
  /** The promotion manifests: file name → absolute path. */
  promoteFiles: Record<string, string>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

function isKubeObject(value: Record<string, unknown>): value is KubeObject {
  const metadata = value.metadata as Record<string, unknown> | undefined;
  return typeof value.apiVersion === "string" && typeof value.kind === "string" && typeof metadata?.name === "string";
}

/**
 * Reads a sample folder (a quickstart name such as `istio`, or a path) the way `kubectl apply -f`
 * reads it: the YAML files at the top of the folder, not `promote/`.
 *
 * @throws E2eError `sample_invalid` naming the file, line and field of the first document that
 *   does not validate, or `sample_incomplete` when the folder does not hold exactly one Experiment.
 */
export function loadSample(stackOrDir: string): SampleDocuments {
  const dir = stackOrDir.includes("/") ? resolve(stackOrDir) : join(SAMPLES_DIR, stackOrDir);
  const experiments: Experiment[] = [];
  const metrics: Metric[] = [];
  const objects = new Map<string, KubeObject>();
  for (const file of yamlFiles(dir)) {
    for (const doc of parseDocuments(readFileSync(join(dir, file), "utf8"))) {
      if (!doc.result.ok) {
        const [first] = doc.result.errors;
        throw new E2eError(
          E2eErrorCode.SampleInvalid,
          `${join(basename(dir), file)}:${first?.line ?? doc.line} ${first?.path ?? "(document)"}: ${first?.message ?? "does not validate"}`,
        );
      }
      if (doc.type === "experiment") experiments.push(doc.result.value);
      else if (doc.type === "metric") metrics.push(doc.result.value);
      else if (doc.type === "other" || doc.type === "secret") {
        const value = doc.result.value as Record<string, unknown>;
        if (!isKubeObject(value)) {
          throw new E2eError(E2eErrorCode.SampleInvalid, `${join(basename(dir), file)}:${doc.line} needs apiVersion, kind and metadata.name`);
        }
        objects.set(objectKeyId(objectKeyOf(value)), value);
      }
    }
  }
  const [experiment, ...extra] = experiments;
  if (!experiment || extra.length > 0) {
    throw new E2eError(E2eErrorCode.SampleIncomplete, `${dir} must hold exactly one Experiment, found ${experiments.length}`);
  }
  const promoteDir = join(dir, "promote");
  let promoteFiles: Record<string, string> = {};
  try {
    promoteFiles = Object.fromEntries(yamlFiles(promoteDir).map((f) => [f, join(promoteDir, f)]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { dir, experiment, metrics, objects: [...objects.values()], promoteDir, promoteFiles };
}
