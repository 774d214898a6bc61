import { join } from "node:path";
import { tmpdir } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { KubeTestServer, writeKubeconfig } from "@iter8ts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeClients } from "./create-kube-clients";
import { isKubeError } from "./kube-error";

let server: KubeTestServer;
let dir: string;

beforeAll(async () => {
  server = await KubeTestServer.start({ jobs: false, namespaces: ["default", "iter8-system"] });
  dir = mkdtempSync(join(tmpdir(), "kube-clients-"));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("createKubeClients", () => {
  it("loads a kubeconfig file and takes the namespace of its context", async () => {
    const path = writeKubeconfig(server, join(dir, "config"), { namespace: "iter8-system" });
    const clients = createKubeClients({ kubeconfig: path });
    expect(clients.namespace).toBe("iter8-system");
    const namespaces = await clients.api.request<{ items: Array<{ metadata: { name: string } }> }>({ method: "GET", path: "/api/v1/namespaces", subject: "namespaces" });
    expect(namespaces.items.map((n) => n.metadata.name)).toContain("iter8-system");
  });

  it("takes a loaded KubeConfig in place of a path", async () => {
    const { makeKubeConfig } = await import("@iter8ts/testkit");
    const clients = createKubeClients({ kubeconfig: makeKubeConfig(server, { namespace: "iter8-system" }) });
    expect(clients.namespace).toBe("iter8-system");
    await expect(clients.api.request({ method: "GET", path: "/version", subject: "version" })).resolves.toBeDefined();
  });

  it("says which file could not be loaded", () => {
    const error = (() => {
      try {
        createKubeClients({ kubeconfig: join(dir, "missing") });
      } catch (e) {
        return e;
      }
    })();
    expect(isKubeError(error, "Config")).toBe(true);
    expect((error as Error).message).toContain(`Could not load kubeconfig ${join(dir, "missing")}`);
  });

  it("refuses a context the kubeconfig does not have, naming the ones it has", () => {
    const path = writeKubeconfig(server, join(dir, "config2"));
    expect(() => createKubeClients({ kubeconfig: path, context: "production" })).toThrow(/no context production; choose one of: /);
  });

  it("refuses a kubeconfig without a current cluster", () => {
    const path = join(dir, "empty");
    writeFileSync(path, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    expect(() => createKubeClients({ kubeconfig: path })).toThrow(/no current cluster/);
  });
});
