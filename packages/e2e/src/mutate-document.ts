import type { FuzzRandom } from "./fuzz-random";

/** One step of a path into a JSON document. */
type Segment = string | number;
type Json = unknown;

/** Kinds of damage the fuzzer does to a document. */
export const Mutation = {
  Drop: "drop",
  Duplicate: "duplicate",
  Retype: "retype",
  WrongEnum: "wrong-enum",
  ExtremeNumber: "extreme-number",
  DeepNesting: "deep-nesting",
  Unicode: "unicode",
  EmptyString: "empty-string",
  InvalidQuantity: "invalid-quantity",
  BadFieldPath: "bad-field-path",
  UnknownTask: "unknown-task",
  MalformedIf: "malformed-if",
  BadMetricRef: "bad-metric-ref",
  ManyVersions: "many-versions",
  SpecialKey: "special-key",
  HugeString: "huge-string",
  Transplant: "transplant",
  /** NaN, infinities and quantities beyond a JavaScript number (`"1e309"`) in quantity fields. */
  NonFiniteQuantity: "non-finite-quantity",
  /** Routing objects whose weights add up to other than 100, or go negative (see `FuzzCase.routing`). */
  RoutingWeights: "routing-weights",
  /** Templates, conditions, jq and JSONata expressions, field paths and query templates nested or chained far past `InputLimits`. */
  DeepExpression: "deep-expression",
  /** Terminal control characters (ESC sequences, `\r`, C1, bidi overrides) in names, messages and keys. */
  ControlCharacters: "control-characters",
} as const;
export type Mutation = (typeof Mutation)[keyof typeof Mutation];

/**
 * A value a mutation planted that validation must report at its field, as long as it is still
 * there when the other mutations are done: by the parse functions of @iter8ts/types, at exactly
 * that path, or by the tasks' validation, at the task that holds it.
 */
export interface Planted {
  segments: Segment[];
  value: unknown;
  reportedBy: "parse" | "tasks";
}

/** What {@link mutateDocument} did. */
export interface MutationResult {
  document: Json;
  /** A short description of the change. */
  change: string;
  /** A value that validation must report (see {@link Planted}). */
  planted?: Planted;
  /** Weights for the routing objects, one per version with a `weightObjRef`, in version order. */
  routing?: number[];
}

