import { describe, expect, it } from "vitest";
import { ApiStatusError } from "./api-status-error";
import { builtinResourceTypes } from "./builtin-resources";
import { defaultCustomResourceDefinitions } from "./custom-resources";
import type { JsonObject } from "./json-value";
import { ObjectStore } from "./object-store";
import { ResourceApi, type WatchEventType } from "./resource-api";
import { ResourceRegistry } from "./resource-registry";
import type { ResourceType } from "./resource-type";

function cluster() {
  const store = new ObjectStore(100);
  const registry = new ResourceRegistry();
  for (const t of builtinResourceTypes()) registry.add(t);
  const api = new ResourceApi(store, registry, {
    now: () => new Date("2024-01-02T03:04:05.678Z"),
    schemaLookup: () => undefined,
    enforceNamespaces: true,
    namespaceControllerDelayMs: 5,
  });
  const type = (apiVersion: string, kind: string): ResourceType => {
    const t = registry.findKind(apiVersion, kind);
    if (!t) throw new Error(`${kind} not served`);
    return t;
  };
  api.create(type("v1", "Namespace"), "", { metadata: { name: "default" } });
  for (const crd of defaultCustomResourceDefinitions()) api.create(type("apiextensions.k8s.io/v1", "CustomResourceDefinition"), "", crd);
  return { api, store, registry, type };
}

function apiError(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiStatusError) return e;
    throw e;
  }
  throw new Error("no error was raised");
}

const experiment = (name = "exp", extra: JsonObject = {}) => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name, labels: { team: "a" } },
  spec: { target: "default/app", strategy: { testingPattern: "Canary" } },
  ...extra,
});

const meta = (obj: JsonObject) => obj.metadata as Record<string, unknown>;

describe("create", () => {
  it("stamps uid, creation time, resourceVersion and generation, and drops status of kinds with a status subresource", () => {
    const { api, type } = cluster();
    const created = api.create(type("iter8.tools/v2alpha2", "Experiment"), "default", experiment("exp", { status: { stage: "Completed" } })).object;
    expect(meta(created)).toMatchObject({ name: "exp", namespace: "default", generation: 1, creationTimestamp: "2024-01-02T03:04:05Z" });
    expect(meta(created).uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(meta(created).resourceVersion)).toBeGreaterThan(0);
    expect(created).not.toHaveProperty("status");
  });

  it("names objects from generateName and refuses a taken name with AlreadyExists", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    const generated = api.create(cm, "default", { metadata: { generateName: "run-" } }).object;
    expect(meta(generated).name).toMatch(/^run-[a-z0-9]{5}$/);
    api.create(cm, "default", { metadata: { name: "x" } });
    const e = apiError(() => api.create(cm, "default", { metadata: { name: "x" } }));
    expect(e.status).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'configmaps "x" already exists', details: { name: "x", kind: "configmaps" } });
  });

  it("needs an existing namespace", () => {
    const { api, type } = cluster();
    const e = apiError(() => api.create(type("v1", "ConfigMap"), "nowhere", { metadata: { name: "x" } }));
    expect(e.status).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it("refuses unknown fields under Strict, prunes them with a warning otherwise", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    const body = experiment("exp", { spec: { target: "t", strategy: { testingPattern: "Canary" }, bogus: 1 } });
    const strict = apiError(() => api.create(exp, "default", body, { fieldValidation: "Strict" }));
    expect(strict.status).toMatchObject({ code: 400, message: 'Experiment in version "v2alpha2" cannot be handled as a Experiment: strict decoding error: unknown field "spec.bogus"' });
    const warned = api.create(exp, "default", body);
    expect(warned.warnings).toEqual(['unknown field "spec.bogus"']);
    expect(warned.object.spec).not.toHaveProperty("bogus");
  });

  it("applies batch/v1 Job defaults: selector, pod labels, job labels from the template, empty status", () => {
    const { api, type } = cluster();
    const job = api.create(type("batch/v1", "Job"), "default", {
      metadata: { name: "default-exp-start" },
      spec: {
        template: {
          metadata: { labels: { "iter8/experimentName": "exp" } },
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "taskrunner:1.0", command: ["true"] }] },
        },
      },
      status: { succeeded: 5 },
    }).object as { metadata: { uid: string; labels: Record<string, string> }; spec: Record<string, unknown>; status: unknown };
    const uid = job.metadata.uid;
    expect(job.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } } });
    expect(job.metadata.labels).toEqual({
      "iter8/experimentName": "exp",
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "default-exp-start",
      "controller-uid": uid,
      "job-name": "default-exp-start",
    });
    expect(job.status).toEqual({});
  });

  it("validates Jobs like the API server: restart policy, containers, name length", () => {
    const { api, type } = cluster();
    const e = apiError(() =>
      api.create(type("batch/v1", "Job"), "default", {
        metadata: { name: "x".repeat(64) },
        spec: { template: { spec: { restartPolicy: "Always", containers: [{ name: "c" }] } } },
      }),
    );
    expect(e.status.code).toBe(422);
    // The name also lands in the Job's own labels, which are checked as well.
    expect(e.status.details?.causes?.map((c) => c.field)).toEqual([
      "metadata.labels",
      "metadata.labels",
      "spec.template.spec.containers[0].image",
      "spec.template.spec.restartPolicy",
      "spec.template.labels",
    ]);
  });

  it("stores Secret stringData as base64 data", () => {
    const { api, type } = cluster();
    const secret = api.create(type("v1", "Secret"), "default", { metadata: { name: "s" }, stringData: { token: "abc" } }).object;
    expect(secret).toMatchObject({ type: "Opaque", data: { token: "YWJj" } });
    expect(secret).not.toHaveProperty("stringData");
  });
});

