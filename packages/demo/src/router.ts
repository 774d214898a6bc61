import { readFile } from "node:fs/promises";
import http from "node:http";
import { DemoError, DemoErrorCode } from "./demo-error";
import { closeServer, listenOnLoopback } from "./loopback-server";
import { parseRoutingDocument, routeLabel, type Route, type RoutingTable } from "./routing-document";
import { ENGAGEMENT_HEADER, VERSION_HEADER } from "./sample-app";
import type { Telemetry } from "./telemetry";

/** What the router reports when it reads its routing document. */
export type RouterEvent =
  | { type: "loaded"; table: RoutingTable }
  | { type: "rejected"; error: DemoError };

/** Options of {@link startRouter}. */
export interface RouterOptions {
  /** The VirtualService file to follow. */
  routingFile: string;
  /** Where each forwarded request is recorded. */
  telemetry: Telemetry;
  /** How often the file is checked for changes (default 100 ms). */
  pollIntervalMs?: number;
  /** Uniform numbers in [0, 1) that pick a route per request (default `Math.random`). */
  random?: () => number;
  /** Time a version has to answer before the router gives up with 504 (default 10 s). */
  upstreamTimeoutMs?: number;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Told about every routing change and every rejected edit. Must not throw. */
  onEvent?: (event: RouterEvent) => void;
}

/** A running router. */
export interface Router {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The routing in force. */
  table(): RoutingTable;
  /** Re-reads the routing document now (the router also does so on its own). */
  reload(): Promise<RoutingTable>;
  /** Stops polling, stops accepting requests and closes connections. */
  close(): Promise<void>;
}

async function readTable(file: string): Promise<{ text: string; table: RoutingTable }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DemoError(DemoErrorCode.RoutingUnreadable, `cannot read the routing document ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { text, table: parseRoutingDocument(text, file) };
}

/** Picks the route whose cumulative share first exceeds `u`, skipping routes without traffic. */
function pickRoute(table: RoutingTable, u: number): Route {
  let cumulative = 0;
  let last: Route | undefined;
  for (const [i, route] of table.routes.entries()) {
    const share = table.shares[i]!;
    if (share <= 0) continue;
    last = route;
    cumulative += share;
    if (u < cumulative) return route;
  }
  // Shares add up to 1 only up to rounding; a u just below 1 falls to the last route with traffic.
  return last!;
}

/**
 * Starts the demo's traffic router on 127.0.0.1: it forwards every request to one of the
 * destinations of a VirtualService file, chosen at random in proportion to the route weights,
 * and records the outcome (version, status, latency, engagement) in the telemetry. It re-reads
 * the file whenever its content changes — the engine rewrites the weights every iteration, and a
 * finish action may replace the whole file — and keeps the last good routing while the file is
 * being rewritten or holds a mistake.
 *
 * @throws DemoError when the routing document cannot be read or followed at start.
 */
export async function startRouter(options: RouterOptions): Promise<Router> {
  const random = options.random ?? Math.random;
  const timeoutMs = options.upstreamTimeoutMs ?? 10_000;
  const first = await readTable(options.routingFile);
  let current = first.table;
  let lastText = first.text;
  options.onEvent?.({ type: "loaded", table: current });

  // Content, not modification time, decides whether the file changed: two writes within one
  // timestamp tick (10 → 20 has the same size) would otherwise be missed.
  let reading: Promise<RoutingTable> | undefined;
  const reload = (): Promise<RoutingTable> => {
    reading ??= (async () => {
      try {
        const text = await readFile(options.routingFile, "utf8").catch(() => undefined);
        if (text === undefined || text === lastText) return current;
        lastText = text;
        try {
          current = parseRoutingDocument(text, options.routingFile);
          options.onEvent?.({ type: "loaded", table: current });
        } catch (error) {
          if (error instanceof DemoError) options.onEvent?.({ type: "rejected", error });
          else throw error;
        }
        return current;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  const poll = setInterval(() => void reload(), options.pollIntervalMs ?? 100);
  poll.unref();

  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const route = pickRoute(current, random());
    const record = (status: number, version: string, engagement: number) =>
      options.telemetry.record({ version, status, latencyMs: performance.now() - started, engagement });
    const upstream = http.request(
      {
        host: route.host === "localhost" ? "127.0.0.1" : route.host.replace(/^\[|\]$/g, ""),
        port: route.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `${route.host}:${route.port}` },
        agent,
        timeout: timeoutMs,
      },
      (answer) => {
        const version = answer.headers[VERSION_HEADER];
        const engagement = Number(answer.headers[ENGAGEMENT_HEADER]);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () =>
          record(answer.statusCode ?? 502, typeof version === "string" ? version : routeLabel(route), Number.isFinite(engagement) ? engagement : 0),
        );
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
    upstream.on("error", (error) => {
      const status = error.message === "timeout" ? 504 : 502;
      record(status, routeLabel(route), 0);
      if (!res.headersSent) {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `${routeLabel(route)} did not answer: ${error.message}` }));
      } else {
        res.destroy();
      }
    });
    req.pipe(upstream);
  });
  const { url, port } = await listenOnLoopback(server, options.port);
  return {
    url,
    port,
    table: () => current,
    reload,
    close: () => {
        clearInterval(poll);
        agent.destroy();
        return closeServer(server);
      },
  };
}
