// The error answers packages/kube classifies (to-kube-error.ts): HTTP code, reason, details and
// message as kube-apiserver v1.37 sends them, checked on both servers.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeKubeconfig } from "@iter8ts/kube-harness";
import { expect, it, onTestFinished } from "vitest";
import { describeOnBothServers, ok, skipBecause, type FidelityTarget } from "./fidelity-target";

const failure = (code: number, reason: string, message: string, details?: Record<string, unknown>) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

const experiment = (name: string, namespace: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "iter8.tools/v2alpha2",
  kind: "Experiment",
  metadata: { name, namespace },
  spec: { target: `${namespace}/app`, strategy: { testingPattern: "Canary" }, ...spec },
});

const virtualService = (name: string) => ({
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name },
  spec: { hosts: ["app"], http: [{ route: [{ destination: { host: "app", subset: "v1" }, weight: 50 }, { destination: { host: "app", subset: "v2" }, weight: 50 }] }] },
});

describeOnBothServers("error answers", (target, name) => {
  const t = (): FidelityTarget => target();
  const cms = () => `/api/v1/namespaces/${t().namespace}/configmaps`;
  const vss = () => `/apis/networking.istio.io/v1beta1/namespaces/${t().namespace}/virtualservices`;
  const exps = () => `/apis/iter8.tools/v2alpha2/namespaces/${t().namespace}/experiments`;

  it("404 NotFound names the missing object (group and plural in details); an unknown path is generic, or plain text outside built-in groups", async () => {
    expect(await t().request("GET", `${cms()}/missing`)).toMatchObject({
      status: 404,
      json: failure(404, "NotFound", 'configmaps "missing" not found', { name: "missing", kind: "configmaps" }),
    });
    expect((await t().request("GET", `${exps()}/missing`)).json).toEqual(
      failure(404, "NotFound", 'experiments.iter8.tools "missing" not found', { name: "missing", group: "iter8.tools", kind: "experiments" }),
    );
    expect((await t().request("GET", "/apis/apps/v1/widgets")).json).toEqual(failure(404, "NotFound", "the server could not find the requested resource", {}));
    for (const path of ["/apis/iter8.tools/v2alpha2/widgets", "/apis/example.com/v1/widgets", "/nothing"]) {
      expect(await t().request("GET", path)).toMatchObject({ status: 404, text: "404 page not found\n", json: undefined });
    }
  });

  it("409 AlreadyExists for a taken name, 409 Conflict for a stale resourceVersion", async () => {
    const created = await t().request("POST", cms(), { body: { metadata: { name: "taken" }, data: { a: "1" } } });
    expect(created.status).toBe(201);
    expect((await t().request("POST", cms(), { body: { metadata: { name: "taken" } } })).json).toEqual(
      failure(409, "AlreadyExists", 'configmaps "taken" already exists', { name: "taken", kind: "configmaps" }),
    );
    const version = (created.json?.metadata as { resourceVersion: string }).resourceVersion;
    expect((await t().request("PUT", `${cms()}/taken`, { body: { metadata: { name: "taken", resourceVersion: version }, data: { a: "2" } } })).status).toBe(200);
    expect((await t().request("PUT", `${cms()}/taken`, { body: { metadata: { name: "taken", resourceVersion: version }, data: { a: "3" } } })).json).toEqual(
      failure(409, "Conflict", 'Operation cannot be fulfilled on configmaps "taken": the object has been modified; please apply your changes to the latest version and try again', {
        name: "taken",
        kind: "configmaps",
      }),
    );
    // A custom resource update without a resourceVersion is refused, naming the resource.
    await t().request("POST", vss(), { body: virtualService("unversioned") });
    expect((await t().request("PUT", `${vss()}/unversioned`, { body: virtualService("unversioned") })).json).toEqual(
      failure(422, "Invalid", 'virtualservices.networking.istio.io "unversioned" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update', {
        name: "unversioned",
        group: "networking.istio.io",
        kind: "virtualservices",
        causes: [{ reason: "FieldValueInvalid", message: "Invalid value: 0: must be specified for an update", field: "metadata.resourceVersion" }],
      }),
    );
  });

  // After an etcd compaction kube-apiserver keeps serving versions from its watch cache for a while
  // (an exact or continued list from a snapshot, a watch by replaying), so these 410s come only once
  // the cache has moved on too; testkit's compact() stands for that moment. Each answer is checked
  // when the real server gives it, and against what it was recorded to give (__fixtures__) on testkit.
  it("410 Expired for an exact list of a version compacted away", async (ctx) => {
    if (!(await t().compact())) skipBecause(ctx, "this server cannot compact etcd on demand (a cluster named by ITER8TS_KUBECONFIG)");
    const listed = await t().request("GET", `${cms()}?resourceVersion=1&resourceVersionMatch=Exact`);
    if (t().real && listed.status === 200) skipBecause(ctx, "kube-apiserver still answered from its watch cache after the compaction");
    expect(listed.json).toEqual(failure(410, "Expired", "The resourceVersion for the provided list is too old."));
  });

  it("410 Expired for a list continued from a compacted version, with a token to continue inconsistently", async (ctx) => {
    for (const n of ["page-a", "page-b", "page-c"]) await t().request("POST", cms(), { body: { metadata: { name: n } } });
    const first = await t().request("GET", `${cms()}?limit=1`);
    const token = (first.json?.metadata as { continue: string }).continue;
    expect(token).toBeTruthy();
    await t().request("POST", cms(), { body: { metadata: { name: "page-d" } } });
    if (!(await t().compact())) skipBecause(ctx, "this server cannot compact etcd on demand (a cluster named by ITER8TS_KUBECONFIG)");
    const expired = await t().request("GET", `${cms()}?limit=1&continue=${encodeURIComponent(token)}`);
    if (t().real && expired.status === 200) skipBecause(ctx, "kube-apiserver still answered from its watch cache after the compaction");
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Expired",
      code: 410,
      message:
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    });
    expect(expired.json).not.toHaveProperty("details");
    // The token in the answer lists the rest as it is now.
    const inconsistent = (expired.json?.metadata as { continue: string }).continue;
    const rest = await t().request("GET", `${cms()}?continue=${encodeURIComponent(inconsistent)}`);
    expect((rest.json?.items as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual(expect.arrayContaining(["page-b", "page-c", "page-d"]));
  });

  it("410 Expired in a watch from a version the server no longer has: a 200 stream with one ERROR event", async (ctx) => {
    await t().request("POST", cms(), { body: { metadata: { name: "after-compaction" } } });
    if (!(await t().compact())) skipBecause(ctx, "this server cannot compact etcd on demand (a cluster named by ITER8TS_KUBECONFIG)");
    const watched = await t().watch(cms(), { resourceVersion: "1" }, 3);
    expect(watched.status).toBe(200);
    if (t().real && watched.events[0]?.type !== "ERROR") skipBecause(ctx, "kube-apiserver still replayed the watch from its cache after the compaction");
    expect(watched.events).toHaveLength(1);
    const recorded = JSON.parse(readFileSync(new URL("./__fixtures__/watch-too-old.json", import.meta.url), "utf8")) as { object: object };
    expect(watched.events[0]).toEqual({
      ...recorded,
      object: { ...recorded.object, message: expect.stringMatching(/^too old resource version: 1 \(\d+\)$/) },
    });
  });

  it("422 Invalid with the CRD schema's causes: a fractional number in an int-or-string quantity", async () => {
    const bad = experiment("fractional", t().namespace, { criteria: { objectives: [{ metric: "m", upperLimit: 0.5 }] } });
    const r = await t().request("POST", exps(), { body: bad });
    const field = "spec.criteria.objectives[0].upperLimit";
    const causes = [
      { reason: "FieldValueTypeInvalid", message: `Invalid value: "number": ${field} in body must be of type integer,string: "number"`, field },
      { reason: "FieldValueInvalid", message: `Invalid value: "": "${field}" must validate at least one schema (anyOf)`, field: "<nil>" },
      { reason: "FieldValueTypeInvalid", message: `Invalid value: "number": ${field} in body must be of type integer: "number"`, field },
      { reason: "FieldValueInvalid", message: `Invalid value: "": Checked value must be of type integer (default format) in ${field}`, field: "<nil>" },
    ];
    expect(r.status).toBe(422);
    expect(r.json).toEqual(
      failure(422, "Invalid", `Experiment.iter8.tools "fractional" is invalid: [${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}]`, {
        name: "fractional",
        group: "iter8.tools",
        kind: "Experiment",
        causes,
      }),
    );
  });

  it("422 Invalid for several fields at once, in any order (the server's order is random)", async () => {
    const r = await t().request("POST", exps(), {
      body: { ...experiment("several", t().namespace), spec: { strategy: { testingPattern: "Sideways" }, duration: { intervalSeconds: "ten" } } },
    });
    expect(r.status).toBe(422);
    const details = r.json?.details as { kind: string; causes: unknown[] };
    expect(details.kind).toBe("Experiment");
    expect(details.causes).toHaveLength(3);
    expect(details.causes).toEqual(
      expect.arrayContaining([
        { reason: "FieldValueRequired", message: "Required value", field: "spec.target" },
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Sideways": supported values: "Canary", "A/B", "A/B/N", "A/B/n", "Conformance"',
          field: "spec.strategy.testingPattern",
        },
        {
          reason: "FieldValueTypeInvalid",
          message: 'Invalid value: "string": spec.duration.intervalSeconds in body must be of type integer: "string"',
          field: "spec.duration.intervalSeconds",
        },
      ]),
    );
  });

  it("422 with no causes for a JSON patch whose test fails, or that names a path that does not exist; nothing changes", async () => {
    const created = await t().request("POST", vss(), { body: virtualService("guarded") });
    const bare = failure(422, "Invalid", "the server rejected our request due to an error in our request", {});
    const patch = (ops: unknown) => t().request("PATCH", `${vss()}/guarded`, { body: ops, contentType: "application/json-patch+json" });
    expect((await patch([{ op: "test", path: "/spec/http/0/route/0/weight", value: 100 }, { op: "replace", path: "/spec/http/0/route/0/weight", value: 0 }])).json).toEqual(bare);
    expect((await patch([{ op: "replace", path: "/spec/http/3/route/0/weight", value: 0 }])).json).toEqual(bare);
    expect((await patch([{ op: "remove", path: "/spec/gone" }])).json).toEqual(bare);
    expect((await patch([{ op: "jump", path: "/spec" }])).json).toEqual(bare);
    // The library the server uses: replace of a missing member of an object sets it.
    const replaced = await patch([{ op: "replace", path: "/spec/gateways", value: ["mesh"] }]);
    expect(replaced.status).toBe(200);
    expect((replaced.json?.spec as { gateways: string[] }).gateways).toEqual(["mesh"]);
    const now = await t().request("GET", `${vss()}/guarded`);
    expect(now.json?.spec).toEqual({ ...(created.json?.spec as object), gateways: ["mesh"] });
  });

  it("415 UnsupportedMediaType for a strategic merge patch of a custom resource, naming the accepted types", async () => {
    await t().request("POST", vss(), { body: virtualService("strategic") });
    expect((await t().request("PATCH", `${vss()}/strategic`, { body: {}, contentType: "application/strategic-merge-patch+json" })).json).toEqual(
      failure(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
      ),
    );
  });

  it("400 BadRequest without details: an undecodable body, a wrongly typed field, a bad selector, an unknown field label, a patch that is not a list", async () => {
    const cut = await t().request("POST", cms(), { body: '{"metadata":{"name":"cut"' });
    expect(cut.json).toMatchObject({ code: 400, reason: "BadRequest", status: "Failure" });
    expect(cut.json?.message).toBe(`the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"metadata":{"name":"cut")`);
    expect(cut.json).not.toHaveProperty("details");
    expect((await t().request("GET", `${cms()}?fieldSelector=data.a%3Db`)).json).toEqual(
      failure(400, "BadRequest", '"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    );
    expect((await t().request("GET", `${exps()}?fieldSelector=spec.x%3Db`)).json).toEqual(failure(400, "BadRequest", "field label not supported: spec.x"));
    expect((await t().request("GET", `/apis/batch/v1/namespaces/${t().namespace}/jobs?fieldSelector=x%3Db`)).json).toEqual(
      failure(400, "BadRequest", 'field label "x" not supported for Job'),
    );
    expect((await t().request("GET", `${cms()}?labelSelector=${encodeURIComponent("a==b=c")}`)).json).toEqual(
      failure(400, "BadRequest", "found '=', expected: ',' or 'end of string'"),
    );
    expect((await t().request("GET", `${cms()}?labelSelector=${encodeURIComponent("a in (")}`)).json).toEqual(
      failure(400, "BadRequest", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
    );
    // Go's decoder refuses a value of the wrong type in a built-in kind's typed field.
    const job = { metadata: { name: "typed" }, spec: { backoffLimit: "six", template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } };
    expect((await t().request("POST", `/apis/batch/v1/namespaces/${t().namespace}/jobs`, { body: job })).json).toEqual(
      failure(400, "BadRequest", 'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of type int32'),
    );
    await t().request("POST", cms(), { body: { metadata: { name: "patched" } } });
    expect((await t().request("PATCH", `${cms()}/patched`, { body: { op: "add" }, contentType: "application/json-patch+json" })).json).toEqual(
      failure(400, "BadRequest", "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
    );
  });

  it("403 Forbidden with a NamespaceTerminating cause for content created in a terminating namespace", async () => {
    const doomed = `${t().namespace}-doomed`;
    ok(await t().kubectl(["create", "namespace", doomed]));
    // A finalizer holds the namespace in Terminating for as long as the test needs.
    ok(await t().kubectl(["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: doomed, finalizers: ["iter8.tools/test-hold"] } }) }));
    ok(await t().kubectl(["delete", "namespace", doomed, "--wait=false"]));
    expect((await t().request("POST", `/api/v1/namespaces/${doomed}/configmaps`, { body: { metadata: { name: "late" } } })).json).toEqual(
      failure(403, "Forbidden", `configmaps "late" is forbidden: unable to create new content in namespace ${doomed} because it is being terminated`, {
        name: "late",
        kind: "configmaps",
        causes: [{ reason: "NamespaceTerminating", message: `namespace ${doomed} is being terminated`, field: "metadata.namespace" }],
      }),
    );
    ok(await t().kubectl(["patch", "-n", doomed, "configmap/held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']));
  });

  // testkit has no authentication or authorization (see its README), so only the real server can refuse.
  it.skipIf(name === "testkit")("403 Forbidden for a ServiceAccount token without RBAC (kube-apiserver only)", async () => {
    ok(await t().kubectl(["create", "serviceaccount", "no-rights", "-n", t().namespace]));
    const token = ok(await t().kubectl(["create", "token", "no-rights", "-n", t().namespace, "--duration=10m"])).trim();
    const r = await t().request("GET", `/api/v1/namespaces/${t().namespace}/secrets`, { token });
    expect(r.json).toEqual(
      failure(403, "Forbidden", `secrets is forbidden: User "system:serviceaccount:${t().namespace}:no-rights" cannot list resource "secrets" in API group "" in the namespace "${t().namespace}"`, {
        kind: "secrets",
      }),
    );
    // kubectl shows the same refusal.
    const kubeconfig = join(tmpdir(), `fidelity-${t().namespace}-no-rights.kubeconfig`);
    onTestFinished(() => rmSync(kubeconfig, { force: true }));
    writeKubeconfig(kubeconfig, { server: t().plane?.server ?? "", caData: t().plane?.caData, token }, t().namespace);
    const denied = await t().kubectl(["get", "secrets"], { kubeconfig });
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toContain("(Forbidden)");
  });
});
