// A loopback HTTP(S) server for tests: records every request (method, path, query, headers,
// body) and answers with a handler the test supplies.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

/** One request the server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a handler answers: status, body (objects are sent as JSON) and headers. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (simulates a slow backend). */
  delayMs?: number;
}

export interface LoopbackServer {
  url: string;
  requests: ReceivedRequest[];
  /** Most requests that were in flight at the same time. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: ReceivedRequest, index: number) => Reply | Promise<Reply>,
  tls?: { key: string | Buffer; cert: string | Buffer },
): Promise<LoopbackServer> {
  const requests: ReceivedRequest[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const received: ReceivedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      const index = requests.push(received) - 1;
      const reply = await handler(received, index);
      const send = () => {
        inFlight--;
        if (res.destroyed) return;
        const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
