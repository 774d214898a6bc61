/**
 * A fault-injecting proxy in front of a real API server: plain HTTP on 127.0.0.1 (or TLS with the
 * API server's own certificate, for Go clients such as kubectl, which send no token over plain
 * HTTP), forwarding every request (watches streamed chunk by chunk) over TLS verified with the
 * control plane's CA, with the client's `Authorization` header (a token: client certificates
 * cannot pass a proxy). Faults come
 * from @iter8ts/testkit's {@link FaultInjector} and its rules match requests as kube-apiserver reads
 * them (verb, resource/subresource, namespace), so a test writes the same rules for the test
 * server and for the real one; injected errors are answered with the same `Status` bodies.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, createServer as createTlsServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { FaultInjector, injectedErrorStatus, type DropWatchesOptions, type InjectedError, type RequestRecord, type Verb } from "@iter8ts/testkit";
import type { ClusterAccess } from "./cluster-access";
import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";
import { requestInfo } from "./request-info";

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Seed of the fault injector's random choices (default: testkit's fixed seed). */
  readonly seed?: number;
  /** How many requests {@link FaultProxy.requests} remembers (default 1000). */
  readonly requestLogLimit?: number;
  /**
   * Serve HTTPS with the API server's certificate (valid for 127.0.0.1, signed by the control
   * plane's CA) instead of plain HTTP: kubectl and other Go clients send their token only over
   * TLS. Needs a control plane the harness started (its `dir` holds the certificate).
   */
  readonly tls?: boolean;
}

/** Options of {@link FaultProxy.restart}. */
export interface ProxyRestartOptions {
  /** How long new connections are reset before the proxy accepts them again, in ms (default 0). */
  readonly downtimeMs?: number;
}

/** What the proxy has done so far. */
export interface FaultProxyCounts {
  /** Requests received (those reset during a restart's downtime never arrive). */
  readonly requests: number;
  /** Requests passed on to the API server. */
  readonly forwarded: number;
  /** Requests answered with an injected error, or dropped, by kind. */
  readonly injected: Readonly<Record<InjectedError | "dropConnection", number>>;
  /** Watches opened through the proxy, and ended by {@link FaultProxy.dropWatches}. */
  readonly watchesOpened: number;
  readonly watchesDropped: number;
  /** Connections cut by {@link FaultProxy.restart}, and new ones reset during its downtime. */
  readonly connectionsCut: number;
  readonly connectionsRefused: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`): the `server` of a kubeconfig holding a token (see serviceAccountKubeconfig). */
  readonly url: string;
  /** The fault rules; `faults.conflicts(0.3, { resources: ["experiments/status"] })` and so on. */
  readonly faults: FaultInjector;
  /** Running totals; a live view. */
  readonly counts: FaultProxyCounts;
  /** The requests answered so far, oldest first (bounded), in @iter8ts/testkit's record shape. */
  requests(): readonly RequestRecord[];
  /** How many watches are open through the proxy (all, or of one resource). */
  activeWatches(resource?: string): number;
  /**
   * Ends the open watches (all, or of one resource): cleanly (the stream ends, as when the API
   * server closes a watch) or, with `abort`, by resetting the connection. Returns how many.
   */
  dropWatches(options?: DropWatchesOptions): number;
  /**
   * Behaves like an API server restart seen from a client: every open connection is reset, and
   * new ones are reset for `downtimeMs`. Resolves when the proxy accepts connections again.
   */
  restart(options?: ProxyRestartOptions): Promise<void>;
  /** Stops listening and cuts every connection. Idempotent. */
  close(): Promise<void>;
}

interface OpenWatch {
  resource: string;
  res: ServerResponse;
  /** Ends the client's stream with its last chunk, as when the API server closes a watch. */
  endCleanly(): void;
}

// Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business on each side.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"]);
const VERBS = new Set<string>(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] satisfies Verb[]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a fault proxy for the control plane's API server on a free port of 127.0.0.1. */
export async function startFaultProxy(plane: ClusterAccess & { readonly dir?: string | undefined }, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstreamUrl = new URL(plane.server);
  if (upstreamUrl.protocol !== "https:") throw new KubeHarnessError(KubeHarnessErrorCode.Unsupported, `the fault proxy forwards to an https:// API server, not ${plane.server}`);
  if (options.tls && !plane.dir) throw new KubeHarnessError(KubeHarnessErrorCode.Unsupported, "a TLS fault proxy needs the API server's certificate: use a control plane the harness started");
  const agent = new Agent({ ca: plane.caData, keepAlive: true });
  const faults = new FaultInjector(options.seed);
  const log: RequestRecord[] = [];
  const logLimit = options.requestLogLimit ?? 1000;
  const sockets = new Set<Socket>();
  const watches = new Set<OpenWatch>();
  const counts = {
    requests: 0,
    forwarded: 0,
    injected: { Conflict: 0, TooManyRequests: 0, InternalError: 0, ServiceUnavailable: 0, Timeout: 0, dropConnection: 0 },
    watchesOpened: 0,
    watchesDropped: 0,
    connectionsCut: 0,
    connectionsRefused: 0,
  };
  let downUntil = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const url = req.url ?? "/";
    const info = requestInfo(req.method ?? "GET", url);
    const { pathname, searchParams } = new URL(url, "http://127.0.0.1");
    const entry: RequestRecord = {
      method: req.method ?? "GET",
      path: pathname,
      query: Object.fromEntries(searchParams),
      ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
      status: 0,
      ...(info.isResourceRequest && VERBS.has(info.verb)
        ? {
            verb: info.verb as Verb,
            resource: info.resource,
            ...(info.subresource ? { subresource: info.subresource } : {}),
            ...(info.namespace ? { namespace: info.namespace } : {}),
            ...(info.name ? { name: info.name } : {}),
          }
        : {}),
    };
    res.on("close", () => {
      if (res.headersSent) entry.status = res.statusCode;
      log.push(entry);
      if (log.length > logLimit) log.shift();
    });