describe("update", () => {
  it("bumps generation for spec changes only and keeps status out of main writes", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    const created = api.create(exp, "default", experiment()).object;
    const withStatus = api.update(exp, "default", "exp", { ...created, status: { stage: "Running" } }, {}, "status").object;
    expect(meta(withStatus).generation).toBe(1);
    const relabelled = api.update(exp, "default", "exp", { ...withStatus, metadata: { ...meta(withStatus), labels: { team: "b" } }, status: { stage: "Oops" } }).object;
    expect(meta(relabelled).generation).toBe(1);
    expect(relabelled.status).toEqual({ stage: "Running" });
    const respec = api.update(exp, "default", "exp", { ...relabelled, spec: { target: "other", strategy: { testingPattern: "Canary" } } }).object;
    expect(meta(respec).generation).toBe(2);
  });

  it("changes only status through /status", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    const created = api.create(exp, "default", experiment()).object;
    const updated = api.update(exp, "default", "exp", { ...created, spec: { target: "changed", strategy: { testingPattern: "A/B" } }, status: { stage: "Waiting" } }, {}, "status").object;
    expect(updated.spec).toEqual(created.spec);
    expect(updated.status).toEqual({ stage: "Waiting" });
  });

  it("answers 409 for a stale resourceVersion and 422 for a missing one on custom resources", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    const created = api.create(exp, "default", experiment()).object;
    api.update(exp, "default", "exp", { ...created, spec: { target: "t2", strategy: { testingPattern: "Canary" } } });
    const stale = apiError(() => api.update(exp, "default", "exp", created));
    expect(stale.status).toMatchObject({
      code: 409,
      reason: "Conflict",
      message: 'Operation cannot be fulfilled on experiments.iter8.tools "exp": the object has been modified; please apply your changes to the latest version and try again',
    });
    const unversioned = { ...created, metadata: { ...meta(created), resourceVersion: undefined } };
    const missing = apiError(() => api.update(exp, "default", "exp", unversioned));
    expect(missing.status.message).toBe('experiments.iter8.tools "exp" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
  });

  it("lets built-in kinds update without a resourceVersion", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    api.create(cm, "default", { metadata: { name: "c" }, data: { a: "1" } });
    expect(api.update(cm, "default", "c", { metadata: { name: "c" }, data: { a: "2" } }).object.data).toEqual({ a: "2" });
  });

  it("does not write (nor bump the version) when nothing changes", () => {
    const { api, store, type } = cluster();
    const cm = type("v1", "ConfigMap");
    const created = api.create(cm, "default", { metadata: { name: "c" }, data: { a: "1" } }).object;
    const before = store.resourceVersion;
    const same = api.update(cm, "default", "c", created).object;
    expect(meta(same).resourceVersion).toBe(meta(created).resourceVersion);
    expect(store.resourceVersion).toBe(before);
  });

  it("re-validates Experiments on update", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    const created = api.create(exp, "default", experiment()).object;
    const e = apiError(() => api.update(exp, "default", "exp", { ...created, spec: { target: "t", strategy: { testingPattern: "Canary" }, duration: { maxLoops: 0 } } }));
    expect(e.status.details?.causes).toEqual([
      { reason: "FieldValueInvalid", field: "spec.duration.maxLoops", message: "Invalid value: 0: spec.duration.maxLoops in body should be greater than or equal to 1" },
    ]);
  });

  it("keeps Job templates immutable", () => {
    const { api, type } = cluster();
    const jobType = type("batch/v1", "Job");
    const job = api.create(jobType, "default", {
      metadata: { name: "j" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1" }] } } },
    }).object as { spec: { template: { spec: { containers: { image: string }[] } } } };
    const changed = structuredClone(job);
    const container = changed.spec.template.spec.containers[0];
    if (container) container.image = "i:2";
    expect(apiError(() => api.update(jobType, "default", "j", changed)).status.message).toMatch(/spec\.template: Invalid value: .*field is immutable/);
  });
});

