import http from "node:http";
import { closeServer, listenOnLoopback } from "./loopback-server";
import { VersionBehaviour, type VersionProfile } from "./version-profile";

/** The response header naming the version that served a request. */
export const VERSION_HEADER = "x-demo-version";
/** The response header carrying the request's user engagement, in seconds. */
export const ENGAGEMENT_HEADER = "x-user-engagement";

/** A running version of the sample app. */
export interface SampleApp {
  readonly profile: VersionProfile;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Requests answered so far, and how many of them failed. */
  served(): { requests: number; errors: number };
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

/** Options of {@link startSampleApp}. */
export interface SampleAppOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Seed of the latency and engagement draws; default the version's name. */
  seed?: string;
}

/**
 * Starts one version of the sample app on 127.0.0.1. Every request except `GET /healthz` is a
 * page view: the app waits the profile's latency for real, then answers 200 or 500 with a JSON
 * body `{ version, status, latencyMs, engagement }` and the headers `x-demo-version` and
 * `x-user-engagement`, from which the router records telemetry.
 */
export async function startSampleApp(profile: VersionProfile, options: SampleAppOptions = {}): Promise<SampleApp> {
  const behaviour = new VersionBehaviour(profile, options.seed);
  let requests = 0;
  let errors = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    // Drain any body so the keep-alive connection stays usable.
    req.resume();
    const response = behaviour.next();
    const timer = setTimeout(() => {
      timers.delete(timer);
      requests++;
      if (response.status !== 200) errors++;
      const engagement = response.engagement.toFixed(3);
      const body = JSON.stringify({
        version: profile.name,
        status: response.status,
        latencyMs: Number(response.latencyMs.toFixed(3)),
        engagement: Number(engagement),
      });
      res
        .writeHead(response.status, {
          "content-type": "application/json",
          [VERSION_HEADER]: profile.name,
          [ENGAGEMENT_HEADER]: engagement,
        })
        .end(body);
    }, response.latencyMs);
    timers.add(timer);
  });
  const { url, port } = await listenOnLoopback(server, options.port);
  return {
    profile,
    url,
    port,
    served: () => ({ requests, errors }),
    close: () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        return closeServer(server);
      },
  };
}
