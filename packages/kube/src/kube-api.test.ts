import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KubeApi } from "./kube-api";
import { isKubeError, KubeErrorCode } from "./kube-error";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let url: string;
const seen: Seen[] = [];
/** Connections that reset the next /stale request sent on them. */
const staleSockets = new WeakSet<object>();

function kubeConfig(server: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: true }],
    users: [{ name: "u", ...(token ? { token } : {}) }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      if (req.url?.startsWith("/slow")) return; // never answers
      if (req.url?.startsWith("/stale") && staleSockets.has(req.socket)) {
        // What a server closing an idle keep-alive connection looks like to a request sent on it.
        req.socket.destroy();
        return;
      }
      if (req.url?.startsWith("/missing")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: 'things "x" not found' }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ echoed: body === "" ? null : (JSON.parse(body) as unknown) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("KubeApi", () => {
  it("sends the method, query, content type, credentials and JSON body, and parses the JSON answer", async () => {
    const api = new KubeApi(kubeConfig(url, "s3cret"));
    const answer = await api.request<{ echoed: unknown }>({
      method: "PATCH",
      path: "/apis/example.com/v1/namespaces/default/things/x",
      query: { fieldManager: "iter8ts", dryRun: undefined },
      body: [{ op: "replace", path: "/spec/weight", value: 30 }],
      contentType: "application/json-patch+json",
      subject: "Thing default/x",
    });
    expect(answer.echoed).toEqual([{ op: "replace", path: "/spec/weight", value: 30 }]);
    const request = seen.at(-1)!;
    expect([request.method, request.url]).toEqual(["PATCH", "/apis/example.com/v1/namespaces/default/things/x?fieldManager=iter8ts"]);
    expect(request.headers["content-type"]).toBe("application/json-patch+json");
    expect(request.headers.authorization).toBe("Bearer s3cret");
    expect(request.headers.accept).toContain("application/json");
  });

  it("reuses one keep-alive connection for consecutive requests", async () => {
    const api = new KubeApi(kubeConfig(url));
    const sockets = new Set<unknown>();
    const onConnection = (socket: unknown) => sockets.add(socket);
    server.on("connection", onConnection);
    for (let i = 0; i < 5; i++) await api.request({ method: "GET", path: "/version", subject: "version" });
    server.off("connection", onConnection);
    expect(sockets.size).toBe(1);
  });

  it("sends a request again on a new connection when the kept-alive one was reset before it was read", async () => {
    const api = new KubeApi(kubeConfig(url));
    const sockets: object[] = [];
    const onConnection = (socket: object) => sockets.push(socket);
    server.on("connection", onConnection);
    try {
      await api.request({ method: "GET", path: "/version", subject: "version" });
      staleSockets.add(sockets[0]!);
      const before = seen.length;
      const answer = await api.request<{ echoed: unknown }>({ method: "POST", path: "/stale/things", body: { n: 1 }, subject: "thing" });
      expect(answer).toEqual({ echoed: { n: 1 } });
      // Seen twice: on the reset connection, where nothing answered, then on a new one.
      expect(seen.slice(before).map((s) => s.url)).toEqual(["/stale/things", "/stale/things"]);
      expect(sockets).toHaveLength(2);
    } finally {
      server.off("connection", onConnection);
    }
  });

  it("turns an error status into a KubeError with the Status reason", async () => {
    const api = new KubeApi(kubeConfig(url));
    const error = await api.request({ method: "GET", path: "/missing/x", subject: "Thing default/x" }).catch((e: unknown) => e);
    expect(isKubeError(error, KubeErrorCode.NotFound)).toBe(true);
  });

  it("gives up on an unanswered request after its timeout, and on a refused connection, as Unavailable", async () => {
    const api = new KubeApi(kubeConfig(url), { timeoutMs: 100 });
    const slow = await api.request({ method: "GET", path: "/slow", subject: "Thing default/slow" }).catch((e: unknown) => e);
    expect(isKubeError(slow, KubeErrorCode.Unavailable)).toBe(true);
    expect((slow as Error).message).toBe("Thing default/slow: the API server did not answer in time (request aborted); try again later");

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await new KubeApi(kubeConfig(`http://127.0.0.1:${port}`)).request({ method: "GET", path: "/version", subject: "version" }).catch((e: unknown) => e);
    expect(isKubeError(refused, KubeErrorCode.Unavailable)).toBe(true);
    expect((refused as Error).message).toBe("version: the API server could not be reached (ECONNREFUSED); try again later");
  });

  it("stops waiting when the caller's signal aborts", async () => {
    const api = new KubeApi(kubeConfig(url));
    const controller = new AbortController();
    const pending = api.request({ method: "GET", path: "/slow", subject: "Thing default/slow", signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(isKubeError(await pending, KubeErrorCode.Aborted)).toBe(true);
  });

  it("sends fixed credentials (user and password, impersonation, a token) worked out once, under a server URL's path prefix", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `${url}/prefix/`, skipTLSVerify: true }],
      users: [{ name: "u", username: "ann", password: "pw", impersonateUser: "bob" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const api = new KubeApi(kc);
    for (let i = 0; i < 2; i++) await api.request({ method: "GET", path: "/api/v1/namespaces", query: { limit: 5 }, subject: "namespaces" });
    for (const request of seen.slice(-2)) {
      expect(request.url).toBe("/prefix/api/v1/namespaces?limit=5");
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from("ann:pw").toString("base64")}`);
      expect(request.headers["impersonate-user"]).toBe("bob");
    }
  });

  it("asks an authenticator added to the kubeconfig for the credentials on every request (its token may change)", async () => {
    const kc = kubeConfig(url, "fixed-token");
    let calls = 0;
    kc.addAuthenticator({
      isAuthProvider: () => true,
      applyAuthentication: async (_user, opts) => {
        calls++;
        opts.headers = { ...opts.headers, "X-Refreshed": `token-${calls}` };
      },
    });
    const api = new KubeApi(kc);
    await api.request({ method: "GET", path: "/version", subject: "version" });
    await api.request({ method: "GET", path: "/version", subject: "version" });
    expect(calls).toBe(2);
    expect(seen.slice(-2).map((r) => r.headers["x-refreshed"])).toEqual(["token-1", "token-2"]);
  });

  it("sends a service account's token file (as in a cluster), read again once a minute has passed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-api-token-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "first");
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: url, skipTLSVerify: true }],
      users: [{ name: "u", authProvider: { name: "tokenFile", config: { tokenFile } } }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const api = new KubeApi(kc);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-01-01T00:00:00Z") });
    try {
      await api.request({ method: "GET", path: "/version", subject: "version" });
      writeFileSync(tokenFile, "second");
      vi.setSystemTime(Date.parse("2026-01-01T00:00:30Z"));
      await api.request({ method: "GET", path: "/version", subject: "version" });
      vi.setSystemTime(Date.parse("2026-01-01T00:01:01Z"));
      await api.request({ method: "GET", path: "/version", subject: "version" });
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(seen.slice(-3).map((r) => r.headers.authorization)).toEqual(["Bearer first", "Bearer first", "Bearer second"]);
  });
});
