/**
 * The HTTP servers a tenant can point a Metric or a notification at, on loopback, recording every
 * request that reaches them: a Prometheus-like query API, a JSON answer for hostile expressions,
 * a 700 MB streamed answer, a backend that never answers, and a catch-all "attacker" endpoint.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What `/huge` streams before it ends the answer (unless the client hangs up first). */
export const HUGE_RESPONSE_BYTES = 700 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, "1");

/** A Prometheus instant-query answer holding one value. */
function prometheusAnswer(value: number): string {
  return JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } });
}

/**
 * Routes: `/api/v1/query` answers any PromQL query with 1; `/json` a small JSON document shaped
 * like a Prometheus answer; `/huge` 700 MB of one JSON string, written as the client reads it;
 * `/hang` never answers; `/echo` 400 with an error quoting the request's URL; anything else 200 `ok`. Each request is recorded first.
 */
export class LoopbackBackend {
  readonly received: ReceivedRequest[] = [];
  /** Bytes `/huge` wrote, one entry per request. */
  readonly hugeSends: number[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly url: string;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(): Promise<LoopbackBackend> {
    // Requests are handled by the backend the server belongs to, made once it listens.
    const handler: { backend?: LoopbackBackend } = {};
    const server = createServer((req, res) => {
      const backend = handler.backend!;
      let body = "";
      req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk.slice(0, 65_536)));
      req.on("end", () => {
        backend.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        const path = new URL(req.url ?? "/", "http://backend").pathname;
        if (path === "/hang") return; // Never answered; closed with the server.
        if (path === "/api/v1/query" || path === "/json") {
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end(prometheusAnswer(1));
        }
        if (path === "/huge") return void backend.#stream(res);
        if (path === "/echo") {
          // An error body that quotes the request, as many backends' do: the query URL-encoded.
          res.writeHead(400, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ status: "error", error: `bad request ${req.url ?? ""}` }));
        }
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    handler.backend = new LoopbackBackend(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return handler.backend;
  }

  /** `{"data":"111…"}` of {@link HUGE_RESPONSE_BYTES}, each chunk written once the client has read the last one. */
  async #stream(res: ServerResponse): Promise<void> {
    res.writeHead(200, { "content-type": "application/json" });
    let closed = false;
    res.once("close", () => (closed = true));
    res.write('{"data":"');
    const request = this.hugeSends.push(0) - 1;
    for (let sent = 0; sent < HUGE_RESPONSE_BYTES && !closed; sent += CHUNK.length) {
      this.hugeSends[request]! += CHUNK.length;
      if (!res.write(CHUNK)) await new Promise<void>((resolve) => (res.once("drain", resolve), res.once("close", resolve)));
    }
    if (!closed) res.end('"}');
  }

  /** The requests to a path. */
  requestsTo(path: string): ReceivedRequest[] {
    return this.received.filter((r) => new URL(r.url, "http://backend").pathname === path);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
