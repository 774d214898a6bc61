import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { KubeTestServer, KubeTestServerErrorCode } from "./kube-test-server";

describe("KubeTestServer lifecycle", () => {
  it("writes a kubeconfig for plain HTTP without credentials", async () => {
    const server = await KubeTestServer.start({ jobs: false });
    try {
      const config = parse(readFileSync(server.kubeconfigPath, "utf8"));
      expect(config.clusters[0].cluster).toEqual({ server: server.url, "insecure-skip-tls-verify": true });
      expect(config["current-context"]).toBe(config.contexts[0].name);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });

  it("names the port and the fix when it cannot listen", async () => {
    const first = await KubeTestServer.start({ jobs: false });
    try {
      await expect(KubeTestServer.start({ jobs: false, port: first.port })).rejects.toMatchObject({
        code: KubeTestServerErrorCode.ListenFailed,
        message: expect.stringContaining(`127.0.0.1:${first.port}`),
      });
      await expect(first.resume()).rejects.toMatchObject({ code: KubeTestServerErrorCode.AlreadyRunning });
    } finally {
      await first.close();
    }
  });

  it("refuses direct access to kinds it does not serve", async () => {
    const server = await KubeTestServer.start({ jobs: false, installCustomResourceDefinitions: false });
    try {
      expect(() => server.create({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name: "e" } })).toThrow(
        expect.objectContaining({ code: KubeTestServerErrorCode.UnknownKind, message: "Experiment in iter8.tools/v2alpha2 is not served; install its CRD first" }),
      );
    } finally {
      await server.close();
    }
  });

  it("answers unknown paths (in plain text outside the built-in groups, as kube-apiserver) and bad selectors", async () => {
    const server = await KubeTestServer.start({ jobs: false });
    try {
      const missing = await fetch(`${server.url}/apis/nope.example.com/v1/things`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe("404 page not found\n");
      const unknownResource = await fetch(`${server.url}/apis/apps/v1/things`);
      expect(await unknownResource.json()).toMatchObject({ kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
      const bad = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent("a in (")}`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { reason?: string }).reason).toBe("BadRequest");
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.text()).toBe("ok");
      expect(server.requests().map((r) => [r.path, r.status])).toEqual([
        ["/apis/nope.example.com/v1/things", 404],
        ["/apis/apps/v1/things", 404],
        ["/api/v1/namespaces/default/configmaps", 400],
        ["/healthz", 200],
      ]);
    } finally {
      await server.close();
    }
  });

  it("accepts YAML bodies and sends unknown-field warnings in Warning headers", async () => {
    const server = await KubeTestServer.start({ jobs: false });
    try {
      const res = await fetch(`${server.url}/apis/iter8.tools/v2alpha2/namespaces/default/metrics`, {
        method: "POST",
        headers: { "content-type": "application/yaml" },
        body: "apiVersion: iter8.tools/v2alpha2\nkind: Metric\nmetadata:\n  name: m\nspec:\n  urlTemplate: http://p\n  jqExpresion: .x\n",
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("warning")).toBe('299 - "unknown field \\"spec.jqExpresion\\""');
    } finally {
      await server.close();
    }
  });
});
