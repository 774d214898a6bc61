/**
 * `metadata.managedFields` and server-side apply: which field manager owns which fields (in the
 * FieldsV1 notation of kube-apiserver, `{"f:data":{"f:a":{}}}`), conflicts when an apply would
 * change a field another manager owns, and removal of the fields a manager stops applying.
 *
 * Lists: the built-in lists Kubernetes merges by key (containers by name, ...) have one entry per
 * item (`k:{"name":"c"}`), `metadata.finalizers` one per value (`v:"x"`); every other list,
 * those of custom resources included, is atomic (owned as a whole), which is what a CRD without
 * `x-kubernetes-list-type` means.
 */
import { deepClone, deepEqual, isJsonObject, type JsonObject } from "./json-value";
import { isMergedScalarList, mergeKeyFor } from "./strategic-merge-patch";

/** One entry of `metadata.managedFields`. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
  subresource?: string;
}

/** A field path in FieldsV1 steps (`f:data`, `k:{"name":"c"}`, `v:"x"`), JSON-encoded to be a set member. */
type PathKey = string;

/** Where a write happens: the main resource (without status when it has a subresource) or `status`. */
export interface FieldScope {
  statusSubresource: boolean;
  subresource: "status" | undefined;
}

const METADATA_FIELDS = ["labels", "annotations", "finalizers", "ownerReferences"];

function key(path: readonly string[]): PathKey {
  return JSON.stringify(path);
}

function steps(pathKey: PathKey): string[] {
  return JSON.parse(pathKey) as string[];
}

