import { readFile } from "node:fs/promises";
import { METRIC_PROVIDER_V1, MetricErrorCode, metricFailure, type MetricProviderV1, type MetricResultV1 } from "@iter8ts/metrics";

/** Options of {@link jsonFileProvider}. */
export interface JsonFileProviderOptions {
  /** The JSON file to read on every query. */
  path: string;
  /** The `spec.provider` name to answer to (default `jsonfile`). */
  name?: string;
  /** Reads the file (injected in tests; default `fs.readFile`). */
  read?: (path: string) => Promise<string>;
}

type Entry = number | { value: number; sampleSize?: number };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A metric provider that reads values from a JSON file instead of a metrics backend: useful
 * when a batch job (an offline evaluation, a data-warehouse export) writes the numbers an
 * experiment should judge. The file maps metric keys to versions to values:
 *
 * ```json
 * { "default/accuracy": { "v1": 0.91, "v2": { "value": 0.93, "sampleSize": 5000 } } }
 * ```
 *
 * A metric is looked up by its `namespace/name` key, then by its bare name. The file is read on
 * every query, so a job can update it between iterations.
 */
export function jsonFileProvider(options: JsonFileProviderOptions): MetricProviderV1 {
  const read = options.read ?? ((path: string) => readFile(path, "utf8"));
  return {
    apiVersion: METRIC_PROVIDER_V1,
    name: options.name ?? "jsonfile",
    async query(q): Promise<MetricResultV1> {
      let text: string;
      try {
        text = await read(options.path);
      } catch (error) {
        const code = (error as { code?: string }).code ?? "read error";
        return metricFailure(q, { code: MetricErrorCode.Unreachable, message: `cannot read ${options.path} (${code}); check that the file exists` });
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return metricFailure(q, { code: MetricErrorCode.BadJson, message: `${options.path} is not valid JSON` });
      }
      if (!isRecord(doc)) return metricFailure(q, { code: MetricErrorCode.BadJson, message: `${options.path} must hold an object keyed by metric` });
      const shortName = q.key.slice(q.key.indexOf("/") + 1);
      const byVersion = doc[q.key] ?? doc[shortName];
      if (!isRecord(byVersion)) {
        return metricFailure(q, { code: MetricErrorCode.NoNumber, message: `${options.path} has no entry "${q.key}" (or "${shortName}")` });
      }
      const entry = byVersion[q.version.name] as Entry | undefined;
      const value = typeof entry === "number" ? entry : isRecord(entry) ? entry.value : undefined;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return metricFailure(q, {
          code: MetricErrorCode.NoNumber,
          message: `${options.path} has no finite number for version ${q.version.name} under "${q.key}"`,
        });
      }
      const sampleSize = isRecord(entry) && typeof entry.sampleSize === "number" ? entry.sampleSize : undefined;
      return sampleSize === undefined ? { ok: true, value } : { ok: true, value, sampleSize };
    },
  };
}
