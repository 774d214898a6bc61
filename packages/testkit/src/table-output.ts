/**
 * Server-side `Table` output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which is
 * what `kubectl get` prints: a Name column, then the CRD's `additionalPrinterColumns` (Age when it
 * has none) for custom resources, or the columns kube-apiserver's printers give the built-in
 * kinds; each row carries the object's metadata (`PartialObjectMetadata`) unless
 * `includeObject` says otherwise.
 */
import { isJsonObject, type JsonObject } from "./json-value";
import { metaString } from "./kube-object";
import type { ResourceType } from "./resource-type";

/** One column of a Table (metav1.TableColumnDefinition). */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A column and how to fill it from an object; `now` is the server's clock, for ages. */
interface Printer extends TableColumn {
  cell(obj: JsonObject, now: Date): unknown;
}

/** A CRD's `additionalPrinterColumns` entry. */
export interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** What a client asks rows to carry (`includeObject`). */
export type IncludeObject = "None" | "Object" | "PartialObjectMetadata";

/** The Table version an `Accept` header asks for, or undefined when it wants the objects. */
export function tableRequested(accept: string | undefined): "v1" | "v1beta1" | undefined {
  for (const offer of (accept ?? "").split(",")) {
    const params = new Map(
      offer
        .split(";")
        .slice(1)
        .map((p) => p.trim().split("=") as [string, string]),
    );
    if (params.get("as") === "Table" && params.get("g") === "meta.k8s.io" && (params.get("v") === "v1" || params.get("v") === "v1beta1")) {
      return params.get("v") as "v1" | "v1beta1";
    }
    if (params.get("as") === undefined && /^application\/json\b|^\*\/\*/.test(offer.trim())) return undefined;
  }
  return undefined;
}

/** apimachinery's HumanDuration: `5s`, `2m3s`, `25m`, `4h5m`, `3d4h`, `2y30d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function ageOf(time: unknown, now: Date): string {
  if (typeof time !== "string" || time === "") return "<unknown>";
  const at = Date.parse(time);
  return Number.isNaN(at) ? "<invalid>" : humanDuration(now.getTime() - at);
}

/** Reads a simple JSONPath (`.status.stage`, `.spec.versions[0].name`) the way printer columns use it. */
export function readJsonPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\{?\.?/, "").replace(/\}$/, "").match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (part.startsWith("[")) cur = Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined;
    else cur = isJsonObject(cur) ? cur[part] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function at(obj: unknown, path: string): unknown {
  return readJsonPath(obj, path);
}

function text(value: unknown, fallback = "<none>"): string {
  return value === undefined || value === null || value === "" ? fallback : String(value);
}

