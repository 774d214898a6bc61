import type { KubeTestServer } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { createReferenceGrantInformer } from "./iter8-resources";
import { KubeReferenceGrants } from "./kube-reference-grants";

let server: KubeTestServer;
let clients: KubeClients;

const vs = { field: "spec.versionInfo.baseline.weightObjRef", group: "networking.istio.io", kind: "VirtualService", namespace: "team-b", name: "reviews" };
const metric = { field: "spec.criteria.objectives[0].metric", group: "iter8.tools", kind: "Metric", namespace: "team-b", name: "latency" };

function grant(name: string, namespace: string, from: string, to: Record<string, string>) {
  return { apiVersion: "iter8.tools/v2alpha2", kind: "ReferenceGrant", metadata: { name, namespace }, spec: { from: [{ namespace: from }], to: [to] } };
}

beforeAll(async () => {
  ({ server, clients } = await startCluster({ namespaces: ["default", "team-a", "team-b", "team-c"] }));
  server.create(grant("vs-for-a", "team-b", "team-a", { group: "networking.istio.io", kind: "VirtualService", name: "reviews" }));
  // A grant team-a writes for team-b's objects grants nothing: only team-b can consent.
  server.create(grant("self-service", "team-a", "*", { group: "iter8.tools", kind: "Metric" }));
});

afterAll(async () => {
  await server.close();
});

describe("KubeReferenceGrants", () => {
  it("answers from the informer's cache once synced, without a request per check", async () => {
    const informer = createReferenceGrantInformer(clients);
    informer.start();
    await informer.waitForSync({ timeoutMs: 10_000 });
    try {
      const grants = new KubeReferenceGrants(clients, { informer });
      const before = server.requests().length;
      expect(await grants.allows("team-a", vs)).toBe(true);
      expect(await grants.allows("team-c", vs)).toBe(false);
      expect(await grants.allows("team-a", { ...vs, name: "ratings" })).toBe(false);
      expect(await grants.allows("team-a", metric)).toBe(false);
      expect(await grants.allows("team-b", metric)).toBe(true);
      expect(server.requests().length).toBe(before);
    } finally {
      await informer.stop();
    }
  });

  it("lists the referred namespace's grants when there is no synced informer", async () => {
    const grants = new KubeReferenceGrants(clients);
    const since = server.requests().length;
    expect(await grants.allows("team-a", vs)).toBe(true);
    expect(await grants.allows("team-a", metric)).toBe(false);
    // (The first test's informer may log its ended watch meanwhile.)
    const asked = server.requests().slice(since).filter((r) => r.verb !== "watch").map((r) => `${r.verb} ${r.resource} ${r.namespace}`);
    expect(asked).toEqual(["list referencegrants team-b", "list referencegrants team-b"]);
  });
});
