// Deleting a namespace: it turns Terminating, its content is deleted by the namespace controller
// (kube-controller-manager's, or testkit's), finalizers hold it with conditions saying so, and it
// is gone once they are released.
import { expect, it } from "vitest";
import { describeOnBothServers, ok, type FidelityTarget } from "./fidelity-target";

type Namespace = { metadata: { deletionTimestamp?: string }; spec: { finalizers?: string[] }; status: { phase: string; conditions?: { type: string; status: string; reason: string; message: string }[] } };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeOnBothServers("namespace termination", (target) => {
  const t = (): FidelityTarget => target();

  it("Terminating, content deleted, held by a finalizer with the conditions saying so, then gone", async () => {
    const doomed = `${t().namespace}-gone`;
    ok(await t().kubectl(["create", "namespace", doomed]));
    ok(await t().kubectl(["create", "configmap", "plain", "-n", doomed]));
    ok(await t().kubectl(["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: doomed, finalizers: ["fidelity.example.com/hold"] } }) }));

    const deleted = await t().request("DELETE", `/api/v1/namespaces/${doomed}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ kind: "Namespace", apiVersion: "v1", spec: { finalizers: ["kubernetes"] }, status: { phase: "Terminating" } });
    expect((deleted.json?.metadata as { deletionTimestamp?: string }).deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const cm = (name: string) => t().request("GET", `/api/v1/namespaces/${doomed}/configmaps/${name}`);
    await until(() => cm("plain"), (r) => r.status === 404, "the plain ConfigMap to be deleted");
    const held = await until(() => cm("held"), (r) => Boolean((r.json?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp), "the held ConfigMap to be marked");
    expect(held.status).toBe(200);
    const ns = await until(
      async () => (await t().request("GET", `/api/v1/namespaces/${doomed}`)).json as unknown as Namespace,
      (n) => (n.status.conditions ?? []).some((c) => c.type === "NamespaceFinalizersRemaining"),
      "the namespace's conditions",
    );
    expect(ns.status.phase).toBe("Terminating");
    expect(ns.status.conditions?.find((c) => c.type === "NamespaceContentRemaining")).toMatchObject({
      status: "True",
      reason: "SomeResourcesRemain",
      message: "Some resources are remaining: configmaps. has 1 resource instances",
    });
    expect(ns.status.conditions?.find((c) => c.type === "NamespaceFinalizersRemaining")).toMatchObject({
      status: "True",
      reason: "SomeFinalizersRemain",
      message: "Some content in the namespace has finalizers remaining: fidelity.example.com/hold in 1 resource instances",
    });
    // kubectl shows the phase.
    expect(ok(await t().kubectl(["get", "namespace", doomed, "--no-headers"]))).toMatch(new RegExp(`^${doomed}\\s+Terminating\\s+\\S+\\n$`));

    ok(await t().kubectl(["patch", "-n", doomed, "configmap/held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']));
    await until(async () => (await t().request("GET", `/api/v1/namespaces/${doomed}`)).status, (s) => s === 404, "the namespace to be gone");
  });
});
