import type dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
import { createEgressPolicy, parseEgressAllow } from "./egress-policy";
import { fetchHttpClient, HttpClientError, nodeHttpClient, type HttpClient } from "./http-client";

const clients: Array<[string, HttpClient]> = [
  ["nodeHttpClient", nodeHttpClient()],
  ["fetchHttpClient(fetch)", fetchHttpClient(fetch)],
];

describe.each(clients)("%s", (_name, client) => {
  it("returns any HTTP answer, error statuses included, with its body and headers", async () => {
    const server = await startServer((req) => ({ status: req.method === "POST" ? 201 : 418, body: { echo: req.body }, headers: { "x-backend": "test" } }));
    try {
      const get = await client({ url: `${server.url}/q?a=1`, method: "GET", headers: { Accept: "application/json" }, timeoutMs: 2000 });
      expect(get.status).toBe(418);
      expect(get.headers["x-backend"]).toBe("test");
      const post = await client({ url: `${server.url}/q`, method: "POST", headers: { "Content-Type": "application/json" }, body: '{"n":1}', timeoutMs: 2000 });
      expect(post.status).toBe(201);
      expect(JSON.parse(post.body)).toEqual({ echo: '{"n":1}' });
      expect(server.requests[0]!.query.get("a")).toBe("1");
    } finally {
      await server.close();
    }
  });

  it("throws HttpClientError of kind timeout, aborted or unreachable when no answer comes", async () => {
    const server = await startServer(() => ({ delayMs: 1000 }));
    try {
      const timeout = client({ url: server.url, method: "GET", headers: {}, timeoutMs: 100 });
      await expect(timeout).rejects.toMatchObject({ name: "HttpClientError", kind: "timeout" });
      const controller = new AbortController();
      const aborted = client({ url: server.url, method: "GET", headers: {}, timeoutMs: 5000, signal: controller.signal });
      controller.abort();
      await expect(aborted).rejects.toMatchObject({ kind: "aborted" });
    } finally {
      await server.close();
    }
    await expect(client({ url: "http://127.0.0.1:9/", method: "GET", headers: {}, timeoutMs: 2000 })).rejects.toBeInstanceOf(HttpClientError);
  });
});

describe("fetchHttpClient", () => {
  it("refuses to skip TLS verification rather than silently verifying or not", async () => {
    const client = fetchHttpClient(fetch);
    await expect(client({ url: "https://127.0.0.1:9/", method: "GET", headers: {}, timeoutMs: 1000, insecureSkipTLSVerify: true })).rejects.toMatchObject({
      kind: "unreachable",
      detail: expect.stringContaining("insecureSkipTLSVerify"),
    });
  });
});

/** A server that streams `totalBytes` of a JSON-looking answer without a content-length, counting what it wrote. */
async function streamingServer(totalBytes: number, declare = false): Promise<{ url: string; written: () => number; closed: Promise<void>; close: () => Promise<void> }> {
  let written = 0;
  let closedResolve!: () => void;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  const chunk = Buffer.alloc(64 * 1024, "1");
  const server = http.createServer((req, res) => {
    res.writeHead(200, declare ? { "content-type": "application/json", "content-length": String(totalBytes) } : { "content-type": "application/json" });
    res.on("close", () => closedResolve());
    const pump = () => {
      while (written < totalBytes) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    written: () => written,
    closed,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe.each([
  ["nodeHttpClient", nodeHttpClient({ maxResponseBytes: 1024 * 1024 })],
  ["fetchHttpClient(fetch)", fetchHttpClient(fetch, { maxResponseBytes: 1024 * 1024 })],
] as Array<[string, HttpClient]>)("%s with a 1 MiB response limit", (_name, client) => {
  it("stops reading a 700 MB streaming answer soon after the limit, naming the limit", async () => {
    const server = await streamingServer(700 * 1024 * 1024);
    try {
      await expect(client({ url: server.url, method: "GET", headers: {}, timeoutMs: 30_000 })).rejects.toMatchObject({ name: "HttpClientError", kind: "too_large", detail: "1 MiB" });
      await server.closed;
      // The connection was dropped: the server got nowhere near 700 MB out.
      expect(server.written()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it("refuses an answer whose content-length is above the limit before reading it", async () => {
    const server = await streamingServer(2 * 1024 * 1024, true);
    try {
      await expect(client({ url: server.url, method: "GET", headers: {}, timeoutMs: 30_000 })).rejects.toMatchObject({ kind: "too_large", detail: "1 MiB" });
    } finally {
      await server.close();
    }
  });
});

describe("nodeHttpClient with the default egress policy", () => {
  const refuse = createEgressPolicy();

  it("refuses loopback and link-local addresses in the URL without connecting", async () => {
    const server = await startServer(() => ({ body: { ok: true } }));
    try {
      const client = nodeHttpClient({ egress: refuse });
      const port = new URL(server.url).port;
      for (const url of [server.url, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, "http://169.254.169.254/latest/meta-data/"]) {
        await expect(client({ url, method: "GET", headers: {}, timeoutMs: 2000 })).rejects.toMatchObject({ kind: "refused", refusal: { howToAllow: expect.stringMatching(/^--egress-allow (loopback|link-local)$/) } });
      }
      expect(server.requests).toHaveLength(0);
      // Allowed by word, the same request goes through.
      const allowed = nodeHttpClient({ egress: createEgressPolicy({ allow: parseEgressAllow("loopback") }) });
      expect((await allowed({ url: server.url, method: "GET", headers: {}, timeoutMs: 2000 })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("checks the address the name resolves to when connecting, not the URL's text", async () => {
    const server = await startServer(() => ({ body: { ok: true } }));
    try {
      const port = new URL(server.url).port;
      // A harmless-looking name that resolves to loopback (as a rebinding DNS server would answer).
      const resolve = ((_host: string, _options: unknown, callback: (e: null, a: Array<{ address: string; family: number }>) => void) =>
        callback(null, [{ address: "127.0.0.1", family: 4 }])) as unknown as typeof dns.lookup;
      const client = nodeHttpClient({ egress: refuse, resolve });
      await expect(client({ url: `http://metrics.example.com:${port}/q`, method: "GET", headers: {}, timeoutMs: 2000 })).rejects.toMatchObject({
        kind: "refused",
        refusal: { address: "127.0.0.1", category: "loopback" },
      });
      expect(server.requests).toHaveLength(0);
      const open = nodeHttpClient({ resolve });
      expect((await open({ url: `http://metrics.example.com:${port}/q`, method: "GET", headers: {}, timeoutMs: 2000 })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
