// Seeded invalid and hostile Experiments for the controller-level fuzz test. Each document starts
// from a valid Canary and gets either schema defects (the API server must refuse it with 422,
// naming the field) or exactly one defect only the controller can see (it must fail the
// experiment, naming what is wrong), dressed up with hostile but valid content: huge
// annotations, deep free-form JSON, long targets, many objectives, unusual characters.
//
// Every verdict is the same on testkit and on kube-apiserver: both validate custom resources with
// the CRD's structural schema alone (testkit's zod check is opt-in and off here), so what the
// CRD's pattern lets in but the schema refuses (a quantity no number holds) is stored by both, and
// both name the same field in their 422s. A verdict that came to differ would have to be written
// per server here, not loosened to "either".
import type { JsonObject } from "@iter8ts/testkit";
import { canaryExperiment, weightRef } from "./routing-fixtures";
import type { SeededRandom } from "./seeded-random";

/** What must become of a generated document. */
export type HostileExpectation =
  | { kind: "rejected"; /** Field paths the 422 must name (each appears in the causes). */ fields: string[] }
  | { kind: "failed"; /** The Failed condition's reason. */ reason: string; /** Text its message must contain. */ message: string; defect: string };

/** One generated document and what must become of it. */
export interface HostileExperiment {
  name: string;
  document: JsonObject;
  expect: HostileExpectation;
  /** The mutations applied, for failure messages. */
  applied: string[];
}

type Doc = JsonObject & { metadata: JsonObject & { annotations?: Record<string, string>; labels?: Record<string, string> }; spec: Spec };
interface Version {
  name: string;
  weightObjRef?: JsonObject;
}
interface Spec {
  target: unknown;
  strategy: { testingPattern: unknown; deploymentPattern?: unknown; actions?: Record<string, unknown>; weights?: JsonObject };
  criteria: { objectives?: Array<JsonObject & { metric: string }>; rewards?: JsonObject[]; strength?: unknown };
  duration: { intervalSeconds?: unknown; iterationsPerLoop?: unknown; maxLoops?: unknown };
  versionInfo?: { baseline: Version; candidates?: Version[] };
  [field: string]: unknown;
}

/** A defect the API server's schema validation must refuse, at `field`. */
interface SchemaDefect {
  field: string;
  apply(doc: Doc, random: SeededRandom): void;
}

/** A defect that passes the schema and that the controller must report. */
interface ControllerDefect {
  name: string;
  /** The Failed condition's reason (default InvalidExperiment). */
  reason?: string;
  message(doc: Doc): string;
  apply(doc: Doc, random: SeededRandom): void;
}

// Only what kube-apiserver refuses naming the field in a cause: it prunes a null (the field is then
// absent, which is valid) and reports 2^31 in an int32 field with the cause field "<nil>".
const schemaDefects: SchemaDefect[] = [
  { field: "spec.duration.intervalSeconds", apply: (d, r) => (d.spec.duration.intervalSeconds = r.pick([0, -5, 1.5, "10"])) },
  { field: "spec.duration.iterationsPerLoop", apply: (d, r) => (d.spec.duration.iterationsPerLoop = r.pick([0, -1, "many"])) },
  { field: "spec.duration.maxLoops", apply: (d) => (d.spec.duration.maxLoops = 0) },
  { field: "spec.strategy.testingPattern", apply: (d, r) => (d.spec.strategy.testingPattern = r.pick(["Blue", "", "canary", 7])) },
  { field: "spec.strategy.deploymentPattern", apply: (d) => (d.spec.strategy.deploymentPattern = "Sideways") },
  { field: "spec.target", apply: (d, r) => (d.spec.target = r.pick(["", 42, ["a", "b"]])) },
  { field: "spec.versionInfo.baseline.name", apply: (d) => (d.spec.versionInfo!.baseline.name = "") },
  { field: "spec.criteria.objectives[0].upperLimit", apply: (d, r) => (d.spec.criteria.objectives![0]!.upperLimit = r.pick(["abc", "1..2", "", true])) },
  { field: "spec.strategy.weights.maxCandidateWeight", apply: (d, r) => (d.spec.strategy.weights = { maxCandidateWeight: r.pick([150, -1, 2.5]) }) },
  { field: "spec.strategy.actions.start", apply: (d) => (d.spec.strategy.actions = { start: "echo not a list" }) },
  { field: "spec.criteria.rewards[0].preferredDirection", apply: (d) => (d.spec.criteria.rewards = [{ metric: "default/latency", preferredDirection: "Up" }]) },
  { field: "metadata.name", apply: (d, r) => (d.metadata.name = r.pick(["Bad_Name!", "x".repeat(300), "-leading-dash", "ünïcode"])) },
  { field: "metadata.labels", apply: (d) => (d.metadata.labels = { app: "v".repeat(64) }) },
];