describe("patch", () => {
  it("answers a JSON patch with a failing test with kube-apiserver's bare 422 Invalid (no causes)", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    api.create(exp, "default", experiment());
    const e = apiError(() => api.patch(exp, "default", "exp", "application/json-patch+json", JSON.stringify([{ op: "test", path: "/spec/target", value: "nope" }])));
    expect(e.status).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: "the server rejected our request due to an error in our request",
      details: {},
    });
  });

  it("refuses strategic merge patch on custom resources with 415, listing what is accepted", () => {
    const { api, type } = cluster();
    const exp = type("iter8.tools/v2alpha2", "Experiment");
    api.create(exp, "default", experiment());
    const e = apiError(() => api.patch(exp, "default", "exp", "application/strategic-merge-patch+json", "{}"));
    expect(e.status).toMatchObject({
      code: 415,
      message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    });
  });

  it("treats a patch naming an old resourceVersion as a stale write", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    const created = api.create(cm, "default", { metadata: { name: "c" }, data: { a: "1" } }).object;
    api.patch(cm, "default", "c", "application/merge-patch+json", JSON.stringify({ data: { a: "2" } }));
    const e = apiError(() =>
      api.patch(cm, "default", "c", "application/merge-patch+json", JSON.stringify({ metadata: { resourceVersion: meta(created).resourceVersion }, data: { a: "3" } })),
    );
    expect(e.status.code).toBe(409);
  });

  it("creates on apply when absent, and needs a field manager", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    const body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: '1'\n";
    expect(apiError(() => api.patch(cm, "default", "applied", "application/apply-patch+yaml", body)).status.code).toBe(422);
    const created = api.patch(cm, "default", "applied", "application/apply-patch+yaml", body, { fieldManager: "test" });
    expect(created.created).toBe(true);
    expect(created.object.data).toEqual({ a: "1" });
  });
});

