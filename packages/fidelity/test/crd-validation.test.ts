// What a CRD's structural schema does to the custom resources the project and its users write:
// the project's CRDs (int-or-string quantities, date-time, required fields, enums) and a CRD a
// test installs itself (defaults, nulls, pruning with warnings, Strict refusals, list types).
import { expect, it } from "vitest";
import { describeOnBothServers, ok, type FidelityTarget } from "./fidelity-target";
import { waitForCrdsEstablished } from "@iter8ts/kube-harness";

const widgets = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.fidelity.example.com" },
  spec: {
    group: "fidelity.example.com",
    names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
                  color: { type: "string", enum: ["red", "blue"], default: "red" },
                  at: { type: "string", format: "date-time" },
                  name: { type: "string", maxLength: 5 },
                  count: { type: "integer", minimum: 1, nullable: true },
                  tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
                  extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describeOnBothServers("CRD validation", (target) => {
  const t = (): FidelityTarget => target();
  const path = () => `/apis/fidelity.example.com/v1/namespaces/${t().namespace}/widgets`;
  const exps = () => `/apis/iter8.tools/v2alpha2/namespaces/${t().namespace}/experiments`;
  const widget = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "fidelity.example.com/v1", kind: "Widget", metadata: { name }, spec });
  const causes = (r: { json?: Record<string, unknown> }) =>
    ((r.json?.details as { causes?: { reason: string; message: string; field: string }[] } | undefined)?.causes ?? []).map((c) => `${c.field} ${c.reason} ${c.message}`).sort();

  it("installs a CRD and serves its kind", async () => {
    ok(await t().kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(widgets) }));
    await waitForCrdsEstablished(t(), ["crd/widgets.fidelity.example.com"]);
    // Discovery needs a moment on a real server after Established.
    for (let i = 0; i < 50 && (await t().request("GET", path())).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await t().request("GET", path())).status).toBe(200);
  });

  it("defaults, drops nulls of non-nullable fields, keeps nullable nulls, prunes unknown fields with warnings", async () => {
    const r = await t().request("POST", path(), { body: widget("defaults", { size: 3, count: null, at: null, bogus: 1, extra: { free: { form: true } } }) });
    expect(r.status, r.text).toBe(201);
    expect(r.json?.spec).toEqual({ size: 3, color: "red", count: null, extra: { free: { form: true } } });
    expect(r.headers.warning).toBe('299 - "unknown field \\"spec.bogus\\""');
    const strict = await t().request("POST", `${path()}?fieldValidation=Strict`, { body: widget("strict", { size: 3, bogus: 1 }) });
    expect(strict.json).toMatchObject({ code: 400, reason: "BadRequest", message: 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"' });
  });

  it("refuses a fractional int-or-string, a bad date-time, a missing required field, an unknown enum value, a too-long string and a duplicate in a set", async () => {
    const r = await t().request("POST", path(), { body: widget("bad", { size: 1.5, color: "green", at: "yesterday", name: "toolong", tags: ["a", "a"] }) });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ kind: "Status", reason: "Invalid", details: { name: "bad", group: "fidelity.example.com", kind: "Widget" } });
    expect(causes(r)).toEqual(
      [
        'spec.size FieldValueTypeInvalid Invalid value: "number": spec.size in body must be of type integer,string: "number"',
        '<nil> FieldValueInvalid Invalid value: "": "spec.size" must validate at least one schema (anyOf)',
        'spec.size FieldValueTypeInvalid Invalid value: "number": spec.size in body must be of type integer: "number"',
        "<nil> FieldValueInvalid Invalid value: \"\": Checked value must be of type integer (default format) in spec.size",
        'spec.color FieldValueNotSupported Unsupported value: "green": supported values: "red", "blue"',
        'spec.at FieldValueTypeInvalid Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
        "spec.name FieldValueTooLong Too long: may not be more than 5 bytes",
        'spec.tags[1] FieldValueDuplicate Duplicate value: "a"',
      ].sort(),
    );
    const missing = await t().request("POST", path(), { body: widget("missing", {}) });
    expect(causes(missing)).toEqual(["spec.size FieldValueRequired Required value"]);
    const ok2 = await t().request("POST", path(), { body: widget("fine", { size: "1.5k", at: "2024-02-29T10:00:00Z", tags: ["a", "b"] }) });
    expect(ok2.status, ok2.text).toBe(201);
  });

  it("the project's Experiment CRD: quantities, date-time in status, int32 bounds", async () => {
    const experiment = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name },
      spec: { target: "default/app", strategy: { testingPattern: "Canary" }, ...spec },
    });
    const bool = await t().request("POST", exps(), { body: experiment("bool-limit", { criteria: { objectives: [{ metric: "m", upperLimit: true }] } }) });
    expect(causes(bool)).toContain(
      'spec.criteria.objectives[0].upperLimit FieldValueTypeInvalid Invalid value: "boolean": spec.criteria.objectives[0].upperLimit in body must be of type integer,string: "boolean"',
    );
    const huge = await t().request("POST", exps(), { body: experiment("huge", { duration: { intervalSeconds: 2 ** 31 } }) });
    expect(causes(huge)).toEqual(['<nil> FieldValueInvalid Invalid value: "": Checked value must be of type integer with format int32 in spec.duration.intervalSeconds']);
    const fractional = await t().request("POST", exps(), { body: experiment("fractional", { duration: { intervalSeconds: 1.5 } }) });
    expect(causes(fractional)).toEqual(
      [
        'spec.duration.intervalSeconds FieldValueTypeInvalid Invalid value: "float64": spec.duration.intervalSeconds in body must be of type int32: "float64"',
        '<nil> FieldValueInvalid Invalid value: "": Checked value must be of type integer with format int32 in spec.duration.intervalSeconds',
      ].sort(),
    );
    const created = await t().request("POST", exps(), { body: experiment("status-dates", { criteria: { objectives: [{ metric: "m", upperLimit: "0.5" }] } }) });
    expect(created.status, created.text).toBe(201);
    const status = await t().request("PUT", `${exps()}/status-dates/status`, { body: { ...created.json, status: { startTime: "yesterday" } } });
    // A status write is checked against the status schema alone: the message names the field from there.
    expect(causes(status)).toEqual(['status.startTime FieldValueTypeInvalid Invalid value: "yesterday": startTime in body must be of type date-time: "yesterday"']);
  });

  it("ratchets on update: a value that no longer validates may stay while it is unchanged", async () => {
    const created = await t().request("POST", path(), { body: widget("ratchet", { size: 1, name: "short" }) });
    expect(created.status, created.text).toBe(201);
    // Tighten the schema, then update another field: the now-too-long name is left alone.
    const tightened = structuredClone(widgets);
    (tightened.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.name as { maxLength: number }).maxLength = 3;
    ok(await t().kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], { input: JSON.stringify(tightened) }));
    let updated = await t().request("PATCH", `${path()}/ratchet`, { body: { spec: { size: 2 } }, contentType: "application/merge-patch+json" });
    for (let i = 0; i < 50 && updated.status === 200 && (updated.json?.spec as { size: number }).size !== 2; i++) {
      updated = await t().request("PATCH", `${path()}/ratchet`, { body: { spec: { size: 2 } }, contentType: "application/merge-patch+json" });
    }
    expect(updated.status, updated.text).toBe(200);
    // Changing the field itself must satisfy the new schema (a real server may take a moment to use it).
    let changed = await t().request("PATCH", `${path()}/ratchet`, { body: { spec: { name: "other" } }, contentType: "application/merge-patch+json" });
    for (let i = 0; i < 50 && changed.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      changed = await t().request("PATCH", `${path()}/ratchet`, { body: { spec: { name: `o${i % 10}ther` } }, contentType: "application/merge-patch+json" });
    }
    expect(changed.status).toBe(422);
    expect(causes(changed)).toEqual(["spec.name FieldValueTooLong Too long: may not be more than 3 bytes"]);
  });
});