function count(value: unknown): number {
  return isJsonObject(value) ? Object.keys(value).length : 0;
}

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** A cell of a CRD printer column (apiextensions' table convertor): typed values, dates as ages. */
function crdCell(column: PrinterColumnSpec, obj: JsonObject, now: Date): unknown {
  const value = readJsonPath(obj, column.jsonPath);
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      return typeof value === "string" ? ageOf(value, now) : null;
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

const column = (name: string, cell: Printer["cell"], options: { priority?: number; type?: string; description?: string } = {}): Printer => ({
  name,
  type: options.type ?? "string",
  format: "",
  description: options.description ?? `${name} of the object.`,
  priority: options.priority ?? 0,
  cell,
});

const age = column("Age", (o, now) => ageOf(at(o, ".metadata.creationTimestamp"), now), {
  description: "How long ago the object was created.",
});

function containers(o: JsonObject): JsonObject[] {
  return list(at(o, ".spec.template.spec.containers"));
}

function selectorText(selector: unknown): string {
  const labels = isJsonObject(selector) ? (isJsonObject(selector.matchLabels) ? selector.matchLabels : selector) : {};
  const parts = Object.entries(labels)
    .filter(([, v]) => typeof v === "string")
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.sort().join(",") : "<none>";
}

function podReady(o: JsonObject): string {
  const statuses = list(at(o, ".status.containerStatuses"));
  const total = list(at(o, ".spec.containers")).length;
  return `${statuses.filter((s) => s.ready === true).length}/${total}`;
}

function jobStatus(o: JsonObject): string {
  const conditions = list(at(o, ".status.conditions")).filter((c) => c.status === "True");
  for (const type of ["Failed", "Complete", "Suspended", "FailureTarget", "SuccessCriteriaMet"]) {
    if (conditions.some((c) => c.type === type)) return type === "FailureTarget" ? "FailureTarget" : type;
  }
  return "Running";
}

function duration(o: JsonObject, now: Date): string {
  const start = at(o, ".status.startTime");
  if (typeof start !== "string") return "";
  const end = at(o, ".status.completionTime");
  const until = typeof end === "string" ? Date.parse(end) : now.getTime();
  return humanDuration(until - Date.parse(start));
}

function eventSource(o: JsonObject): string {
  const component = at(o, ".source.component") ?? at(o, ".reportingComponent");
  const host = at(o, ".source.host") ?? at(o, ".reportingInstance");
  return [component, host].filter((v) => typeof v === "string" && v !== "").join(", ");
}

function eventTime(o: JsonObject, field: "last" | "first", now: Date): string {
  const time = field === "last" ? (at(o, ".lastTimestamp") ?? at(o, ".eventTime")) : (at(o, ".firstTimestamp") ?? at(o, ".eventTime"));
  return ageOf(time, now);
}

const EVENT_COLUMNS: Printer[] = [
  column("Last Seen", (o, now) => eventTime(o, "last", now)),
  column("Type", (o) => text(at(o, ".type"), "")),
  column("Reason", (o) => text(at(o, ".reason"), "")),
  column("Object", (o) => `${String(at(o, ".involvedObject.kind") ?? "").toLowerCase()}/${String(at(o, ".involvedObject.name") ?? "")}`),
  column("Subobject", (o) => text(at(o, ".involvedObject.fieldPath"), ""), { priority: 1 }),
  column("Source", eventSource, { priority: 1 }),
  column("Message", (o) => text(at(o, ".message"), "")),
  column("First Seen", (o, now) => eventTime(o, "first", now), { priority: 1 }),
  column("Count", (o) => (typeof at(o, ".count") === "number" ? at(o, ".count") : 1), { priority: 1 }),
  column("Name", (o) => metaString(o, "name"), { priority: 1 }),
];

/** The columns kube-apiserver's printers give the built-in kinds (after Name; Events have their own Name column). */
const BUILTIN_COLUMNS: Record<string, Printer[]> = {
  "/Namespace": [column("Status", (o) => text(at(o, ".status.phase"), "")), age],
  "/ConfigMap": [column("Data", (o) => count(o.data) + count(o.binaryData)), age],
  "/Secret": [column("Type", (o) => text(at(o, ".type"), "")), column("Data", (o) => count(o.data)), age],
  "/ServiceAccount": [age],
  "/Service": [
    column("Type", (o) => text(at(o, ".spec.type"), "ClusterIP")),
    column("Cluster-IP", (o) => text(at(o, ".spec.clusterIP"), "<none>")),
    column("External-IP", (o) => text(list(at(o, ".status.loadBalancer.ingress")).map((i) => i.ip ?? i.hostname).join(","), "<none>")),
    column("Port(s)", (o) => text(list(at(o, ".spec.ports")).map((p) => `${String(p.port)}/${String(p.protocol ?? "TCP")}`).join(","), "<none>")),
    age,
    column("Selector", (o) => selectorText(at(o, ".spec.selector")), { priority: 1 }),
  ],
  "/Pod": [
    column("Ready", podReady),
    column("Status", (o) => text(at(o, ".status.reason") ?? at(o, ".status.phase"), "")),
    column("Restarts", (o) => String(list(at(o, ".status.containerStatuses")).reduce((n, s) => n + (typeof s.restartCount === "number" ? s.restartCount : 0), 0))),
    age,
    column("IP", (o) => text(at(o, ".status.podIP")), { priority: 1 }),
    column("Node", (o) => text(at(o, ".spec.nodeName")), { priority: 1 }),
    column("Nominated Node", (o) => text(at(o, ".status.nominatedNodeName")), { priority: 1 }),
    column("Readiness Gates", () => "<none>", { priority: 1 }),
  ],
  "/Event": EVENT_COLUMNS,
  "events.k8s.io/Event": EVENT_COLUMNS,
  "apps/Deployment": [
    column("Ready", (o) => `${Number(at(o, ".status.readyReplicas") ?? 0)}/${Number(at(o, ".spec.replicas") ?? 0)}`),
    column("Up-to-date", (o) => Number(at(o, ".status.updatedReplicas") ?? 0)),
    column("Available", (o) => Number(at(o, ".status.availableReplicas") ?? 0)),
    age,
    column("Containers", (o) => containers(o).map((c) => c.name).join(","), { priority: 1 }),
    column("Images", (o) => containers(o).map((c) => c.image).join(","), { priority: 1 }),
    column("Selector", (o) => selectorText(at(o, ".spec.selector")), { priority: 1 }),
  ],
  "batch/Job": [
    column("Status", jobStatus),
    column("Completions", (o) => `${Number(at(o, ".status.succeeded") ?? 0)}/${Number(at(o, ".spec.completions") ?? 1)}`),
    column("Duration", duration),
    age,
    column("Containers", (o) => containers(o).map((c) => c.name).join(","), { priority: 1 }),
    column("Images", (o) => containers(o).map((c) => c.image).join(","), { priority: 1 }),
    column("Selector", (o) => selectorText(at(o, ".spec.selector")), { priority: 1 }),
  ],
  "coordination.k8s.io/Lease": [column("Holder", (o) => text(at(o, ".spec.holderIdentity"), "")), age],
  "apiextensions.k8s.io/CustomResourceDefinition": [
    column("Scope", (o) => text(at(o, ".spec.scope"), "")),
    column("Versions", (o) => list(at(o, ".spec.versions")).map((v) => `${String(v.name)}${v.storage === true ? "(storage)" : ""}`).join(",")),
    column("Created At", (o) => at(o, ".metadata.creationTimestamp") ?? null, { type: "date" }),
    column("Group", (o) => text(at(o, ".spec.group"), ""), { priority: 1 }),
    column("Kind", (o) => text(at(o, ".spec.names.kind"), ""), { priority: 1 }),
    column("ShortNames", (o) => (Array.isArray(at(o, ".spec.names.shortNames")) ? (at(o, ".spec.names.shortNames") as string[]).join(",") : ""), { priority: 1 }),
    column("Established", (o) => list(at(o, ".status.conditions")).some((c) => c.type === "Established" && c.status === "True"), { priority: 1, type: "boolean" }),
  ],
};

const NAME: Printer = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name of the object, unique in its namespace.",
  priority: 0,
  cell: (o) => metaString(o, "name"),
};

/** The printers of a resource: Name first (except for Events), then the kind's columns. */
function printersOf(type: ResourceType): Printer[] {
  if (type.custom) {
    const specs = type.printerColumns && type.printerColumns.length > 0 ? type.printerColumns : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];
    return [
      NAME,
      ...specs.map((spec) => ({
        name: spec.name,
        type: spec.type,
        format: spec.format ?? "",
        description: spec.description ?? "",
        priority: spec.priority ?? 0,
        cell: (o: JsonObject, now: Date) => crdCell(spec, o, now),
      })),
    ];
  }
  const own = BUILTIN_COLUMNS[`${type.group}/${type.kind}`];
  if (!own) return [NAME, { ...age, name: "Created At", type: "date", cell: (o) => at(o, ".metadata.creationTimestamp") ?? null }];
  return own === EVENT_COLUMNS ? own : [NAME, ...own];
}

function rowObject(obj: JsonObject, include: IncludeObject): JsonObject | undefined {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: isJsonObject(obj.metadata) ? obj.metadata : {} };
}

/** Options of {@link toTable}. */
export interface TableOptions {
  version: "v1" | "v1beta1";
  include: IncludeObject;
  /** Leave the column definitions out (`null`), as in a watch after its first event. */
  noHeaders?: boolean;
  now: Date;
}

/**
 * The Table of `objects` (presented objects of `type`); `listMetadata` is the list's (or, for one
 * object, `{ resourceVersion }` of it).
 */
export function toTable(type: ResourceType, objects: readonly JsonObject[], listMetadata: JsonObject, options: TableOptions): JsonObject {
  const printers = printersOf(type);
  const view = (o: JsonObject) => (type.behavior.toStorage ? type.behavior.toStorage(o) : o);
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: listMetadata,
    columnDefinitions: options.noHeaders ? null : printers.map(({ name, type: t, format, description, priority }) => ({ name, type: t, format, description, priority })),
    rows: objects.map((o) => {
      const object = rowObject(o, options.include);
      return { cells: printers.map((p) => p.cell(view(o), options.now)), ...(object ? { object } : {}) };
    }),
  };
}
