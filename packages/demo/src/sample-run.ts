import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateLoad, type LoadResult } from "@iter8ts/metrics";
import { DEFAULT_QPS } from "./demo-args";
import type { DemoSample } from "./demo-samples";
import { startBackends, type DemoBackends } from "./demo-stack";
import { prepareWorkdir, type PreparedSample } from "./prepare-workdir";
import { startRouter, type Router, type RouterEvent } from "./router";

/** Options of {@link startSampleRun}. */
export interface SampleRunOptions {
  /** The folder holding the samples (`samples/local`). */
  samplesDir: string;
  /** Use the sample's short `spec.duration`. */
  fast?: boolean;
  /** Requests per second through the router (default 40). */
  qps?: number;
  /** Where the working copy is made (default the system's temporary folder). */
  workRoot?: string;
  /** Told about routing changes (see `startRouter`). */
  onRouterEvent?: (event: RouterEvent, backends: DemoBackends) => void;
}

/** Everything one sample needs while its experiment runs. */
export interface SampleRun {
  readonly backends: DemoBackends;
  readonly prepared: PreparedSample;
  readonly router: Router;
  /** The load driver's result, once stopped. */
  readonly load: Promise<LoadResult>;
  /** Stops the traffic (and waits for requests in flight); the rest keeps running. */
  stopTraffic(): Promise<LoadResult>;
  /** Stops everything, and removes the working copy when asked; safe to call more than once. */
  close(options?: { removeWorkdir?: boolean }): Promise<void>;
}

/**
 * Starts a sample on 127.0.0.1: the two app versions and the metrics API, a working copy of the
 * sample with their ports filled in, the router on its routing document, and steady traffic
 * through the router. Whatever started is stopped again when a later step fails.
 */
export async function startSampleRun(sample: DemoSample, options: SampleRunOptions): Promise<SampleRun> {
  const backends = await startBackends({ baseline: sample.baseline, candidate: sample.candidate });
  const traffic = new AbortController();
  let workdir: string | undefined;
  let router: Router | undefined;
  try {
    workdir = await mkdtemp(join(options.workRoot ?? tmpdir(), `iter8ts-demo-${sample.name}-`));
    const prepared = await prepareWorkdir({
      sampleDir: join(options.samplesDir, sample.name),
      workdir,
      values: backends.placeholders,
      ...(options.fast ? { duration: sample.fast } : {}),
    });
    const onEvent = options.onRouterEvent;
    router = await startRouter({
      routingFile: join(prepared.dir, sample.routingFile),
      telemetry: backends.telemetry,
      ...(onEvent ? { onEvent: (event: RouterEvent) => onEvent(event, backends) } : {}),
    });
    // The experiment stops the traffic long before this; the duration only bounds a forgotten run.
    const load = generateLoad({ url: router.url, qps: options.qps ?? DEFAULT_QPS, connections: 8, durationMs: 3_600_000, signal: traffic.signal });
    load.catch(() => undefined);
    const running = router;
    let closing: Promise<void> | undefined;
    return {
      backends,
      prepared,
      router: running,
      load,
      stopTraffic: () => {
        traffic.abort();
        return load;
      },
      close: (closeOptions = {}) =>
        (closing ??= (async () => {
          traffic.abort();
          await load.catch(() => undefined);
          await running.close();
          await backends.close();
          if (closeOptions.removeWorkdir) await rm(prepared.dir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    traffic.abort();
    await router?.close();
    await backends.close();
    throw error;
  }
}