/** The top-level fields a write in `scope` covers. */
function scoped(obj: JsonObject, scope: FieldScope): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (scope.subresource === "status" ? k !== "status" : scope.statusSubresource && k === "status") continue;
    if (k === "metadata") {
      if (scope.subresource === "status" || !isJsonObject(v)) continue;
      const meta = Object.fromEntries(Object.entries(v).filter(([m]) => METADATA_FIELDS.includes(m)));
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** The step of one list item: by merge key, by value, or undefined for an atomic list. */
function itemStep(field: string, list: unknown[], item: unknown): string | undefined {
  if (isMergedScalarList(field)) return `v:${JSON.stringify(item)}`;
  const mergeKey = mergeKeyFor(field, list, []);
  if (!mergeKey || !list.every((e) => isJsonObject(e) && e[mergeKey] !== undefined)) return undefined;
  return `k:${JSON.stringify({ [mergeKey]: (item as JsonObject)[mergeKey] })}`;
}

/**
 * The leaves of a value (fields holding a scalar, an atomic list or an empty map) and its
 * containers (maps and list items, for the `.` markers of Update entries).
 */
function walk(value: unknown, path: string[], field: string, leaves: Set<PathKey>, containers: Set<PathKey>): void {
  if (isJsonObject(value) && Object.keys(value).length > 0) {
    if (path.length > 0) containers.add(key(path));
    for (const [k, v] of Object.entries(value)) walk(v, [...path, `f:${k}`], k, leaves, containers);
    return;
  }
  if (Array.isArray(value) && value.length > 0 && itemStep(field, value, value[0]) !== undefined) {
    containers.add(key(path));
    for (const item of value) {
      const step = itemStep(field, value, item) as string;
      if (step.startsWith("v:")) leaves.add(key([...path, step]));
      else walk(item, [...path, step], "", leaves, containers);
      if (step.startsWith("k:")) containers.add(key([...path, step]));
    }
    return;
  }
  leaves.add(key(path));
}

function fieldsOf(obj: JsonObject, scope: FieldScope): { leaves: Set<PathKey>; containers: Set<PathKey> } {
  const leaves = new Set<PathKey>();
  const containers = new Set<PathKey>();
  walk(scoped(obj, scope), [], "", leaves, containers);
  leaves.delete(key([]));
  return { leaves, containers };
}

/** The value at a path, or undefined. */
function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const step of path) {
    if (step.startsWith("f:")) cur = isJsonObject(cur) ? cur[step.slice(2)] : undefined;
    else if (step.startsWith("k:")) {
      const want = JSON.parse(step.slice(2)) as JsonObject;
      cur = Array.isArray(cur) ? cur.find((e) => isJsonObject(e) && Object.entries(want).every(([k, v]) => deepEqual(e[k], v))) : undefined;
    } else if (step.startsWith("v:")) {
      const want = JSON.parse(step.slice(2)) as unknown;
      cur = Array.isArray(cur) && cur.some((e) => deepEqual(e, want)) ? want : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the field at `path` from `obj` (in place). */
function removeAt(obj: JsonObject, path: readonly string[]): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1] ?? "";
  if (last.startsWith("f:")) {
    if (isJsonObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const item = valueAt(parent, [last]);
  const at = parent.findIndex((e) => e === item || deepEqual(e, item));
  if (at >= 0) parent.splice(at, 1);
}

/** Drops maps and lists left empty along `path` (deepest first) unless someone owns them. */
function pruneEmpty(obj: JsonObject, path: readonly string[], owned: (p: PathKey) => boolean): void {
  for (let n = path.length - 1; n > 0; n--) {
    const at = path.slice(0, n);
    const value = valueAt(obj, at);
    const empty = (isJsonObject(value) && Object.keys(value).length === 0) || (Array.isArray(value) && value.length === 0);
    if (!empty || owned(key(at)) || (at.length === 1 && at[0] === "f:metadata")) return;
    removeAt(obj, at);
  }
}

/** The FieldsV1 tree of a set of paths (with `.` markers for the given containers). */
function toFieldsV1(leaves: Iterable<PathKey>, dots: Iterable<PathKey>): JsonObject {
  const tree: JsonObject = {};
  const insert = (path: string[]) => {
    let node = tree;
    for (const step of path) {
      if (!isJsonObject(node[step])) node[step] = {};
      node = node[step] as JsonObject;
    }
  };
  for (const p of dots) insert([...steps(p), "."]);
  for (const p of leaves) insert(steps(p));
  return tree;
}

/** The leaves and `.` markers a FieldsV1 tree holds. */
function fromFieldsV1(tree: unknown): { leaves: Set<PathKey>; dots: Set<PathKey> } {
  const leaves = new Set<PathKey>();
  const dots = new Set<PathKey>();
  const visit = (node: unknown, path: string[]) => {
    if (!isJsonObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== ".");
    if ("." in node) dots.add(key(path));
    if (children.length === 0 && !("." in node) && path.length > 0) leaves.add(key(path));
    for (const child of children) visit(node[child], [...path, child]);
  };
  visit(tree, []);
  return { leaves, dots };
}

/** The field path as kube-apiserver prints it in conflicts: `.data.a`, `.spec.containers[name="c"].image`. */
function printPath(path: readonly string[]): string {
  return path
    .map((step) => {
      if (step.startsWith("f:")) return `.${step.slice(2)}`;
      if (step.startsWith("k:")) {
        const fields = Object.entries(JSON.parse(step.slice(2)) as JsonObject).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        return `[${fields.join(",")}]`;
      }
      return `[=${step.slice(2)}]`;
    })
    .join("");
}

interface Owner {
  entry: ManagedFieldsEntry;
  leaves: Set<PathKey>;
  dots: Set<PathKey>;
}

function ownersOf(managedFields: unknown): Owner[] {
  const entries = Array.isArray(managedFields) ? managedFields.filter(isJsonObject) : [];
  return entries.map((e) => {
    const entry = deepClone(e) as unknown as ManagedFieldsEntry;
    return { entry, ...fromFieldsV1(entry.fieldsV1) };
  });
}

function sameEntry(entry: ManagedFieldsEntry, manager: string, operation: string, subresource: string | undefined): boolean {
  return entry.manager === manager && entry.operation === operation && entry.subresource === subresource;
}

/**
 * The entries after a write, in the server's order (Apply before Update, then by time in whole
 * seconds, manager, apiVersion, subresource); Update entries left with nothing are dropped (an
 * Apply entry stays, even empty, as the record of what its manager applies).
 */
function entriesOf(owners: Owner[]): ManagedFieldsEntry[] {
  const seconds = (e: ManagedFieldsEntry) => Math.floor(Date.parse(e.time) / 1000);
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return owners
    .filter((o) => o.leaves.size > 0 || o.dots.size > 0 || o.entry.operation === "Apply")
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.leaves, o.dots) }))
    .sort(
      (p, q) =>
        compare(p.operation, q.operation) ||
        seconds(p) - seconds(q) ||
        compare(p.manager, q.manager) ||
        compare(p.apiVersion, q.apiVersion) ||
        compare(p.subresource ?? "", q.subresource ?? ""),
    );
}

/** The entry of the writing manager for this operation (and subresource), added when it has none yet. */
function ownerFor(owners: Owner[], write: FieldWrite, operation: "Apply" | "Update"): Owner {
  const subresource = write.scope.subresource;
  const found = owners.find((o) => sameEntry(o.entry, write.manager, operation, subresource));
  if (found) return found;
  const entry: ManagedFieldsEntry = { manager: write.manager, operation, apiVersion: write.apiVersion, time: write.now, fieldsType: "FieldsV1", fieldsV1: {}, ...(subresource ? { subresource } : {}) };
  const owner = { entry, leaves: new Set<PathKey>(), dots: new Set<PathKey>() };
  owners.push(owner);
  return owner;
}

/** What a write is, for the bookkeeping. */
export interface FieldWrite {
  manager: string;
  apiVersion: string;
  now: string;
  scope: FieldScope;
}

/**
 * The managedFields after an Update (create, PUT, JSON/merge/strategic patch) from `old` (absent
 * for a create) to `next`: the manager takes the fields it set or changed (with `.` for maps and
 * items it created), the other managers lose them, fields that are gone are nobody's.
 */
