import type { ExperimentKey, ExperimentStore, StatusWriteResult } from "@iter8ts/engine";
import { API_VERSION, ExperimentSchema, issuesFromZod, MetricSchema, type Experiment, type ExperimentStatus, type Metric } from "@iter8ts/types";
import { describeMatch, type LocalDocuments, type LocalObject } from "./local-documents";
import { LocalRunError, LocalRunErrorCode } from "./local-run-error";

/** The part of a zod schema used here (the CLI reaches zod only through the types package). */
interface ObjectSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof issuesFromZod>[0] };
}

function parseObject<T>(schema: ObjectSchema<T>, object: LocalObject): T {
  const parsed = schema.safeParse(object.value);
  if (parsed.success) return parsed.data;
  const issues = issuesFromZod(parsed.error, object.value).map((i) => `${i.path}: ${i.message}`);
  throw new LocalRunError(
    LocalRunErrorCode.InvalidDocument,
    `${describeMatch(object)} in ${object.file}:${object.line} no longer validates (${issues.join("; ")}); correct the file and the run continues`,
    issues,
  );
}

/**
 * The engine's experiment store over the files of a local run. The `resourceVersion` it hands
 * out is the content version of the Experiment's document, so a status write fails as a
 * conflict when anything in the document changed since it was read — an edit in an editor as
 * much as a write by a task — and the engine then reads it again. Status is written into the
 * Experiment's own document, next to its spec, where `iter8ctl describe -f` finds it.
 */
export class LocalExperimentStore implements ExperimentStore {
  constructor(private readonly documents: LocalDocuments) {}

  #experiment(object: LocalObject): Experiment {
    const experiment = parseObject(ExperimentSchema, object);
    experiment.metadata.namespace = object.namespace;
    experiment.metadata.resourceVersion = object.version;
    return experiment;
  }

  async getExperiment(key: ExperimentKey): Promise<Experiment | undefined> {
    const [object] = await this.documents.find({ apiVersion: API_VERSION, kind: "Experiment", namespace: key.namespace, name: key.name });
    return object && this.#experiment(object);
  }

  async listExperiments(filter: { target?: string } = {}): Promise<Experiment[]> {
    const objects = await this.documents.objects();
    return objects
      .filter((o) => o.kind === "Experiment" && o.apiVersion === API_VERSION)
      .map((o) => this.#experiment(o))
      .filter((e) => filter.target === undefined || e.spec.target === filter.target);
  }

  async writeStatus(key: ExperimentKey, status: ExperimentStatus, resourceVersion: string | undefined): Promise<StatusWriteResult> {
    const result = await this.documents.update(
      { apiVersion: API_VERSION, kind: "Experiment", namespace: key.namespace, name: key.name },
      // Through JSON, as a status crosses an API: no undefined fields reach the file.
      (value) => ({ ...value, status: JSON.parse(JSON.stringify(status)) as unknown }),
      resourceVersion,
    );
    if (result.kind !== "written") return { kind: result.kind };
    return { kind: "written", resourceVersion: result.object.version };
  }

  async getMetric(namespace: string, name: string): Promise<Metric | undefined> {
    const [object] = await this.documents.find({ apiVersion: API_VERSION, kind: "Metric", namespace, name });
    if (!object) return undefined;
    const metric = parseObject(MetricSchema, object);
    metric.metadata ??= {};
    metric.metadata.namespace = object.namespace;
    return metric;
  }
}
