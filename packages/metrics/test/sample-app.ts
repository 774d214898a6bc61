// A loopback sample app instrumented with prom-client, standing in for a service with two
// deployed versions. Each version has a fixed latency and error profile; the app records the
// profile's latency for each request (instead of sleeping it), so the values Prometheus must
// report are known exactly.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Histogram, Registry } from "prom-client";

/** How one version behaves for its i-th request (0-based). */
export interface VersionProfile {
  /** The Prometheus label value this version reports as `revision`. */
  revision: string;
  latencyMs: (i: number) => number;
  status: (i: number) => number;
}

/** The histogram's bucket bounds, in milliseconds (as Istio's duration histogram is). */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 75, 100, 250, 500, 1000];

export interface SampleApp {
  url: string;
  /** What was served, per version: every latency and status. */
  served: Record<string, Array<{ latencyMs: number; status: number }>>;
  close(): Promise<void>;
}

export async function startSampleApp(profiles: Record<string, VersionProfile>): Promise<SampleApp> {
  const registry = new Registry();
  const requests = new Counter({ name: "http_requests_total", help: "Requests served", labelNames: ["revision", "code"], registers: [registry] });
  const duration = new Histogram({
    name: "http_request_duration_milliseconds",
    help: "Request latency",
    labelNames: ["revision"],
    buckets: LATENCY_BUCKETS_MS,
    registers: [registry],
  });
  // Series exist at zero before any traffic, so Prometheus sees every counter start from 0.
  for (const p of Object.values(profiles)) {
    for (const code of ["200", "500"]) requests.labels({ revision: p.revision, code }).inc(0);
    duration.zero({ revision: p.revision });
  }
  const served: SampleApp["served"] = Object.fromEntries(Object.keys(profiles).map((v) => [v, []]));
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    const version = path.slice(1);
    const profile = profiles[version];
    if (!profile) {
      res.writeHead(404).end();
      return;
    }
    const i = served[version]!.length;
    const latencyMs = profile.latencyMs(i);
    const status = profile.status(i);
    served[version]!.push({ latencyMs, status });
    requests.labels({ revision: profile.revision, code: String(status) }).inc();
    duration.labels({ revision: profile.revision }).observe(latencyMs);
    res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "error");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