const ENUM_FIELDS = new Set(["testingPattern", "deploymentPattern", "preferredDirection", "type", "authType", "method", "provider"]);
const ENUM_VALUES = [
  "", "canary", "AB", "A/B/n", "a/b", "A/B/N", "A/B", "Canary", "Conformance", "CANARY", "Progressive ", "Progressive", "BlueGreen",
  "FixedSplit", "fixedsplit", "High", "low", "Low", "Counter", "gauge", "Gauge", "GET", "post", "POST", "Bearer", "Basic", "APIKey",
  "apikey", "iter8", "mock", "prometheus", "Unknown",
];
const NUMBERS = [
  2147483647, 2147483648, -2147483649, 1e308, -1e308, -1, 0, -0, 0.5, 1.5, 101, Number.MAX_SAFE_INTEGER + 2, Number.NaN,
  Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300,
];
const UNICODE = [
  "ünïcödé", "名前", "🚀💥", "\u0000", "a\u0000b", "\u200b", "\uD800", "\uDFFF", "a\nb", "\u202Ekcatta", "Ω".repeat(300), "   ", "\t", "\\", "'\"", "${elapsedTime}",
  "$name", "{{ .promote }}", "@< .Name >@", "%s%n", "<script>",
];
const QUANTITIES = ["1.2.3", "10mm", "1e1000", "-", " 5", "0x10", "∞", "5 ", "1Ki1", ".", "+", "1E", "0.01", "-0", "1e-9", "9".repeat(40), "1m", "100Gi", 0.01, -5, 1e21];
const FIELD_PATHS = [
  "", "spec.http[0]", ".spec..http", ".spec.http[-1].weight", ".spec.http[*].weight", ".spec.http[0].route[9].weight", ".metadata.name",
  ".spec.http[0", ".spec['a", ".", ".spec.http[0].route[0]", ".spec.http[0].route[0].destination.host", ".spec.http[99999999999999999999].weight",
  ".spec.traffic[0].percent", ".spec.predictors[1].traffic", ".metadata.annotations['iter8.tools/w']", ".spec.x\\.y",
];
const TASKS = ["common/execute", "foo/bar", "", "COMMON/EXEC", "run", "notification/http", "common/readiness", "metrics/collect", "common/promote-kubectl", "notification/slack", "common/bash"];
const CONDITIONS = [
  "WinnerFound(", "not", "CandidateWon() and", "(((", "status..x", "1 +", "WinnerFound() ==", "Status.Analysis != nil", "", "true", "false", "foo()",
  "$exit()", "status.completedIterations > 3 and WinnerFound()", "not CandidateWon()", "WinnerFound() or", "status.analysis != null", "spec.target = 'x'",
  "'a' & 'b'", "$$$", "status.stage",
];
const METRIC_REFS = ["", "/", "a/b/c", "ns/", "/name", "UPPER/Case", "iter8-istio/missing", "missing", "ünï/cödé", "iter8-istio/mean-latency ", "default/mean-latency", "request-count"];
const SPECIAL_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", ""];
const NON_FINITE: Json[] = ["1e309", "-1e400", "1e99999999", "9".repeat(320), "2e308", Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
// Weights of the routing objects: splits that cannot be (sums other than 100, negative shares) and real ones.
const ROUTING_WEIGHTS = [[70, 70], [0, 0], [30, 30], [-10, 110], [60, 60, 60], [101, 0], [100, 0], [20, 80]];
const CONTROLS = ["\x1b[2J", "\x1b]0;owned\x07", "\r", "\u009b31m", "\u202e", "\x7f", "\u2028", "\x00", "\x1b[1A\x1b[2K"];
// Fields whose text a recursive parser reads, and who reports them: templates and conditions of
// tasks, expressions and templates of Metrics, weight field paths.
const TASK_TEMPLATE_KEYS = new Set(["script", "manifest", "URL", "body", "args"]);
const PARSED_KEYS = new Set(["jqExpression", "jsonataExpression", "urlTemplate", "body"]);
// Past the limits, and past what overflowed the parsers (a few thousand levels), but no larger:
// every reconcile of an engine run serialises the document, so size is paid for per step.
const DEPTHS = [150, 5_000];
const CHAINS = [3_000];
const TOO_LONG_TEMPLATE = 66_000;
const OTHER_VALUES: Json[] = [null, true, false, 0, -1, "", "x", [], {}, [1, 2], { a: 1 }, 1.5, [[]], [null]];

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The paths in the document (the root excluded), parents before children, down to `maxDepth`:
 * below that only nested filler lives, and listing it would cost the square of its depth.
 */
function paths(root: Json, limit = 5000, maxDepth = 32): Segment[][] {
  const out: Segment[][] = [];
  const walk = (node: Json, path: Segment[]) => {
    if (out.length >= limit || path.length >= maxDepth) return;
    if (Array.isArray(node)) node.forEach((child, i) => { out.push([...path, i]); walk(child, [...path, i]); });
    else if (isRecord(node)) for (const key of Object.keys(node)) { out.push([...path, key]); walk(node[key], [...path, key]); }
  };
  walk(root, []);
  return out;
}

function parentOf(root: Json, path: Segment[]): Json {
  let node = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<Segment, Json>)[segment];
  return node;
}

function get(root: Json, path: Segment[]): Json {
  return (parentOf(root, path) as Record<Segment, Json>)[path[path.length - 1] as Segment];
}

