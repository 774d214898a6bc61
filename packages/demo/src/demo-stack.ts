import { startMetricsApi, type MetricsApi } from "./metrics-api";
import { DemoPlaceholder } from "./placeholders";
import { startSampleApp, type SampleApp } from "./sample-app";
import { Telemetry } from "./telemetry";
import type { VersionProfile } from "./version-profile";

/** The two app versions, the telemetry and the metrics API of one sample run. */
export interface DemoBackends {
  readonly telemetry: Telemetry;
  /** sample-app-v1, on `${DEMO_V1_PORT}`. */
  readonly baseline: SampleApp;
  /** sample-app-v2, on `${DEMO_V2_PORT}`. */
  readonly candidate: SampleApp;
  readonly metrics: MetricsApi;
  /** Values of `DEMO_METRICS_URL`, `DEMO_V1_PORT` and `DEMO_V2_PORT`. */
  readonly placeholders: Readonly<Record<string, string>>;
  /** The version listening on a port, if any. */
  versionAt(port: number): string | undefined;
  /** Stops everything; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts what a sample's documents point at, each on a free port of 127.0.0.1: the baseline
 * and candidate apps and the metrics API over a fresh telemetry. The router comes later,
 * because it follows the routing document of the working copy, which needs these ports.
 */
export async function startBackends(profiles: { baseline: VersionProfile; candidate: VersionProfile }): Promise<DemoBackends> {
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const telemetry = new Telemetry();
    const baseline = await startSampleApp(profiles.baseline);
    started.push(baseline);
    const candidate = await startSampleApp(profiles.candidate);
    started.push(candidate);
    const metrics = await startMetricsApi({ telemetry });
    started.push(metrics);
    let closing: Promise<void> | undefined;
    return {
      telemetry,
      baseline,
      candidate,
      metrics,
      placeholders: {
        [DemoPlaceholder.MetricsUrl]: metrics.url,
        [DemoPlaceholder.V1Port]: String(baseline.port),
        [DemoPlaceholder.V2Port]: String(candidate.port),
      },
      versionAt: (port) => [baseline, candidate].find((app) => app.port === port)?.profile.name,
      close: () => (closing ??= Promise.all(started.map((s) => s.close())).then(() => undefined)),
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
