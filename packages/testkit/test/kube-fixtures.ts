/** Objects and assertions the client-node tests share. */
import { ApiException } from "@kubernetes/client-node";

/** A minimal valid Experiment. */
export function experiment(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: "default", labels: { app: "sample" } },
    spec: { target: "default/sample-app", strategy: { testingPattern: "Canary" }, ...spec },
  };
}

/** The CustomObjectsApi coordinates of Experiments in `default`. */
export const experiments = { group: "iter8.tools", version: "v2alpha2", namespace: "default", plural: "experiments" } as const;

/** The Kubernetes Status a failed client-node call carried, with its HTTP code. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) {
      // A path no API group serves is answered in plain text ("404 page not found"), as by kube-apiserver.
      let body: Record<string, unknown>;
      try {
        body = typeof e.body === "string" ? (JSON.parse(e.body) as Record<string, unknown>) : (e.body as Record<string, unknown>);
      } catch {
        body = { text: e.body };
      }
      return { code: e.code, body };
    }
    throw e;
  }
  throw new Error("the call succeeded");
}

/** Options for `vi.waitFor`: generous, since a loaded machine may be slow to deliver watch events. */
export const eventually = { timeout: 10_000, interval: 20 } as const;
