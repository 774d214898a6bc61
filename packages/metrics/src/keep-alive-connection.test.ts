import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { encodeRequest, KeepAliveConnection, NO_RESPONSE } from "./keep-alive-connection";

/** A raw TCP server that answers every request (one per blank-line-terminated head) with `reply(i)`. */
async function rawServer(reply: (i: number) => string | null, secure = false) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const received: string[] = [];
  const onSocket = (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    let pending = "";
    socket.on("data", (d) => {
      pending += d.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        received.push(pending.slice(0, end + 4 + length));
        pending = pending.slice(end + 4 + length);
        const answer = reply(received.length - 1);
        if (answer === null) socket.destroy();
        else socket.write(answer);
      }
    });
    socket.on("close", () => sockets.delete(socket));
  };
  const server = secure
    ? tls.createServer(
        { key: readFileSync(new URL("./__fixtures__/loopback-tls.key", import.meta.url)), cert: readFileSync(new URL("./__fixtures__/loopback-tls.crt", import.meta.url)) },
        onSocket,
      )
    : net.createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: new URL(`${secure ? "https" : "http"}://127.0.0.1:${port}/ping?x=1`),
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
async function serve(reply: (i: number) => string | null, secure = false) {
  const s = await rawServer(reply, secure);
  closers.push(s.close);
  return s;
}

describe("KeepAliveConnection", () => {
  it("reads Content-Length, chunked and empty bodies, reusing one connection", async () => {
    const answers = [
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\n",
      "HTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy",
    ];
    const s = await serve((i) => answers[i]!);
    const c = new KeepAliveConnection(s.url, 2000);
    const request = encodeRequest(s.url, "GET", { "X-Canary": "true" }, undefined);
    const statuses = [];
    for (let i = 0; i < answers.length; i++) statuses.push(await c.send(request));
    c.close();
    expect(statuses).toEqual([200, 201, 204, 503]);
    expect(s.connections).toBe(1);
    expect(s.received[0]).toBe("GET /ping?x=1 HTTP/1.1\r\nHost: " + s.url.host + "\r\nUser-Agent: iter8ts-load\r\nX-Canary: true\r\n\r\n");
  });

  it("reconnects after the server closes, and reads bodies delimited by the connection's end", async () => {
    const answers = ["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.0 200 OK\r\n\r\nuntil the end", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"];
    const s = await serve((i) => answers[i]!);
    // The HTTP/1.0 response ends when the server closes; this server never does, so close it.
    const c = new KeepAliveConnection(s.url, 2000);
    const req = encodeRequest(s.url, "GET", {}, undefined);
    expect(await c.send(req)).toBe(200);
    const second = c.send(req);
    await new Promise((r) => setTimeout(r, 50));
    for (const closer of closers.splice(0)) await closer();
    expect(await second).toBe(200);
    expect(s.connections).toBe(2);
    c.close();
  });

  it("reports NO_RESPONSE for a reset, a timeout and a refused connection", async () => {
    const s = await serve((i) => (i === 0 ? null : i === 1 ? "" : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    const c = new KeepAliveConnection(s.url, 200);
    const req = encodeRequest(s.url, "GET", {}, undefined);
    expect(await c.send(req)).toBe(NO_RESPONSE);
    expect(await c.send(req)).toBe(NO_RESPONSE);
    expect(await c.send(req)).toBe(200);
    c.close();
    const gone = new KeepAliveConnection(new URL("http://127.0.0.1:9/"), 1000);
    expect(await gone.send(req)).toBe(NO_RESPONSE);
  });

  it("sends a body with its length, and speaks TLS, verifying certificates unless told not to", async () => {
    const s = await serve(() => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true);
    const post = encodeRequest(s.url, "POST", { "Content-Type": "application/json" }, Buffer.from('{"a":1}'));
    const verified = new KeepAliveConnection(s.url, 2000);
    expect(await verified.send(post)).toBe(NO_RESPONSE);
    const trusting = new KeepAliveConnection(s.url, 2000, true);
    expect(await trusting.send(post)).toBe(200);
    trusting.close();
    expect(s.received).toHaveLength(1);
    expect(s.received[0]).toContain('Content-Length: 7\r\n\r\n{"a":1}');
  });

  it("refuses header values with line breaks", () => {
    expect(() => encodeRequest(new URL("http://x/"), "GET", { "X-A": "a\r\nX-Injected: 1" }, undefined)).toThrow(/line break/);
  });
});
