import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { parseAllDocuments } from "yaml";
import { parseDocuments } from "@iter8ts/types";
import { DemoError, DemoErrorCode } from "./demo-error";
import { DemoPlaceholder, fillPlaceholders } from "./placeholders";
import { parseRoutingDocument } from "./routing-document";

/** Replacement values for `spec.duration` of every Experiment (the demo's `--fast` mode). */
export interface DurationOverride {
  intervalSeconds?: number;
  iterationsPerLoop?: number;
  maxLoops?: number;
}

/** Options of {@link prepareWorkdir}. */
export interface PrepareOptions {
  /** The sample, e.g. `samples/local/ab-progressive`. */
  sampleDir: string;
  /** Where the working copy goes; created when missing. `${DEMO_WORKDIR}` becomes its absolute path. */
  workdir: string;
  /** Values of the other placeholders (see `DemoPlaceholder`). */
  values: Readonly<Record<string, string>>;
  duration?: DurationOverride;
}

/** An Experiment found in the working copy. */
export interface PreparedExperiment {
  /** Path relative to the working copy. */
  file: string;
  name: string;
  namespace: string;
}

/** The working copy of a sample, ready for `iter8ctl run <dir>`. */
export interface PreparedSample {
  /** Absolute path of the working copy. */
  dir: string;
  /** Every file copied, relative to `dir`, sorted. */
  files: string[];
  experiments: PreparedExperiment[];
}

const DOCUMENT_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path, base)));
    else if (entry.isFile()) out.push(relative(base, path));
  }
  return out.sort();
}

/**
 * Sets `spec.duration` fields of every Experiment in a YAML text, keeping comments and layout.
 * Other documents are left as they are.
 */
export function overrideDuration(text: string, duration: DurationOverride): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return text;
  for (const doc of docs) {
    if (doc.get("kind") !== "Experiment") continue;
    for (const [field, value] of Object.entries(duration)) {
      if (value !== undefined) doc.setIn(["spec", "duration", field], value);
    }
  }
  return docs.map(String).join("");
}

/**
 * Makes the working copy of a sample: copies every file, fills the `${DEMO_…}` placeholders of
 * its YAML and JSON files, applies the duration override, and validates the result — every
 * Experiment and Metric with `@iter8ts/types`, every VirtualService as the router reads it — so
 * that a mistake is reported with its file and line before any experiment starts.
 *
 * @throws DemoError `sample_not_found`, `placeholder_unknown` or `sample_invalid`.
 */
export async function prepareWorkdir(options: PrepareOptions): Promise<PreparedSample> {
  const sampleDir = resolve(options.sampleDir);
  const dir = resolve(options.workdir);
  let files: string[];
  try {
    files = await listFiles(sampleDir);
  } catch (error) {
    throw new DemoError(DemoErrorCode.SampleNotFound, `cannot read the sample directory ${sampleDir}: ${(error as Error).message}`, { cause: error });
  }
  if (dir === sampleDir || dir.startsWith(sampleDir + sep)) {
    throw new DemoError(DemoErrorCode.InvalidOption, `the working copy ${dir} must not be inside the sample ${sampleDir}; choose another directory`);
  }
  const values = { ...options.values, [DemoPlaceholder.Workdir]: dir };
  const problems: string[] = [];
  const experiments: PreparedExperiment[] = [];
  for (const file of files) {
    const from = join(sampleDir, file);
    const to = join(dir, file);
    await mkdir(resolve(to, ".."), { recursive: true });
    if (!DOCUMENT_EXTENSIONS.has(extname(file))) {
      await writeFile(to, await readFile(from));
      continue;
    }
    let text = fillPlaceholders(await readFile(from, "utf8"), values, from);
    if (options.duration) text = overrideDuration(text, options.duration);
    await writeFile(to, text);

    const topLevel = !file.includes(sep);
    for (const doc of parseDocuments(text)) {
      const where = `${join(dir, file)} line ${doc.line}`;
      if (!doc.result.ok) {
        for (const issue of doc.result.errors) problems.push(`${join(dir, file)} line ${issue.line ?? doc.line}: ${issue.path}: ${issue.message}`);
        continue;
      }
      if (doc.type === "experiment" && topLevel) {
        experiments.push({ file, name: doc.name ?? "(unnamed)", namespace: doc.namespace ?? "default" });
      }
      if (doc.kind === "VirtualService") {
        try {
          parseRoutingDocument(JSON.stringify(doc.result.value), where);
        } catch (error) {
          if (error instanceof DemoError) problems.push(error.message);
          else throw error;
        }
      }
    }
  }
  if (problems.length === 0 && experiments.length === 0) {
    problems.push(`${sampleDir} holds no Experiment at its top level; add experiment.yaml`);
  }
  if (problems.length > 0) {
    throw new DemoError(DemoErrorCode.SampleInvalid, `the sample ${sampleDir} does not validate once prepared:\n  ${problems.join("\n  ")}`);
  }
  return { dir, files, experiments };
}
