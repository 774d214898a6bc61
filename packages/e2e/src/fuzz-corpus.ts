import { stringify } from "yaml";
import type { Experiment, Metric } from "@iter8ts/types";
import { FuzzRandom } from "./fuzz-random";
import { loadSample, QUICKSTART_STACKS, type QuickstartStack } from "./load-sample";
import { Mutation, mutateDocument, mutateText, type Planted } from "./mutate-document";

/** One fuzzed document, reproducible from `seed` and `index` alone. */
export interface FuzzCase {
  /** `<seed>#<index>`. */
  id: string;
  index: number;
  kind: "Experiment" | "Metric";
  /** The quickstart the document was derived from. */
  stack: QuickstartStack;
  /** Which base document was damaged (an experiment variant, or a metric's name). */
  base: string;
  /** What was done to it, in order. */
  changes: string[];
  /** The damaged document: an object, or YAML/JSON text. */
  input: unknown;
  /** Values validation must report where they were planted, if they are still there. */
  planted: Planted[];
  /** Weights to put into the routing objects of the run, one per version with a `weightObjRef`. */
  routing?: number[];
}

/** The undamaged documents the fuzzer starts from. */
export interface FuzzBases {
  experiments: { stack: QuickstartStack; label: string; document: Experiment }[];
  metrics: { stack: QuickstartStack; label: string; document: Metric }[];
}

const MUTATIONS = Object.values(Mutation);

/**
 * Variants of a quickstart experiment that reach the parts the samples leave out: the other
 * testing and deployment patterns, several loops, and every action with tasks and conditions.
 */
function variants(stack: QuickstartStack, experiment: Experiment): { label: string; document: Experiment }[] {
  const out: { label: string; document: Experiment }[] = [{ label: `${stack}`, document: experiment }];
  const info = experiment.spec.versionInfo;
  const copy = () => structuredClone(experiment);

  const canary = copy();
  canary.spec.strategy.testingPattern = "Canary";
  delete canary.spec.criteria?.rewards;
  out.push({ label: `${stack}/canary`, document: canary });

  const conformance = copy();
  conformance.spec.strategy.testingPattern = "Conformance";
  delete conformance.spec.criteria?.rewards;
  if (conformance.spec.versionInfo) delete conformance.spec.versionInfo.candidates;
  out.push({ label: `${stack}/conformance`, document: conformance });

  const blueGreen = copy();
  blueGreen.spec.strategy.deploymentPattern = "BlueGreen";
  blueGreen.spec.duration = { intervalSeconds: 5, iterationsPerLoop: 2, maxLoops: 2 };
  out.push({ label: `${stack}/blue-green`, document: blueGreen });

  const fixed = copy();
  fixed.spec.strategy.deploymentPattern = "FixedSplit";
  fixed.spec.strategy.weights = { maxCandidateWeight: 50, maxCandidateWeightIncrement: 20 };
  for (const o of fixed.spec.criteria?.objectives ?? []) o.rollback_on_failure = true;
  out.push({ label: `${stack}/fixed-split-rollback`, document: fixed });

  const actions = copy();
  const ref = info?.baseline.weightObjRef;
  actions.spec.duration = { intervalSeconds: 1, iterationsPerLoop: 2, maxLoops: 2 };
  actions.spec.strategy.actions = {
    start: [
      {
        task: "common/readiness",
        with: { initialDelaySeconds: 0, intervalSeconds: 1, numRetries: 2, objRefs: ref ? [{ kind: ref.kind ?? "", name: ref.name ?? "", namespace: ref.namespace ?? "default" }] : [] },
      },
      { task: "metrics/collect", with: { time: "1s", versions: [{ name: info?.baseline.name ?? "", url: "http://127.0.0.1:9/" }] } },
    ],
    loop: [{ run: "echo loop @< .Status.CompletedIterations >@ of @< .Name >@" }, { if: "status.completedIterations > 1", task: "common/bash", with: { script: "echo {{ .name }}" } }],
    finish: [
      { if: "CandidateWon()", task: "common/promote-kubectl", with: { manifest: "{{ .promote }}" } },
      { if: "not CandidateWon()", task: "common/exec", with: { cmd: "echo", args: ["keep", "{{ .name }}"] } },
      { task: "notification/http", with: { URL: "http://127.0.0.1:9/hook", body: '{"winner": "@< .this.status.versionRecommendedForPromotion >@"}', ignoreFailure: false } },
      { task: "notification/slack", with: { channel: "C0", secret: "slack-token" } },
    ],
    failure: [{ run: "echo failed @< .Name >@" }],
  };
  out.push({ label: `${stack}/actions`, document: actions });
  return out;
}