const controllerDefects: ControllerDefect[] = [
  {
    name: "two candidates in a Canary",
    message: () => "Invalid number of candidates for Canary experiment",
    apply: (d) => d.spec.versionInfo!.candidates!.push({ name: "v3" }),
  },
  {
    name: "a candidate in a Conformance experiment",
    message: () => "Invalid number of candidates for Conformance experiment",
    apply: (d) => (d.spec.strategy.testingPattern = "Conformance"),
  },
  {
    name: "two versions with one name",
    message: () => "Version names are not unique",
    apply: (d) => (d.spec.versionInfo!.candidates![0]!.name = d.spec.versionInfo!.baseline.name),
  },
  {
    name: "an A/B test without a reward",
    message: () => "Invalid number of rewards for A/B experiment",
    apply: (d) => (d.spec.strategy.testingPattern = "A/B"),
  },
  {
    name: "a reward in a Canary",
    message: () => "Invalid number of rewards for Canary experiment",
    apply: (d) => (d.spec.criteria.rewards = [{ metric: "default/latency", preferredDirection: "Low" }]),
  },
  {
    name: "no versionInfo",
    message: () => "No versionInfo in experiment",
    apply: (d) => delete d.spec.versionInfo,
  },
  {
    name: "a fieldPath without a leading dot",
    // Observing the weights on entering Running reads the path first (as Iter8 did), and says which.
    message: () => `field path "spec.http[0].route[1].weight"`,
    apply: (d) => (d.spec.versionInfo!.candidates![0]!.weightObjRef!.fieldPath = "spec.http[0].route[1].weight"),
  },
  {
    name: "a task with both task and run",
    message: () => "spec.strategy.actions.start[0]",
    apply: (d) => (d.spec.strategy.actions = { start: [{ task: "common/exec", run: "echo both" }] }),
  },
  {
    // The CRD's pattern lets it in, so the API server stores it; only the schema sees that no
    // number holds it, and the controller must end the experiment instead of reading it forever.
    name: "a quantity too large for any number",
    message: (d) => `spec.criteria.objectives[0].upperLimit: "${String(d.spec.criteria.objectives![0]!.upperLimit)}" is not a finite quantity`,
    apply: (d, r) => (d.spec.criteria.objectives![0]!.upperLimit = r.pick(["1e309", "-2E400", "9e99999"])),
  },
  {
    name: "an objective on a metric that does not exist",
    reason: "MetricUnavailable",
    message: (d) => `Unable to find metric default/absent-${String(d.metadata.name)}`,
    apply: (d) => d.spec.criteria.objectives!.push({ metric: `default/absent-${String(d.metadata.name)}`, upperLimit: 1 }),
  },
  {
    name: "a weightObjRef to a VirtualService that does not exist",
    message: (d) => `missing-${String(d.metadata.name)}`,
    apply: (d) => {
      d.spec.versionInfo!.baseline.weightObjRef = weightRef("default", `missing-${String(d.metadata.name)}`, 0);
      d.spec.versionInfo!.candidates![0]!.weightObjRef = weightRef("default", `missing-${String(d.metadata.name)}`, 1);
    },
  },
];

function deepJson(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { nested: value } : [value];
  return value;
}

/** Valid but unfriendly content: none of it may change the outcome. */
const decorations: Array<{ name: string; apply(doc: Doc, random: SeededRandom): void }> = [
  { name: "100 KB annotation", apply: (d) => (d.metadata.annotations = { ...d.metadata.annotations, "example.com/blob": "x".repeat(100_000) }) },
  // Up to 1,000 levels; at about 2,000 (which the API server accepts) a reconcile overflows the
  // stack copying the experiment and the experiment is retried forever without a status.
  { name: "deep strength", apply: (d, r) => (d.spec.criteria.strength = deepJson(r.int(100, 1_000))) },
  { name: "long target", apply: (d) => (d.spec.target = `${String(d.spec.target)}/${"t".repeat(10_000)}`) },
  {
    name: "many objectives",
    apply: (d) => d.spec.criteria.objectives!.push(...Array.from({ length: 100 }, (_, i) => ({ metric: "default/latency", upperLimit: 1_000 + i }))),
  },
  { name: "unusual characters", apply: (d) => (d.metadata.annotations = { ...d.metadata.annotations, "example.com/note": "\u0000\u202e🚀\uFFFF'\"\\$(ACTION)`{{.Name}}" }) },
  { name: "huge interval", apply: (d) => (d.spec.duration.intervalSeconds = 2 ** 31 - 1) },
  { name: "many loops", apply: (d) => ((d.spec.duration.iterationsPerLoop = 2 ** 31 - 1), (d.spec.duration.maxLoops = 2 ** 31 - 1)) },
  { name: "unknown field", apply: (d) => (d.spec.surprise = { nested: [1, 2, 3] }) },
];

function baseExperiment(name: string): Doc {
  return canaryExperiment(name, { iterationsPerLoop: 1, maxLoops: 1, actions: false }) as Doc;
}

/**
 * The `index`-th hostile experiment: about a third carry 1-3 schema defects, the rest exactly one
 * controller-level defect; each gets 0-3 decorations.
 */
export function hostileExperiment(index: number, random: SeededRandom): HostileExperiment {
  const name = `hostile-${index}`;
  const doc = baseExperiment(name);
  const applied: string[] = [];
  for (let n = random.int(0, 3); n > 0; n--) {
    const decoration = random.pick(decorations);
    decoration.apply(doc, random);
    applied.push(decoration.name);
  }
  if (random.chance(0.35)) {
    const fields = new Set<string>();
    for (let n = random.int(1, 3); n > 0; n--) {
      const defect = random.pick(schemaDefects);
      defect.apply(doc, random);
      fields.add(defect.field);
      applied.push(`schema: ${defect.field}`);
    }
    return { name, document: doc, expect: { kind: "rejected", fields: [...fields] }, applied };
  }
  const defect = random.pick(controllerDefects);
  defect.apply(doc, random);
  applied.push(defect.name);
  return { name, document: doc, expect: { kind: "failed", reason: defect.reason ?? "InvalidExperiment", message: defect.message(doc), defect: defect.name }, applied };
}
