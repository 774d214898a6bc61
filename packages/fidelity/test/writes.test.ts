// Writes the project relies on: the four patch types, the status subresource, generation, and
// server-side apply with field managers (conflicts, force, removal of fields no longer applied).
import { expect, it } from "vitest";
import { describeOnBothServers, type FidelityTarget } from "./fidelity-target";

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> & { generation?: number; resourceVersion?: string }; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const experiment = (name: string) => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name },
  spec: { target: "default/app", strategy: { testingPattern: "Canary" }, duration: { maxLoops: 1 } },
  status: { stage: "ShouldBeDropped" },
});

describeOnBothServers("writes", (target) => {
  const t = (): FidelityTarget => target();
  const cms = () => `/api/v1/namespaces/${t().namespace}/configmaps`;
  const exps = () => `/apis/iter8.tools/v2alpha2/namespaces/${t().namespace}/experiments`;
  const deployments = () => `/apis/apps/v1/namespaces/${t().namespace}/deployments`;
  const write = async (method: string, path: string, body: unknown, contentType?: string) => {
    const r = await t().request(method, path, { body, ...(contentType ? { contentType } : {}) });
    expect(r.status, r.text).toBeLessThan(300);
    return r.json as Obj;
  };

  it("JSON patch, merge patch (null deletes) and strategic merge patch (lists merged by key) of built-in kinds", async () => {
    await write("POST", cms(), { metadata: { name: "patched", labels: { a: "1", b: "2" } }, data: { x: "1" } });
    const json = await write("PATCH", `${cms()}/patched`, [{ op: "add", path: "/data/y", value: "2" }], "application/json-patch+json");
    expect(json.data).toEqual({ x: "1", y: "2" });
    const merged = await write("PATCH", `${cms()}/patched`, { metadata: { labels: { a: null, c: "3" } }, data: { x: null } }, "application/merge-patch+json");
    expect(merged.metadata.labels).toEqual({ b: "2", c: "3" });
    expect(merged.data).toEqual({ y: "2" });
    const container = (name: string, image: string) => ({ name, image });
    await write("POST", deployments(), {
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [container("app", "app:1"), container("proxy", "proxy:1")] } } },
    });
    const strategic = await write("PATCH", `${deployments()}/web`, { spec: { template: { spec: { containers: [container("proxy", "proxy:2")] } } } }, "application/strategic-merge-patch+json");
    const containers = ((strategic.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers).map((c) => [c.name, c.image]);
    expect(containers).toEqual([
      ["app", "app:1"],
      ["proxy", "proxy:2"],
    ]);
  });

  it("status subresource: creates and main writes leave status alone, status writes leave spec alone; generation counts spec changes", async () => {
    const created = await write("POST", exps(), experiment("split"));
    expect(created).not.toHaveProperty("status");
    expect(created.metadata.generation).toBe(1);
    const withStatus = await write("PUT", `${exps()}/split/status`, { ...created, spec: { ...created.spec, target: "ignored/by-status" }, status: { stage: "Running" } });
    expect(withStatus.status).toEqual({ stage: "Running" });
    expect(withStatus.spec?.target).toBe("default/app");
    expect(withStatus.metadata.generation).toBe(1);
    const main = await write("PUT", `${exps()}/split`, { ...withStatus, spec: { ...withStatus.spec, target: "default/other" }, status: { stage: "Completed" } });
    expect(main.status).toEqual({ stage: "Running" });
    expect(main.spec?.target).toBe("default/other");
    expect(main.metadata.generation).toBe(2);
    // Metadata changes do not count.
    const labelled = await write("PATCH", `${exps()}/split`, { metadata: { labels: { team: "a" } } }, "application/merge-patch+json");
    expect(labelled.metadata.generation).toBe(2);
    // A status patch of a custom resource (JSON patch, as the controller's unguarded write).
    const patched = await write("PATCH", `${exps()}/split/status`, [{ op: "add", path: "/status", value: { stage: "Completed" } }], "application/json-patch+json");
    expect(patched.status).toEqual({ stage: "Completed" });
    // A write that changes nothing keeps the resourceVersion.
    const again = await write("PATCH", `${exps()}/split/status`, [{ op: "add", path: "/status", value: { stage: "Completed" } }], "application/json-patch+json");
    expect(again.metadata.resourceVersion).toBe(patched.metadata.resourceVersion);
  });

  it("server-side apply: creates, refuses another manager's change with 409 naming the fields, takes them with force, removes what its manager stops applying", async () => {
    const apply = (manager: string, data: Record<string, string>, query = "") =>
      t().request("PATCH", `${cms()}/applied?fieldManager=${manager}${query}`, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data },
        contentType: "application/apply-patch+yaml",
      });
    const created = await apply("alpha", { a: "1", b: "2" });
    expect(created.status).toBe(201);
    expect((created.json?.metadata as { managedFields: unknown[] }).managedFields).toEqual([
      expect.objectContaining({ manager: "alpha", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } } }),
    ]);
    const refused = await apply("beta", { a: "x", b: "y" });
    expect(refused.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 2 conflicts: conflicts with "alpha":\n- .data.a\n- .data.b',
      reason: "Conflict",
      details: {
        causes: [
          { reason: "FieldManagerConflict", message: 'conflict with "alpha"', field: ".data.a" },
          { reason: "FieldManagerConflict", message: 'conflict with "alpha"', field: ".data.b" },
        ],
      },
      code: 409,
    });
    // An Update (merge patch without a field manager: the User-Agent's, else "unknown") owns what it set.
    await t().request("PATCH", `${cms()}/applied`, { body: { data: { c: "3" } }, contentType: "application/merge-patch+json" });
    expect((await apply("beta", { c: "x" })).json?.message).toBe('Apply failed with 1 conflict: conflict with "unknown" using v1: .data.c');
    const forced = await apply("beta", { a: "x", c: "x" }, "&force=true");
    expect(forced.status).toBe(200);
    expect(forced.json?.data).toEqual({ a: "x", b: "2", c: "x" });
    // Entries are ordered by time in whole seconds, then manager: compare them by manager.
    const owners = (r: typeof forced) =>
      (r.json?.metadata as { managedFields: { manager: string; operation: string; fieldsV1: unknown }[] }).managedFields
        .map((m) => [m.manager, m.operation, m.fieldsV1])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(owners(forced)).toEqual([
      ["alpha", "Apply", { "f:data": { "f:b": {} } }],
      ["beta", "Apply", { "f:data": { "f:a": {}, "f:c": {} } }],
    ]);
    // alpha stops applying b: it goes, since no one else owns it.
    const dropped = await apply("alpha", {});
    expect(dropped.json?.data).toEqual({ a: "x", c: "x" });
    expect(owners(dropped)).toEqual([
      ["alpha", "Apply", { "f:data": {} }],
      ["beta", "Apply", { "f:data": { "f:a": {}, "f:c": {} } }],
    ]);
    // Apply needs a field manager.
    const anonymous = await t().request("PATCH", `${cms()}/applied`, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" } }, contentType: "application/apply-patch+yaml" });
    expect(anonymous.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: "Invalid",
      details: { group: "meta.k8s.io", kind: "PatchOptions", causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }] },
      code: 422,
    });
  });

  it("server-side apply of a custom resource: lists are atomic, a manager that stops applying a field removes it", async () => {
    const apply = (manager: string, spec: Record<string, unknown>) =>
      t().request("PATCH", `${exps()}/ssa?fieldManager=${manager}`, {
        body: { apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name: "ssa" }, spec },
        contentType: "application/apply-patch+yaml",
      });
    expect((await apply("deployer", { target: "default/app", strategy: { testingPattern: "Canary", deploymentPattern: "Progressive" } })).status).toBe(201);
    const tuned = await apply("tuner", { duration: { maxLoops: 3 } });
    expect(tuned.status).toBe(200);
    const next = await apply("deployer", { target: "default/app", strategy: { testingPattern: "Canary" } });
    expect(next.json?.spec).toEqual({ target: "default/app", strategy: { testingPattern: "Canary" }, duration: { maxLoops: 3 } });
  });
});