export function afterUpdate(old: JsonObject | undefined, next: JsonObject, write: FieldWrite): ManagedFieldsEntry[] {
  const owners = ownersOf(old ? (old.metadata as JsonObject | undefined)?.managedFields : undefined);
  const before = old ? fieldsOf(old, write.scope) : { leaves: new Set<PathKey>(), containers: new Set<PathKey>() };
  const after = fieldsOf(next, write.scope);
  const changed = [...after.leaves].filter((p) => !before.leaves.has(p) || !deepEqual(valueAt(old, steps(p)), valueAt(next, steps(p))));
  const created = [...after.containers].filter((p) => !before.containers.has(p));
  for (const o of owners) {
    for (const p of [...o.leaves]) if (!after.leaves.has(p)) o.leaves.delete(p);
    for (const p of [...o.dots]) if (!after.containers.has(p)) o.dots.delete(p);
    for (const p of changed) o.leaves.delete(p);
  }
  if (changed.length === 0 && created.length === 0) return entriesOf(owners);
  const acting = ownerFor(owners, write, "Update");
  for (const p of changed) acting.leaves.add(p);
  for (const p of created) acting.dots.add(p);
  acting.entry = { ...acting.entry, time: write.now, apiVersion: write.apiVersion };
  return entriesOf(owners);
}

/** A field another manager owns with a different value: what an apply without `force` is refused for. */
export interface FieldConflict {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  field: string;
}

/** The outcome of {@link serverSideApply}. */
export type ApplyOutcome = { conflicts: FieldConflict[] } | { object: JsonObject; managedFields: ManagedFieldsEntry[] };

/**
 * Server-side apply of `config` by `write.manager` onto `live`: refuses (lists the conflicts)
 * when the config changes a field another manager owns, unless `force`, which takes it over;
 * merges the config (`merge` is the kind's merge: strategic for built-in kinds, JSON merge for
 * custom resources); removes the fields this manager applied before and applies no longer,
 * unless another manager owns them too.
 */
export function serverSideApply(
  live: JsonObject,
  config: JsonObject,
  write: FieldWrite & { force: boolean },
  merge: (live: JsonObject, config: JsonObject) => JsonObject,
): ApplyOutcome {
  const owners = ownersOf((live.metadata as JsonObject | undefined)?.managedFields);
  const applied = fieldsOf(config, write.scope).leaves;
  const subresource = write.scope.subresource;
  const others = owners.filter((o) => !sameEntry(o.entry, write.manager, "Apply", subresource));
  const conflicts: FieldConflict[] = [];
  const taken = new Set<PathKey>();
  for (const p of applied) {
    if (deepEqual(valueAt(live, steps(p)), valueAt(config, steps(p)))) continue;
    for (const o of others) {
      if (!o.leaves.has(p)) continue;
      conflicts.push({ manager: o.entry.manager, operation: o.entry.operation, apiVersion: o.entry.apiVersion, field: printPath(steps(p)) });
      taken.add(p);
    }
  }
  if (conflicts.length > 0 && !write.force) return { conflicts };
  for (const o of others) for (const p of taken) o.leaves.delete(p);

  const acting = ownerFor(owners, write, "Apply");
  const before = new Set(acting.leaves);
  acting.leaves = new Set(applied);
  acting.entry = { ...acting.entry, time: write.now, apiVersion: write.apiVersion };

  const object = merge(live, config);
  const ownedByOthers = (p: PathKey) => others.some((o) => o.leaves.has(p) || o.dots.has(p)) || acting.leaves.has(p);
  for (const p of before) {
    if (applied.has(p) || others.some((o) => o.leaves.has(p))) continue;
    removeAt(object, steps(p));
    pruneEmpty(object, steps(p), ownedByOthers);
  }
  // Managers of Update entries lose what this apply changed.
  const after = fieldsOf(object, write.scope);
  for (const o of others) {
    if (o.entry.operation !== "Update") continue;
    for (const p of [...o.leaves]) {
      if (!after.leaves.has(p) || (applied.has(p) && !deepEqual(valueAt(live, steps(p)), valueAt(object, steps(p))))) o.leaves.delete(p);
    }
    for (const p of [...o.dots]) if (!after.containers.has(p)) o.dots.delete(p);
  }
  return { object, managedFields: entriesOf(owners) };
}

/** kube-apiserver's message for a refused apply. */
export function conflictMessage(conflicts: readonly FieldConflict[]): string {
  const who = (c: FieldConflict) => (c.operation === "Update" ? `"${c.manager}" using ${c.apiVersion}` : `"${c.manager}"`);
  if (conflicts.length === 1) {
    const [c] = conflicts as [FieldConflict];
    return `Apply failed with 1 conflict: conflict with ${who(c)}: ${c.field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), c.field]);
  const parts = [...byManager].map(([w, fields]) => (fields.length === 1 ? `conflict with ${w}: ${fields[0]}` : `conflicts with ${w}:\n${fields.map((f) => `- ${f}`).join("\n")}`));
  return `Apply failed with ${conflicts.length} conflicts: ${parts.join("\n")}`;
}

/** The `conflict with "<manager>"` text of one conflict's cause. */
export function conflictCause(c: FieldConflict): string {
  return c.operation === "Update" ? `conflict with "${c.manager}" using ${c.apiVersion}` : `conflict with "${c.manager}"`;
}
