/**
 * The controller's HTTP endpoints: `/healthz` and `/readyz` for the kubelet's probes, `/metrics`
 * for Prometheus. They may share one listener or use two (the default `:8081` and `:8080`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { ListenAddress } from "./controller-config";

/** The answer of a probe: whether it passes, and a sentence for the person reading it. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** What the endpoints report. */
export interface EndpointSources {
  /** Liveness: false only when the process cannot recover by itself and should be restarted. */
  health(): ProbeResult;
  /** Readiness: informers synced, and leading or standing by. */
  ready(): ProbeResult;
  registry: Registry;
}

/** Listening endpoints; `close` stops them. */
export interface RunningEndpoints {
  /** Where `/metrics` is served, when it is. */
  metrics?: AddressInfo;
  /** Where `/healthz` and `/readyz` are served, when they are. */
  health?: AddressInfo;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function probeRoute(probe: () => ProbeResult): Route {
  return (_req, res) => {
    let result: ProbeResult;
    try {
      result = probe();
    } catch (error) {
      result = { ok: false, detail: `probe failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    res.writeHead(result.ok ? 200 : 503, { "content-type": "text/plain; charset=utf-8" });
    res.end(`${result.ok ? "ok" : "not ok"}: ${result.detail}\n`);
  };
}

function metricsRoute(registry: Registry): Route {
  return async (_req, res) => {
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
}

function serve(routes: Map<string, Route>): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes.get(path);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("only GET and HEAD are served\n");
      return;
    }
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end(`no such endpoint; try ${[...routes.keys()].join(", ")}\n`);
      return;
    }
    void route(req, res);
  });
}

function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.port === b.port && (a.host ?? "") === (b.host ?? "") && a.port !== 0;
}

/**
 * Starts the endpoints. When both addresses are equal, one listener serves all three paths.
 * @throws the listen error (e.g. EADDRINUSE) after closing anything already started.
 */
export async function startEndpoints(
  sources: EndpointSources,
  addresses: { metricsAddr?: ListenAddress; healthAddr?: ListenAddress },
): Promise<RunningEndpoints> {
  const healthRoutes = new Map<string, Route>([
    ["/healthz", probeRoute(() => sources.health())],
    ["/readyz", probeRoute(() => sources.ready())],
  ]);
  const metricsRoutes = new Map<string, Route>([["/metrics", metricsRoute(sources.registry)]]);
  const servers: Server[] = [];
  const close = () =>
    Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    ).then(() => undefined);
  const running: RunningEndpoints = { close };
  try {
    const { metricsAddr, healthAddr } = addresses;
    if (metricsAddr && healthAddr && sameAddress(metricsAddr, healthAddr)) {
      const server = serve(new Map([...healthRoutes, ...metricsRoutes]));
      servers.push(server);
      running.metrics = running.health = await listen(server, metricsAddr);
      return running;
    }
    if (healthAddr) {
      const server = serve(healthRoutes);
      servers.push(server);
      running.health = await listen(server, healthAddr);
    }
    if (metricsAddr) {
      const server = serve(metricsRoutes);
      servers.push(server);
      running.metrics = await listen(server, metricsAddr);
    }
    return running;
  } catch (error) {
    await close();
    throw error;
  }
}
