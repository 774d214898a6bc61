import { describe, expect, it } from "vitest";
import { startServer } from "../test/loopback-server";
import { createEgressPolicy, parseEgressAllow } from "./egress-policy";
import { nodeHttpClient } from "./http-client";
import { fetchOverHttpClient } from "./http-fetch";

describe("fetchOverHttpClient", () => {
  it("sends GET and POST with headers and body, and answers like fetch", async () => {
    const server = await startServer((req) => ({ status: 201, body: { method: req.method, body: req.body, h: req.headers["x-test"] } }));
    try {
      const f = fetchOverHttpClient(nodeHttpClient());
      const res = await f(`${server.url}/hook`, { method: "POST", headers: { "x-test": "yes", "content-type": "application/json" }, body: '{"a":1}' });
      expect(res.status).toBe(201);
      expect(res.statusText).toBe("Created");
      expect(await res.json()).toEqual({ method: "POST", body: '{"a":1}', h: "yes" });
    } finally {
      await server.close();
    }
  });

  it("refuses a URL, or a redirect, that leads to an address the egress policy refuses, with the reason as fetch's cause", async () => {
    const allowLoopback = createEgressPolicy({ allow: parseEgressAllow("loopback"), flag: "ITER8_EGRESS_ALLOW" });
    const redirector = await startServer(() => ({ status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } }));
    try {
      const f = fetchOverHttpClient(nodeHttpClient({ egress: allowLoopback }));
      const error = await f(`${redirector.url}/go`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(((error as Error).cause as Error).message).toBe("169.254.169.254 is a link-local address (the cloud metadata address is one), refused by the egress policy (allow it with ITER8_EGRESS_ALLOW link-local)");
      const direct = await fetchOverHttpClient(nodeHttpClient({ egress: createEgressPolicy({ flag: "ITER8_EGRESS_ALLOW" }) }))(`${redirector.url}/go`).catch((e: unknown) => e);
      expect(((direct as Error).cause as Error).message).toMatch(/^127\.0\.0\.1 is a loopback address, refused by the egress policy/);
      expect(redirector.requests).toHaveLength(1);
    } finally {
      await redirector.close();
    }
  });
});
