import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { experimentNamespace } from "@iter8ts/types";
import { DASHBOARD_ICON, DASHBOARD_SCRIPT, DASHBOARD_STYLE } from "./dashboard-assets";
import { renderDetailContent, renderMissingContent } from "./detail-page";
import type { ExperimentFeed } from "./experiment-feed";
import { parseListFilter, type ListFilter } from "./experiment-row";
import { filterQuery, renderListContent } from "./list-page";
import { ASSET_PATHS, renderPage } from "./page-shell";

/** Settings of {@link startDashboard}. */
export interface DashboardOptions {
  feed: ExperimentFeed;
  /** Default 3108; 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: only this machine can connect. */
  address?: string;
  /** Most open event streams at once (default 64); more are answered 503. */
  maxStreams?: number;
  /** Between comments that keep an idle stream open through proxies (default 15 s). */
  keepAliveMs?: number;
}

/** A running dashboard. */
export interface RunningDashboard {
  /** `http://127.0.0.1:3108/`. */
  url: string;
  port: number;
  /** Closes the streams and the server, and stops the feed. */
  close(): Promise<void>;
}

/** The default port of `iter8ctl dashboard`. */
export const DEFAULT_DASHBOARD_PORT = 3108;

/**
 * The pages allow nothing but this server: scripts, styles, images and the event stream from
 * the same origin, nothing inline, no plugins, no framing, forms only to itself.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
} as const;

/** What a view renders: the page title and the content of `<main>`. */
interface ViewPage {
  status: number;
  title: string;
  html: string;
}

