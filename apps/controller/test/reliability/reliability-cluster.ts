// The cluster every reliability test starts from, on either API server (test/cluster): action Jobs
// that run the recording shell action, mock metrics, one VirtualService per experiment, a watch
// that keeps every committed traffic split, and the controller processes a test spawns (with the
// controller's own service account on kube-apiserver, through the fault proxy) — all torn down
// together, whatever state a failed test left them in.
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { ClusterKind, startTestCluster, type TestCluster } from "../cluster/test-cluster";
import { ActionRecorder } from "./action-recorder";
import { ControllerProcess, requireBuiltController } from "./controller-process";
import { isCompleted, readExperiment, type StoredExperiment } from "./experiment-status";
import { mockMetrics, virtualService } from "./routing-fixtures";
import { sleep } from "./wait-until";
import { WeightRecorder } from "./weight-recorder";

/** Settings of {@link ReliabilityCluster.start}. */
export interface ReliabilityClusterOptions {
  /** Which API server. */
  kind: ClusterKind;
  /** One VirtualService (and later one experiment) per name, in `default`. */
  names: readonly string[];
  /** How long each action runs. */
  actionMs: number;
  /** Seed of the fault injector. */
  seed?: number;
}

/** The server's answer to a request. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * Retries a read of the test's own as a client does, for up to 30 s: a refused connection, a 5xx,
 * and 429, which kube-apiserver answers for a moment after a restart ("storage is
 * (re)initializing") although `/readyz` is ok.
 */
async function retryingRead<T>(read: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      const transient = typeof code !== "number" || code === 429 || code >= 500;
      if (!transient || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** A cluster with routing objects and metrics, and the controllers started on it. */
export class ReliabilityCluster {
  readonly kube: TestCluster;
  readonly actions: ActionRecorder;
  readonly weights: WeightRecorder;
  readonly names: readonly string[];
  readonly #controllers: ControllerProcess[] = [];

  private constructor(kube: TestCluster, actions: ActionRecorder, weights: WeightRecorder, names: readonly string[]) {
    this.kube = kube;
    this.actions = actions;
    this.weights = weights;
    this.names = names;
  }

  static async start(options: ReliabilityClusterOptions): Promise<ReliabilityCluster> {
    requireBuiltController();
    const actions = new ActionRecorder();
    let kube: TestCluster | undefined;
    let weights: WeightRecorder | undefined;
    try {
      kube = await startTestCluster(options.kind, { ...actions.jobs({ durationMs: options.actionMs }), ...(options.seed === undefined ? {} : { seed: options.seed }) });
      // Before the VirtualServices, so that their first state is recorded too.
      weights = await WeightRecorder.start(kube.adminKubeConfig());
      for (const metric of mockMetrics("default")) await kube.create(metric);
      for (const name of options.names) await kube.create(virtualService("default", name));
      return new ReliabilityCluster(kube, actions, weights, options.names);
    } catch (error) {
      await weights?.stop();
      await kube?.close();
      actions.dispose();
      throw error;
    }
  }

  /**
   * Spawns a controller on this cluster; {@link close} kills it if it is still running. The
   * experiments' actions are shell scripts (`run`), so `default` may run exec-type tasks.
   */
  controller(name: string, args: readonly string[]): ControllerProcess {
    const started = ControllerProcess.start({ kubeconfigPath: this.kube.controllerKubeconfigPath, name, args: ["--allow-exec=default", ...args] });
    this.#controllers.push(started);
    return started;
  }

  experiment(name: string): Promise<StoredExperiment> {
    return retryingRead(() => readExperiment(this.kube, "default", name));
  }

  /** Every experiment in `default`. */
  experiments(): Promise<StoredExperiment[]> {
    return retryingRead(async () => (await this.kube.list("iter8.tools/v2alpha2", "Experiment", "default")) as unknown as StoredExperiment[]);
  }

  /** Whether every experiment named (default: those named at the start) has completed. */
  async allCompleted(names: readonly string[] = this.names): Promise<boolean> {
    const completed = new Set((await this.experiments()).filter(isCompleted).map((e) => e.metadata.name));
    return names.every((name) => completed.has(name));
  }

  /**
   * Restarts the API server, state kept, down for `downtimeMs`. On kube-apiserver no watch can
   * resume across the restart (its watch cache starts afresh: 410), so every write is held back
   * (its connection dropped, as a server that is down drops it) until the weight recorder has
   * listed again and watches: a split committed before that could not be seen. testkit keeps its
   * watch history, so there the recorder resumes and nobody is held back.
   */
  async restartApiServer(downtimeMs: number): Promise<void> {
    if (this.kube.kind === ClusterKind.Testkit) return this.kube.restart({ downtimeMs });
    const hold = this.kube.faults.add({ verbs: ["create", "update", "patch", "delete"], dropConnection: true });
    try {
      await this.kube.restart({ downtimeMs });
      await this.weights.resync();
    } finally {
      hold.remove();
    }
  }

  /**
   * POSTs a document exactly as given (no client library reshaping it first) with the admin's
   * identity, and returns the answer, a refusal included.
   */
  async post(path: string, document: unknown): Promise<ApiAnswer> {
    const kubeConfig = this.kube.adminKubeConfig();
    const url = new URL(path, kubeConfig.getCurrentCluster()?.server);
    const options: RequestOptions = { method: "POST", headers: { "content-type": "application/json", accept: "application/json" } };
    await kubeConfig.applyToHTTPSOptions(options);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text === "" ? undefined : (JSON.parse(text) as unknown) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(JSON.stringify(document));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#controllers.map((c) => c.kill("SIGKILL")));
    await this.weights.stop();
    await this.kube.close();
    this.actions.dispose();
  }
}
