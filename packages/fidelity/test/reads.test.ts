// Reads the informers and the resource client rely on: label and field selectors, pages, watches
// resumed from a resourceVersion (events in order, objects moving out of a selector), and the
// initial-events bookmark of a watch that starts with the current state.
import { expect, it } from "vitest";
import { describeOnBothServers, type FidelityTarget, type WatchEvent } from "./fidelity-target";

type List = { metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }; items: { metadata: { name: string } }[] };

describeOnBothServers("reads", (target) => {
  const t = (): FidelityTarget => target();
  const cms = () => `/api/v1/namespaces/${t().namespace}/configmaps`;
  const names = async (query: string) => {
    const r = await t().request("GET", `${cms()}?${query}`);
    expect(r.status, r.text).toBe(200);
    return (r.json as unknown as List).items.map((i) => i.metadata.name).filter((n) => n !== "kube-root-ca.crt").sort();
  };
  const labelled = async (name: string, labels: Record<string, string>) => {
    const r = await t().request("POST", cms(), { body: { metadata: { name, labels } } });
    expect(r.status, r.text).toBe(201);
  };

  it("label selectors: equality, sets, existence; field selectors on name", async () => {
    await labelled("web-prod", { app: "web", tier: "prod" });
    await labelled("web-dev", { app: "web", tier: "dev" });
    await labelled("db-prod", { app: "db", tier: "prod" });
    await labelled("plain", {});
    const q = (selector: string) => names(`labelSelector=${encodeURIComponent(selector)}`);
    expect(await q("app=web")).toEqual(["web-dev", "web-prod"]);
    expect(await q("app==web,tier!=dev")).toEqual(["web-prod"]);
    expect(await q("tier in (prod,qa)")).toEqual(["db-prod", "web-prod"]);
    expect(await q("app,tier notin (prod)")).toEqual(["web-dev"]);
    expect(await q("!app")).toEqual(["plain"]);
    expect(await names(`fieldSelector=${encodeURIComponent("metadata.name=db-prod")}`)).toEqual(["db-prod"]);
    expect(await names(`fieldSelector=${encodeURIComponent("metadata.name!=db-prod")}&labelSelector=app`)).toEqual(["web-dev", "web-prod"]);
    const phases = await t().request("GET", `/api/v1/namespaces?fieldSelector=${encodeURIComponent(`status.phase=Active,metadata.name=${t().namespace}`)}`);
    expect((phases.json as unknown as List).items.map((i) => i.metadata.name)).toEqual([t().namespace]);
  });

  it("pages through a list with limit and continue; counts what remains only when no selector filters", async () => {
    for (const n of ["page-1", "page-2", "page-3"]) await labelled(n, { paged: "yes" });
    const first = (await t().request("GET", `${cms()}?labelSelector=paged%3Dyes&limit=2`)).json as unknown as List;
    expect(first.items.map((i) => i.metadata.name)).toEqual(["page-1", "page-2"]);
    expect(first.metadata).not.toHaveProperty("remainingItemCount");
    const all = ((await t().request("GET", cms())).json as unknown as List).items.length;
    const counted = (await t().request("GET", `${cms()}?limit=1`)).json as unknown as List;
    expect(counted.metadata.remainingItemCount).toBe(all - 1);
    const rest = (await t().request("GET", `${cms()}?labelSelector=paged%3Dyes&limit=2&continue=${encodeURIComponent(first.metadata.continue ?? "")}`)).json as unknown as List;
    expect(rest.items.map((i) => i.metadata.name)).toEqual(["page-3"]);
    expect(rest.metadata).not.toHaveProperty("continue");
  });

  it("a watch resumed from a listed resourceVersion replays the changes after it, in order; leaving the selector is DELETED", async () => {
    await labelled("watched", { stage: "one" });
    const listed = (await t().request("GET", `${cms()}?labelSelector=stage`)).json as unknown as List;
    const path = `${cms()}/watched`;
    await t().request("PATCH", path, { body: { data: { a: "1" } }, contentType: "application/merge-patch+json" });
    await labelled("second", { stage: "two" });
    await t().request("PATCH", path, { body: { metadata: { labels: { stage: null } } }, contentType: "application/merge-patch+json" });
    await t().request("DELETE", `${cms()}/second`);
    const { status, events } = await t().watch(cms(), { labelSelector: "stage", resourceVersion: listed.metadata.resourceVersion }, 1);
    expect(status).toBe(200);
    const seen = events.filter((e) => e.type !== "BOOKMARK").map((e: WatchEvent) => [e.type, e.object.metadata?.name]);
    expect(seen).toEqual([
      ["MODIFIED", "watched"],
      ["ADDED", "second"],
      ["DELETED", "watched"],
      ["DELETED", "second"],
    ]);
    const versions = events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it("a watch with sendInitialEvents gets the current objects, then a BOOKMARK marking the end of them", async () => {
    await labelled("initial", { initial: "yes" });
    const { events } = await t().watch(cms(), { labelSelector: "initial", sendInitialEvents: "true", allowWatchBookmarks: "true", resourceVersionMatch: "NotOlderThan", resourceVersion: "" }, 1);
    expect(events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "initial" } } });
    const bookmark = events.find((e) => e.type === "BOOKMARK");
    expect(bookmark?.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1", metadata: { annotations: { "k8s.io/initial-events-end": "true" } } });
    expect(Number(bookmark?.object.metadata?.resourceVersion)).toBeGreaterThan(0);
    // sendInitialEvents needs resourceVersionMatch=NotOlderThan, and is for watches only.
    const invalidOptions = (field: string, detail: string) => ({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `ListOptions.meta.k8s.io "" is invalid: ${field}: Forbidden: ${detail}`,
      reason: "Invalid",
      details: { group: "meta.k8s.io", kind: "ListOptions", causes: [{ reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field }] },
      code: 422,
    });
    expect((await t().request("GET", `${cms()}?watch=true&sendInitialEvents=true`)).json).toEqual(
      invalidOptions("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
    );
    expect((await t().request("GET", `${cms()}?sendInitialEvents=true`)).json).toEqual(invalidOptions("sendInitialEvents", "sendInitialEvents is forbidden for list"));
    // Without bookmarks allowed, no bookmark ends them.
    const quiet = await t().watch(cms(), { labelSelector: "initial", sendInitialEvents: "true", resourceVersionMatch: "NotOlderThan" }, 1);
    expect(quiet.events.map((e) => e.type)).toEqual(["ADDED"]);
  });
});