function set(root: Json, path: Segment[], value: Json): void {
  const parent = parentOf(root, path);
  const key = path[path.length - 1] as Segment;
  // defineProperty keeps keys such as `__proto__` as own data properties, as JSON.parse does.
  if (isRecord(parent)) Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  else (parent as Json[])[key as number] = value;
}

function remove(root: Json, path: Segment[]): void {
  const parent = parentOf(root, path);
  const key = path[path.length - 1] as Segment;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, Json>)[key as string];
}

function nest(depth: number, array: boolean, leaf: Json): Json {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

/** Paths whose last key is `key` (or that sit below a key `key`). */
function pathsEndingIn(all: Segment[][], test: (key: Segment, path: Segment[]) => boolean): Segment[][] {
  return all.filter((p) => test(p[p.length - 1] as Segment, p));
}

const underTasks = (p: Segment[]) => p.includes("actions");
// A field where the API puts it (not in a misspelt twin or a copy elsewhere): validation names
// exactly these paths.
const isTaskField = (p: Segment[]) => p[0] === "spec" && p[1] === "strategy" && p[2] === "actions" && typeof p[4] === "number" && p.length >= 6;
const isQuantityField = (p: Segment[]) =>
  (p.length === 5 && p[0] === "spec" && p[1] === "criteria" && p[2] === "objectives" && (p[4] === "upperLimit" || p[4] === "lowerLimit")) ||
  (p.length === 4 && p[0] === "spec" && p[1] === "mock" && p[3] === "level");
const isParsedField = (p: Segment[]) =>
  (p.length === 2 && p[0] === "spec" && PARSED_KEYS.has(String(p[1]))) ||
  (p.length === 4 && p[0] === "spec" && (p[1] === "params" || p[1] === "headerTemplates") && p[3] === "value") ||
  (p[0] === "spec" && p[1] === "versionInfo" && p[p.length - 2] === "weightObjRef" && p[p.length - 1] === "fieldPath" && (p.length === 5 ? p[2] === "baseline" : p.length === 6 && p[2] === "candidates"));
const underVersions = (p: Segment[]) => p.includes("versionInfo");

/** A text for `key` that nests or runs far past `InputLimits` in the shape its parser reads. */
function deepText(key: string, random: FuzzRandom): string {
  const depth = random.pick(DEPTHS);
  const chain = random.pick(CHAINS);
  const nest = (inner: string, open = "(", close = ")") => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
  switch (key) {
    case "if":
      return random.pick([nest("WinnerFound()"), nest("status.completedIterations > 1"), `${"not ".repeat(chain)}WinnerFound()`, `WinnerFound()${" and CandidateWon()".repeat(chain)}`]);
    case "jqExpression":
      return random.pick([nest(".x"), nest(".x", "[", "]"), `.x${" + 1".repeat(chain)}`]);
    case "jsonataExpression":
      return random.pick([nest("x"), `x${" + 1".repeat(chain)}`]);
    case "fieldPath":
      return random.pick([`.spec${"[".repeat(depth)}`, ".spec.x".repeat(chain)]);
    case "urlTemplate":
    case "body":
    case "value":
      return random.pick([nest("$name", "[", "]"), "x".repeat(TOO_LONG_TEMPLATE)]);
    default: {
      // A Go template, with the delimiters of its task (`@< >@` for run and notifications);
      // blocks and pipes count as levels of their own, so 150 of them are enough.
      const [left, right] = key === "run" || key === "URL" || key === "body" ? ["@<", ">@"] : ["{{", "}}"];
      return random.pick([
        `${left} ${nest(".name")} ${right}`,
        `${`${left}if .name${right}`.repeat(150)}x${`${left}end${right}`.repeat(150)}`,
        `${left} .name${" | print".repeat(150)} ${right}`,
        "x".repeat(TOO_LONG_TEMPLATE),
      ]);
    }
  }
}

/**
 * Damages a copy of `document` with one mutation of the given kind at a random place where it
 * makes sense (an enum field for `wrong-enum`, a fieldPath for `bad-field-path`, …), or anywhere
 * when there is no such place. Returns the damaged copy (or, with `inPlace`, the damaged document
 * itself), a short description of what changed, and for some kinds what validation must report
 * or how the routing objects are to be changed.
 */
export function mutateDocument(document: Json, mutation: Mutation, random: FuzzRandom, options: { inPlace?: boolean } = {}): MutationResult {
  const doc = options.inPlace ? document : structuredClone(document);
  const all = paths(doc);
  const anywhere = () => (all.length ? random.pick(all) : undefined);
  const pickOr = (candidates: Segment[][]) => (candidates.length ? random.pick(candidates) : anywhere());
  const at = (path: Segment[] | undefined) => (path ? path.join(".") : "(root)");
  switch (mutation) {
    case Mutation.Drop: {
      const path = anywhere();
      if (path) remove(doc, path);
      return { document: doc, change: `drop ${at(path)}` };
    }
    case Mutation.Duplicate: {
      const path = anywhere();
      if (!path) return { document: doc, change: "duplicate nothing" };
      const parent = parentOf(doc, path);
      const value = structuredClone(get(doc, path));
      if (Array.isArray(parent)) parent.splice(path[path.length - 1] as number, 0, value);
      else {
        const key = String(path[path.length - 1]);
        const twin = random.pick([key.toUpperCase(), `${key}s`, key.slice(0, -1), `${key}_`, key.toLowerCase()]);
        set(doc, [...path.slice(0, -1), twin], value);
      }
      return { document: doc, change: `duplicate ${at(path)}` };
    }
    case Mutation.Retype: {
      const path = anywhere();
      const value = random.pick(OTHER_VALUES);
      if (path) set(doc, path, structuredClone(value));
      return { document: path ? doc : value, change: `retype ${at(path)} as ${JSON.stringify(value)}` };
    }
    case Mutation.WrongEnum: {
      const path = pickOr(pathsEndingIn(all, (k) => ENUM_FIELDS.has(String(k))));
      const value = random.pick(ENUM_VALUES);
      if (path) set(doc, path, value);
      return { document: doc, change: `${at(path)} = ${JSON.stringify(value)}` };
    }
    case Mutation.ExtremeNumber: {
      const path = pickOr(pathsEndingIn(all, (_k, p) => typeof get(doc, p) === "number"));
      const value = random.pick(NUMBERS);
      if (path) set(doc, path, value);
      return { document: doc, change: `${at(path)} = ${value}` };
    }
    case Mutation.DeepNesting: {
      const path = anywhere();
      const depth = random.pick([50, 200, 1000]);
      if (path) set(doc, path, nest(depth, random.chance(0.5), "deep"));
      return { document: doc, change: `${at(path)} nested ${depth} deep` };
    }
    case Mutation.Unicode: {
      const path = pickOr(pathsEndingIn(all, (_k, p) => typeof get(doc, p) === "string"));
      const text = random.pick(UNICODE);
      if (path) {
        const old = get(doc, path);
        set(doc, path, random.chance(0.5) && typeof old === "string" ? `${old}${text}` : text);
      }
      return { document: doc, change: `${at(path)} gets ${JSON.stringify(text).slice(0, 40)}` };
    }
    case Mutation.EmptyString: {
      const path = pickOr(pathsEndingIn(all, (_k, p) => typeof get(doc, p) === "string"));
      if (path) set(doc, path, "");
      return { document: doc, change: `${at(path)} = ""` };
    }
    case Mutation.InvalidQuantity: {
      const path = pickOr(pathsEndingIn(all, (k) => ["upperLimit", "lowerLimit", "level", "maxCandidateWeight", "maxCandidateWeightIncrement"].includes(String(k))));
      const value = random.pick(QUANTITIES);
      if (path) set(doc, path, value);
      return { document: doc, change: `${at(path)} = ${JSON.stringify(value)}` };
    }
    case Mutation.BadFieldPath: {
      const path = pickOr(pathsEndingIn(all, (k) => k === "fieldPath"));
      const value = random.pick(FIELD_PATHS);
      if (path) set(doc, path, value);
      return { document: doc, change: `${at(path)} = ${JSON.stringify(value)}` };
    }
    case Mutation.UnknownTask: {
      const path = pickOr(pathsEndingIn(all, (k, p) => (k === "task" || k === "run") && underTasks(p)));
      const value = random.pick(TASKS);
      if (path) set(doc, [...path.slice(0, -1), "task"], value);
      return { document: doc, change: `${at(path)} task = ${JSON.stringify(value)}` };
    }
    case Mutation.MalformedIf: {
      const path = pickOr(pathsEndingIn(all, (k, p) => (k === "task" || k === "run") && underTasks(p)));
      const value = random.pick(CONDITIONS);
      if (path) set(doc, [...path.slice(0, -1), "if"], value);
      return { document: doc, change: `${at(path)} if = ${JSON.stringify(value)}` };
    }
    case Mutation.BadMetricRef: {
      const path = pickOr(pathsEndingIn(all, (k) => ["metric", "requestCount", "sampleSize", "secret"].includes(String(k))));
      const value = random.pick(METRIC_REFS);
      if (path) set(doc, path, value);
      return { document: doc, change: `${at(path)} = ${JSON.stringify(value)}` };
    }
    case Mutation.ManyVersions: {
      const path = pickOr(pathsEndingIn(all, (k, p) => k === "candidates" && underVersions(p)));
      const list = path ? get(doc, path) : undefined;
      if (path && Array.isArray(list) && list.length > 0) {
        const count = random.pick([0, 2, 5, 50]);
        const same = random.chance(0.3);
        set(doc, path, Array.from({ length: count }, (_, i) => ({ ...(structuredClone(list[0]) as Record<string, Json>), ...(same ? {} : { name: `v-extra-${i}` }) })));
        return { document: doc, change: `${at(path)} has ${count} candidates${same ? " of one name" : ""}` };
      }
      // A Metric, or an experiment without candidates: damage it another way.
      return mutateDocument(doc, Mutation.Duplicate, random, { inPlace: true });
    }
    case Mutation.SpecialKey: {
      const objects = [[] as Segment[], ...all.filter((p) => isRecord(get(doc, p)))];
      const path = random.pick(objects);
      const key = random.pick(SPECIAL_KEYS);
      const value = structuredClone(random.pick(OTHER_VALUES));
      if (path.length === 0) {
        if (isRecord(doc)) Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
      } else set(doc, [...path, key], value);
      return { document: doc, change: `${at(path)}.${key} = ${JSON.stringify(value)}` };
    }
    case Mutation.HugeString: {
      const path = pickOr(pathsEndingIn(all, (_k, p) => typeof get(doc, p) === "string"));
      const size = random.pick([5_000, 50_000]);
      if (path) set(doc, path, "x".repeat(size));
      return { document: doc, change: `${at(path)} is ${size} characters` };
    }
    case Mutation.Transplant: {
      const from = anywhere();
      const to = anywhere();
      if (!from || !to || at(from) === at(to)) return mutateDocument(doc, Mutation.Drop, random, { inPlace: true });
      set(doc, to, structuredClone(get(doc, from)));
      return { document: doc, change: `${at(to)} = copy of ${at(from)}` };
    }
    case Mutation.NonFiniteQuantity: {
      const quantities = pathsEndingIn(all, (_k, p) => isQuantityField(p));
      const value = random.pick(NON_FINITE);
      if (quantities.length === 0) return mutateDocument(doc, Mutation.InvalidQuantity, random, { inPlace: true });
      const path = random.pick(quantities);
      set(doc, path, value);
      const shown = typeof value === "string" && value.length > 20 ? `${value.slice(0, 10)}… (${value.length} characters)` : String(value);
      return { document: doc, change: `${at(path)} = non-finite ${shown}`, planted: { segments: path, value, reportedBy: "parse" } };
    }
    case Mutation.RoutingWeights: {
      const routing = random.pick(ROUTING_WEIGHTS);
      return { document: doc, change: `routing weights ${routing.join(", ")}`, routing };
    }
    case Mutation.DeepExpression: {
      const targets = pathsEndingIn(all, (k, p) => {
        if (isTaskField(p)) {
          const key = String(k);
          return key === "if" || (p[5] === "run" && p.length === 6) || (p[5] === "with" && (TASK_TEMPLATE_KEYS.has(key) || p[6] === "args" || (p[6] === "headers" && key === "value")));
        }
        return isParsedField(p);
      }).filter((p) => typeof get(doc, p) === "string");
      if (targets.length === 0) return mutateDocument(doc, Mutation.HugeString, random, { inPlace: true });
      const path = random.pick(targets);
      const key = String(typeof path[path.length - 1] === "number" ? path[path.length - 2] : path[path.length - 1]);
      const value = deepText(key, random);
      set(doc, path, value);
      return {
        document: doc,
        change: `${at(path)} = ${JSON.stringify(value.slice(0, 24))}… (${value.length} characters)`,
        planted: { segments: path, value, reportedBy: isTaskField(path) ? "tasks" : "parse" },
      };
    }
    case Mutation.ControlCharacters: {
      const names = pathsEndingIn(all, (k, p) => ["name", "metric", "task", "message", "requestCount", "target"].includes(String(k)) || (p.includes("indicators") && typeof k === "number"));
      const strings = pathsEndingIn(all, (_k, p) => typeof get(doc, p) === "string");
      const control = random.pick(CONTROLS);
      const objects = all.filter((p) => isRecord(get(doc, p)));
      if (random.chance(0.2) && objects.length) {
        const path = random.pick(objects);
        set(doc, [...path, `key${control}`], "x");
        return { document: doc, change: `${at(path)} gets a key with control ${JSON.stringify(control)}` };
      }
      const named = names.filter((p) => typeof get(doc, p) === "string");
      const path = pickOr(named.length ? named : strings);
      if (path) set(doc, path, `${String(get(doc, path))}${control}`);
      return { document: doc, change: `${at(path)} gets control ${JSON.stringify(control)}` };
    }
  }
}

const TEXT_DAMAGE = [
  (text: string, r: FuzzRandom) => text.slice(0, r.int(text.length + 1)),
  (text: string, r: FuzzRandom) => {
    const lines = text.split("\n");
    const i = r.int(lines.length);
    lines.splice(i, 0, lines[i] ?? "");
    return lines.join("\n");
  },
  (text: string, r: FuzzRandom) => {
    const lines = text.split("\n");
    const i = r.int(lines.length);
    lines[i] = r.pick(["\t", " ", "   ", "- "]) + (lines[i] ?? "");
    return lines.join("\n");
  },
  (text: string, r: FuzzRandom) => {
    const i = r.int(text.length + 1);
    return text.slice(0, i) + r.pick(["{", "}", "[", '"', "'", ": :", "&a", "*a", "!!binary", "%YAML 1.1\n", "\u0000", "\uFEFF"]) + text.slice(i);
  },
  (text: string) => `${text}\n---\n${text}`,
  (text: string) => `${text}\n---\n`,
  () => "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
  () => "",
  () => "[1, 2, 3]",
  () => "just a string",
];

/** Damages a YAML or JSON text (truncation, indentation, stray characters, extra documents, alias bombs). */
export function mutateText(text: string, random: FuzzRandom): { text: string; change: string } {
  const index = random.int(TEXT_DAMAGE.length);
  return { text: (TEXT_DAMAGE[index] as (t: string, r: FuzzRandom) => string)(text, random), change: `text damage #${index}` };
}