    if (entry.verb) {
      const decision = faults.decide({ verb: entry.verb, resource: info.resource, subresource: info.subresource || undefined, namespace: info.namespace || undefined });
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.dropConnection) {
        entry.fault = "dropConnection";
        counts.injected.dropConnection++;
        req.socket.destroy();
        return;
      }
      if (decision.respond) {
        entry.fault = decision.respond;
        counts.injected[decision.respond]++;
        const error = injectedErrorStatus(decision.respond, { group: info.apiGroup, resource: info.resource, name: info.name || undefined });
        const retryAfter = error.status.details?.retryAfterSeconds;
        res.writeHead(error.httpCode, { "content-type": "application/json", ...(retryAfter ? { "retry-after": String(retryAfter) } : {}) });
        res.end(JSON.stringify(error.status));
        return;
      }
    }

    counts.forwarded++;
    const upstream = httpsRequest({
      protocol: "https:",
      hostname: upstreamUrl.hostname,
      port: upstreamUrl.port,
      method: req.method,
      path: url,
      headers: forwardable(req.headers),
      agent,
    });
    const watch: OpenWatch = { resource: info.resource, res, endCleanly: () => {} };
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
      // A watch's headers go out at once, before its first event, as the API server sends them.
      res.flushHeaders();
      answer.pipe(res);
      let ending = false;
      answer.on("error", () => ending || res.destroy());
      if (entry.verb === "watch" && answer.statusCode === 200) {
        watch.endCleanly = () => {
          ending = true;
          answer.unpipe(res);
          res.end();
        };
        watches.add(watch);
        counts.watchesOpened++;
      }
    });
    // The API server unreachable (restarting) or a reset mid-answer: the client sees the same.
    upstream.on("error", () => res.writableEnded || res.destroy());
    res.on("close", () => {
      watches.delete(watch);
      upstream.destroy();
    });
    req.pipe(upstream);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res).catch(() => res.destroy());
  const pki = (name: string) => readFileSync(join(plane.dir ?? "", "pki", name));
  const server = options.tls ? createTlsServer({ cert: pki("apiserver.crt"), key: pki("apiserver.key") }, onRequest) : createServer(onRequest);
  server.on("connection", (socket) => {
    if (Date.now() < downUntil) {
      counts.connectionsRefused++;
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new KubeHarnessError(KubeHarnessErrorCode.StartFailed, `the fault proxy cannot listen on 127.0.0.1: ${err.message}`, { cause: err })));
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  const cutAll = () => {
    for (const socket of sockets) {
      counts.connectionsCut++;
      socket.resetAndDestroy();
    }
    watches.clear();
  };
  let closed: Promise<void> | undefined;

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    faults,
    counts,
    requests: () => [...log],
    activeWatches: (resource) => [...watches].filter((w) => resource === undefined || w.resource === resource).length,
    dropWatches(dropOptions = {}) {
      let n = 0;
      for (const w of [...watches]) {
        if (dropOptions.resource && w.resource !== dropOptions.resource) continue;
        watches.delete(w);
        n++;
        // A TLS socket cannot send a TCP reset; closing it mid-stream is as abrupt to the client.
        if (!dropOptions.abort) w.endCleanly();
        else if (options.tls) w.res.socket?.destroy();
        else w.res.socket?.resetAndDestroy();
      }
      counts.watchesDropped += n;
      return n;
    },
    async restart(restartOptions = {}) {
      downUntil = Date.now() + (restartOptions.downtimeMs ?? 0);
      cutAll();
      if (restartOptions.downtimeMs) await sleep(restartOptions.downtimeMs);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        cutAll();
        server.closeAllConnections();
        agent.destroy();
      });
      return closed;
    },
  };
}
