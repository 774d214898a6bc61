/**
 * The metrics backends of the quickstarts on loopback: a Prometheus query API
 * (`/api/v1/query?query=`) and the mock New Relic of Iter8's install (`/newrelic?nrql=`). They
 * answer a query only when it is exactly one they were told to expect (the sample's template
 * with one version's values filled in), so a query built with the wrong version's labels, a
 * placeholder left in, or a missing header shows up as an unmatched query instead of a number.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The query languages served, by the Metric `provider` that speaks them. */
export const BackendProvider = {
  Prometheus: "prometheus",
  NewRelic: "newrelic",
} as const;
export type BackendProvider = (typeof BackendProvider)[keyof typeof BackendProvider];

/** A query the backend answers, and with what. */
export interface ExpectedQuery {
  provider: BackendProvider;
  /** `namespace/name` of the Metric. */
  metric: string;
  version: string;
  /** The whole query text; the first group, if any, captures the elapsed seconds. */
  pattern: RegExp;
  /** The answer, given the elapsed seconds the query asked about (0 when it names none). */
  value: (elapsedSeconds: number) => number;
  /** Headers the request must carry (names in lower case). */
  headers?: Readonly<Record<string, string>>;
}

/** A query as it arrived. */
export interface ReceivedQuery {
  provider: BackendProvider;
  text: string;
  headers: IncomingHttpHeaders;
  /** The expected query it matched, if any. */
  match?: { metric: string; version: string; elapsedSeconds: number; value: number };
}

const PATHS: Record<string, { provider: BackendProvider; param: string }> = {
  "/api/v1/query": { provider: BackendProvider.Prometheus, param: "query" },
  "/newrelic": { provider: BackendProvider.NewRelic, param: "nrql" },
};

function answer(provider: BackendProvider, value: number): unknown {
  return provider === BackendProvider.Prometheus
    ? { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } }
    : { results: [{ average: value }], metadata: { contents: [{ function: "average", attribute: "duration" }] } };
}

function refusal(provider: BackendProvider, text: string): unknown {
  const error = `no data for this query in the test backend: ${text}`;
  return provider === BackendProvider.Prometheus ? { status: "error", errorType: "bad_data", error } : { error };
}

function headersMatch(expected: Readonly<Record<string, string>> | undefined, actual: IncomingHttpHeaders): boolean {
  return Object.entries(expected ?? {}).every(([name, value]) => actual[name] === value);
}

/** Prometheus and New Relic on 127.0.0.1, answering the queries they expect. */
export class LoopbackMetricsBackend {
  /** Every query received, oldest first. */
  readonly received: ReceivedQuery[] = [];
  readonly #server: Server;
  readonly #expected: ExpectedQuery[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts the backend on a free port of 127.0.0.1. */
  static async start(): Promise<LoopbackMetricsBackend> {
    const server = createServer();
    const backend = new LoopbackMetricsBackend(server);
    server.on("request", (request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const route = PATHS[url.pathname];
      if (!route || request.method !== "GET") {
        response.writeHead(404, { "content-type": "text/plain" }).end(`${request.method} ${url.pathname} is not served here\n`);
        return;
      }
      const text = url.searchParams.get(route.param) ?? "";
      const received: ReceivedQuery = { provider: route.provider, text, headers: request.headers };
      backend.received.push(received);
      for (const expected of backend.#expected) {
        if (expected.provider !== route.provider || !headersMatch(expected.headers, request.headers)) continue;
        const found = expected.pattern.exec(text);
        if (!found) continue;
        const elapsedSeconds = found[1] === undefined ? 0 : Number(found[1]);
        const value = expected.value(elapsedSeconds);
        received.match = { metric: expected.metric, version: expected.version, elapsedSeconds, value };
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer(route.provider, value)));
        return;
      }
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(refusal(route.provider, text)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return backend;
  }

  /** `http://127.0.0.1:PORT`, the origin Metrics' `urlTemplate` should name. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Adds queries to answer. */
  expect(queries: readonly ExpectedQuery[]): void {
    this.#expected.push(...queries);
  }

  /** Queries that matched nothing expected. */
  get unmatched(): ReceivedQuery[] {
    return this.received.filter((q) => q.match === undefined);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