type View = { kind: "list"; filter: ListFilter } | { kind: "experiment"; namespace: string; name: string };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Host names a request may carry: the ones this server answers as (no DNS rebinding from another site). */
function allowedHost(host: string | undefined, address: string, port: number): boolean {
  if (host === undefined) return false;
  if (address === "0.0.0.0" || address === "::") return true; // the user chose to be reachable by any name
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!match || (match[2] !== undefined && Number(match[2]) !== port)) return false;
  const name = match[1]!;
  return name === address.toLowerCase() || name === `[${address.toLowerCase()}]` || (LOOPBACK.has(address) && LOOPBACK.has(name));
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Starts the dashboard's HTTP server (node:http) on `address:port` and the feed behind it.
 *
 * - `GET /` lists the experiments (`?q=` words, `?outcome=` running, completed, rolled-back, failed);
 * - `GET /experiments/NAMESPACE/NAME` shows one;
 * - `GET /events?view=list&…` or `?view=experiment&namespace=…&name=…` streams the same content
 *   as server-sent events (`event: page`, data `{ title, html }`) each time it changes;
 * - the stylesheet, the script and the icon; nothing else, and only GET and HEAD.
 *
 * Every response carries a Content-Security-Policy that allows only this origin, and a request
 * whose Host is not this server's name is refused (a web page elsewhere cannot read it through
 * DNS rebinding). The server only reads: it has no route that changes anything.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { feed } = options;
  const address = options.address ?? "127.0.0.1";
  const maxStreams = options.maxStreams ?? 64;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  await feed.start();

  const render = (view: View): ViewPage => {
    const snapshot = feed.snapshot();
    if (view.kind === "list") {
      return { status: 200, title: "Experiments — iter8ts dashboard", html: renderListContent(snapshot.experiments, snapshot.problems, view.filter) };
    }
    const experiment = snapshot.experiments.find((x) => x.metadata.name === view.name && experimentNamespace(x) === view.namespace);
    if (!experiment) return { status: 404, title: `${view.name} (not found) — iter8ts dashboard`, html: renderMissingContent(view.namespace, view.name, snapshot.problems) };
    return {
      status: 200,
      title: `${view.name} — iter8ts dashboard`,
      html: renderDetailContent(experiment, feed.events(view.namespace, view.name), feed.eventsTitle, snapshot.problems),
    };
  };
  const streamUrl = (view: View): string => {
    if (view.kind === "list") {
      const query = filterQuery(view.filter);
      return `/events?view=list${query ? `&${query.slice(1)}` : ""}`;
    }
    return `/events?${new URLSearchParams({ view: "experiment", namespace: view.namespace, name: view.name }).toString()}`;
  };

  interface Stream {
    view: View;
    response: ServerResponse;
    last: string;
  }
  const streams = new Set<Stream>();
  const send = (stream: Stream) => {
    const page = render(stream.view);
    const data = JSON.stringify({ title: page.title, html: page.html });
    if (data === stream.last) return;
    stream.last = data;
    stream.response.write(`event: page\ndata: ${data}\n\n`);
  };
  // Changes come in bursts (a status write, then its Events): render once per burst.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = feed.onChange(() => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      for (const stream of streams) send(stream);
    }, 100);
  });
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.response.write(`: keep-alive\n\n`);
  }, keepAliveMs);
  keepAlive.unref();

  const reply = (res: ServerResponse, status: number, type: string, body: string, head: boolean, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...COMMON_HEADERS, "content-type": type, "content-length": Buffer.byteLength(body), ...extra });
    res.end(head ? undefined : body);
  };

  const viewOf = (path: string, query: URLSearchParams): View | undefined => {
    if (path === "/") return { kind: "list", filter: parseListFilter(query) };
    const parts = path.split("/");
    if (parts.length === 4 && parts[1] === "experiments") {
      const namespace = decodeSegment(parts[2]!);
      const name = decodeSegment(parts[3]!);
      if (namespace && name) return { kind: "experiment", namespace, name };
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const port = (server.address() as AddressInfo).port;
    if (!allowedHost(req.headers.host, address, port)) {
      return reply(res, 403, "text/plain; charset=utf-8", `This dashboard answers only as ${address}:${port}.\n`, false);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return reply(res, 405, "text/plain; charset=utf-8", "The dashboard is read-only: only GET and HEAD.\n", false, { allow: "GET, HEAD" });
    }
    const head = req.method === "HEAD";
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    switch (url.pathname) {
      case ASSET_PATHS.style:
        return reply(res, 200, "text/css; charset=utf-8", DASHBOARD_STYLE, head);
      case ASSET_PATHS.script:
        return reply(res, 200, "text/javascript; charset=utf-8", DASHBOARD_SCRIPT, head);
      case ASSET_PATHS.icon:
        return reply(res, 200, "image/svg+xml", DASHBOARD_ICON, head);
      case "/events": {
        const kind = url.searchParams.get("view");
        const namespace = url.searchParams.get("namespace");
        const name = url.searchParams.get("name");
        const view: View | undefined =
          kind === "list" ? { kind: "list", filter: parseListFilter(url.searchParams) } : kind === "experiment" && namespace && name ? { kind, namespace, name } : undefined;
        if (!view) return reply(res, 400, "text/plain; charset=utf-8", "/events needs view=list, or view=experiment with namespace and name.\n", head);
        if (streams.size >= maxStreams) return reply(res, 503, "text/plain; charset=utf-8", `Too many open streams (${maxStreams}); close a tab.\n`, head, { "retry-after": "5" });
        res.writeHead(200, { ...COMMON_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
        if (head) return res.end();
        res.write(`retry: 2000\n\n`);
        const stream: Stream = { view, response: res, last: "" };
        streams.add(stream);
        req.on("close", () => streams.delete(stream));
        send(stream);
        return;
      }
    }
    const view = viewOf(url.pathname, url.searchParams);
    if (!view) return reply(res, 404, "text/html; charset=utf-8", renderPage({ title: "Not found — iter8ts dashboard", stream: streamUrl({ kind: "list", filter: parseListFilter(new URLSearchParams()) }), source: feed.description, content: `<h1 id="heading">Not found</h1><p id="back"><a href="/">All experiments</a></p>` }), head);
    const page = render(view);
    return reply(res, page.status, "text/html; charset=utf-8", renderPage({ title: page.title, stream: streamUrl(view), source: feed.description, content: page.html }), head);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) reply(res, 500, "text/plain; charset=utf-8", `The page could not be drawn: ${error instanceof Error ? error.message : String(error)}\n`, false);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      clearInterval(keepAlive);
      clearTimeout(pending);
      unsubscribe();
      for (const stream of streams) stream.response.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await feed.stop();
    },
  };
}