/** The documents of the five quickstarts and their variants. */
export function loadFuzzBases(): FuzzBases {
  const bases: FuzzBases = { experiments: [], metrics: [] };
  for (const stack of QUICKSTART_STACKS) {
    const sample = loadSample(stack);
    for (const v of variants(stack, sample.experiment)) bases.experiments.push({ stack, ...v });
    for (const m of sample.metrics) bases.metrics.push({ stack, label: `${stack}:${m.metadata?.name ?? ""}`, document: m });
  }
  return bases;
}

function nestedDeeply(changes: readonly string[]): boolean {
  return changes.some((c) => c.includes("nested"));
}

/**
 * The fuzz case `index` of the corpus `seed` (see {@link fuzzKind} for its kind). A
 * base document gets one to three mutations (see {@link Mutation}); one case in five is then
 * written out as YAML or JSON text, half of those with the text damaged as well.
 */
export function fuzzCase(bases: FuzzBases, seed: string, index: number): FuzzCase {
  const random = new FuzzRandom(`${seed}:${index}`);
  const kind = fuzzKind(index);
  const base = kind === "Experiment" ? random.pick(bases.experiments) : random.pick(bases.metrics);
  // One copy per case; the mutations then work on it in place.
  let document: unknown = structuredClone(base.document);
  const changes: string[] = [];
  const planted: Planted[] = [];
  let routing: number[] | undefined;
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const mutated = mutateDocument(document, random.pick(MUTATIONS), random, { inPlace: true });
    document = mutated.document;
    changes.push(mutated.change);
    if (mutated.planted) planted.push(mutated.planted);
    if (mutated.routing) routing = mutated.routing;
  }
  let input: unknown = document;
  if (random.chance(0.2)) {
    // YAML output of a deeply nested value is as deep as the value; JSON writes it flat enough.
    let text = random.chance(0.5) || nestedDeeply(changes) ? JSON.stringify(document, null, random.chance(0.5) ? 2 : undefined) ?? "null" : stringify(document);
    changes.push("as text");
    if (random.chance(0.5)) {
      const damaged = mutateText(text, random);
      text = damaged.text;
      changes.push(damaged.change);
    }
    input = text;
  }
  const fuzz: FuzzCase = { id: `${seed}#${index}`, index, kind, stack: base.stack, base: base.label, changes, input, planted };
  if (routing) fuzz.routing = routing;
  return fuzz;
}

/** The kind of document of case `index`: even indices are Experiments, odd ones Metrics. */
export function fuzzKind(index: number): FuzzCase["kind"] {
  return index % 2 === 0 ? "Experiment" : "Metric";
}

/**
 * The cases `start` … `start + count - 1` of the corpus `seed`, generated one at a time; with
 * `kinds`, only the cases of those kinds are generated (and yielded).
 */
export function* fuzzCorpus(bases: FuzzBases, seed: string, count: number, start = 0, kinds?: ReadonlySet<FuzzCase["kind"]>): Generator<FuzzCase> {
  for (let i = start; i < start + count; i++) if (!kinds || kinds.has(fuzzKind(i))) yield fuzzCase(bases, seed, i);
}
