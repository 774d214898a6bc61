// Measures how fast documents are validated and CRDs generated (run with `pnpm -F @iter8ts/types bench`,
// which builds first). Prints numbers; asserts nothing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stdout } from "node:process";
import { crdYaml, parseDocuments, parseExperiment } from "../dist/index.js";

const samples = join(import.meta.dirname, "..", "..", "..", "samples");
const texts = readdirSync(samples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(samples, d.name)).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(samples, d.name, f), "utf8")));
const experiment = readFileSync(join(samples, "istio", "experiment.yaml"), "utf8");
const experimentObject = parseExperiment(experiment).value;

function bench(label, fn, minMs = 1000) {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  const perOp = (performance.now() - start) / n;
  stdout.write(`${label.padEnd(48)} ${(1000 / perOp).toFixed(0).padStart(8)} ops/s  ${(perOp * 1000).toFixed(1).padStart(9)} µs/op\n`);
}

const documents = texts.reduce((sum, t) => sum + parseDocuments(t).length, 0);
bench("parseExperiment(object) istio sample", () => parseExperiment(experimentObject));
bench("parseExperiment(text) istio sample", () => parseExperiment(experiment));
bench(`parseDocuments: all samples (${texts.length} files, ${documents} docs)`, () => texts.forEach((t) => parseDocuments(t)));
bench("crdYaml()", () => crdYaml());