describe("delete", () => {
  it("waits for finalizers, then deletes when the last one is removed", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    api.create(cm, "default", { metadata: { name: "c", finalizers: ["example.com/hold"] } });
    const held = api.delete(cm, "default", "c");
    expect(meta(held.body as JsonObject).deletionTimestamp).toBe("2024-01-02T03:04:05Z");
    const current = api.get(cm, "default", "c");
    api.update(cm, "default", "c", { ...current, metadata: { ...meta(current), finalizers: [] } });
    expect(apiError(() => api.get(cm, "default", "c")).status.code).toBe(404);
  });

  it("answers a Success Status naming the resource, or the object for Pods", () => {
    const { api, type } = cluster();
    const cm = type("v1", "ConfigMap");
    const created = api.create(cm, "default", { metadata: { name: "c" } }).object;
    expect(api.delete(cm, "default", "c").body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "c", kind: "configmaps", uid: meta(created).uid },
    });
    const pod = type("v1", "Pod");
    api.create(pod, "default", { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i" }] } });
    expect(api.delete(pod, "default", "p").body).toMatchObject({ kind: "Pod", metadata: { name: "p" } });
  });

  it("orphans a Job's pods by default and deletes them with Background propagation", () => {
    const { api, type } = cluster();
    const jobType = type("batch/v1", "Job");
    const pod = type("v1", "Pod");
    const makeJob = (name: string) => {
      const job = api.create(jobType, "default", {
        metadata: { name },
        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1" }] } } },
      }).object;
      api.create(pod, "default", {
        metadata: { name: `${name}-pod`, ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name, uid: meta(job).uid, controller: true }] },
        spec: { containers: [{ name: "c", image: "i:1" }] },
      });
    };
    makeJob("orphaning");
    api.delete(jobType, "default", "orphaning");
    expect(meta(api.get(pod, "default", "orphaning-pod"))).not.toHaveProperty("ownerReferences");
    makeJob("cascading");
    api.delete(jobType, "default", "cascading", { propagationPolicy: "Background" });
    expect(apiError(() => api.get(pod, "default", "cascading-pod")).status.code).toBe(404);
  });

  it("terminates a namespace: new content is refused, finalizers hold it in Terminating, then everything in it goes", async () => {
    const { api, type } = cluster();
    const ns = type("v1", "Namespace");
    const cm = type("v1", "ConfigMap");
    api.create(ns, "", { metadata: { name: "team" } });
    api.create(cm, "team", { metadata: { name: "c" } });
    api.create(cm, "team", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const terminating = api.delete(ns, "", "team").body as JsonObject;
    expect(terminating.status).toEqual({ phase: "Terminating" });
    expect(apiError(() => api.create(cm, "team", { metadata: { name: "d" } })).status).toMatchObject({
      code: 403,
      message: 'configmaps "d" is forbidden: unable to create new content in namespace team because it is being terminated',
      details: { causes: [{ reason: "NamespaceTerminating", message: "namespace team is being terminated", field: "metadata.namespace" }] },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(apiError(() => api.get(cm, "team", "c")).status.code).toBe(404);
    expect(meta(api.get(cm, "team", "held")).deletionTimestamp).toBeDefined();
    const held = api.get(ns, "", "team").status as { phase: string; conditions: { type: string; message: string }[] };
    expect(held.phase).toBe("Terminating");
    expect(held.conditions.find((c) => c.type === "NamespaceFinalizersRemaining")?.message).toBe(
      "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
    );
    api.update(cm, "team", "held", { ...api.get(cm, "team", "held"), metadata: { ...meta(api.get(cm, "team", "held")), finalizers: [] } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(apiError(() => api.get(ns, "", "team")).status.code).toBe(404);
  });
});

describe("custom resource definitions", () => {
  it("serves a new kind once its CRD is created and stops (deleting its objects) when the CRD goes", () => {
    const { api, registry, type } = cluster();
    const crdType = type("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    const crd = api.create(crdType, "", {
      metadata: { name: "trafficsplits.split.smi-spec.io" },
      spec: {
        group: "split.smi-spec.io",
        names: { kind: "TrafficSplit", plural: "trafficsplits" },
        scope: "Namespaced",
        versions: [{ name: "v1alpha2", served: true, storage: true }],
      },
    }).object;
    expect((crd.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => [c.type, c.status])).toEqual([
      ["NamesAccepted", "True"],
      ["Established", "True"],
    ]);
    const ts = type("split.smi-spec.io/v1alpha2", "TrafficSplit");
    api.create(ts, "default", { apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit", metadata: { name: "s" }, spec: {} });
    api.delete(crdType, "", "trafficsplits.split.smi-spec.io");
    expect(registry.findKind("split.smi-spec.io/v1alpha2", "TrafficSplit")).toBeUndefined();
    expect(api.list(ts, undefined).items).toEqual([]);
  });

  it("serves every version of a CRD from one collection", () => {
    const { api, type } = cluster();
    api.create(type("networking.istio.io/v1beta1", "VirtualService"), "default", {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      metadata: { name: "vs" },
      spec: { hosts: ["a"] },
    });
    expect(api.get(type("networking.istio.io/v1alpha3", "VirtualService"), "default", "vs")).toMatchObject({ apiVersion: "networking.istio.io/v1alpha3", spec: { hosts: ["a"] } });
  });
});

describe("events.k8s.io", () => {
  it("stores one Event seen through both APIs with their field names", () => {
    const { api, type } = cluster();
    api.create(type("events.k8s.io/v1", "Event"), "default", {
      metadata: { name: "e1" },
      regarding: { kind: "Experiment", name: "exp", namespace: "default" },
      note: "Advanced to Running",
      reason: "StageAdvanced",
      type: "Normal",
      eventTime: "2024-01-02T03:04:05.000000Z",
      reportingController: "iter8",
      reportingInstance: "iter8-0",
      action: "Reconcile",
    });
    const core = api.get(type("v1", "Event"), "default", "e1");
    expect(core).toMatchObject({ involvedObject: { kind: "Experiment", name: "exp" }, message: "Advanced to Running", reportingComponent: "iter8" });
    const listed = api.list(type("events.k8s.io/v1", "Event"), "default", { fieldSelector: "regarding.name=exp" });
    expect(listed.items).toHaveLength(1);
  });
});

describe("list and watch", () => {
  function seeded() {
    const c = cluster();
    const cm = c.type("v1", "ConfigMap");
    for (const [name, tier] of [["a", "web"], ["b", "db"], ["c", "web"], ["d", "cache"]] as const) {
      c.api.create(cm, "default", { metadata: { name, labels: { tier } } });
    }
    return { ...c, cm };
  }

  it("filters by labels and fields and leaves kind off built-in list items", () => {
    const { api, cm } = seeded();
    const list = api.list(cm, "default", { labelSelector: "tier in (web,cache)", fieldSelector: "metadata.name!=c" });
    expect(list.kind).toBe("ConfigMapList");
    expect((list.items as JsonObject[]).map((i) => meta(i).name)).toEqual(["a", "d"]);
    expect(list.items as JsonObject[]).not.toContainEqual(expect.objectContaining({ kind: "ConfigMap" }));
    expect(apiError(() => api.list(cm, "default", { fieldSelector: "data.x=1" })).status).toMatchObject({
      code: 400,
      message: '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    });
  });

  it("pages with limit and continue", () => {
    const { api, cm } = seeded();
    const first = api.list(cm, "default", { limit: 3 });
    expect((first.items as JsonObject[]).map((i) => meta(i).name)).toEqual(["a", "b", "c"]);
    expect(first.metadata).toMatchObject({ remainingItemCount: 1 });
    const second = api.list(cm, "default", { limit: 3, continue: String((first.metadata as { continue: string }).continue) });
    expect((second.items as JsonObject[]).map((i) => meta(i).name)).toEqual(["d"]);
    expect(second.metadata).not.toHaveProperty("continue");
  });

  it("reports objects entering and leaving a selector as ADDED and DELETED", () => {
    const { api, cm } = seeded();
    const seen: [WatchEventType, unknown][] = [];
    const watch = api.watch(cm, "default", { labelSelector: "tier=web", resourceVersion: "" }, { event: (t, o) => seen.push([t, meta(o as JsonObject).name]), end: () => undefined });
    api.update(cm, "default", "b", { metadata: { name: "b", labels: { tier: "web" } } });
    api.update(cm, "default", "a", { metadata: { name: "a", labels: { tier: "db" } } });
    api.update(cm, "default", "c", { metadata: { name: "c", labels: { tier: "web" } }, data: { x: "1" } });
    api.delete(cm, "default", "d");
    watch.stop();
    api.delete(cm, "default", "c");
    expect(seen).toEqual([
      ["ADDED", "a"],
      ["ADDED", "c"],
      ["ADDED", "b"],
      ["DELETED", "a"],
      ["MODIFIED", "c"],
    ]);
  });

  it("replays from a resourceVersion and sends ERROR 410 once it is compacted away", () => {
    const { api, store, cm } = seeded();
    const from = String(store.resourceVersion);
    api.create(cm, "default", { metadata: { name: "e" } });
    const replayed: string[] = [];
    api.watch(cm, "default", { resourceVersion: from }, { event: (t) => replayed.push(t), end: () => undefined }).stop();
    expect(replayed).toEqual(["ADDED"]);
    store.compact();
    const events: [string, unknown][] = [];
    let ended = false;
    api.watch(cm, "default", { resourceVersion: from }, { event: (t, o) => events.push([t, o]), end: () => (ended = true) });
    expect(ended).toBe(true);
    expect(events).toEqual([
      ["ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${from} (${store.resourceVersion + 1})`, reason: "Expired", code: 410 }],
    ]);
  });
});
