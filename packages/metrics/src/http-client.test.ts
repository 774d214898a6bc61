import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
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
