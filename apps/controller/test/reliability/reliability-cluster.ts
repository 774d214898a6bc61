// The cluster every reliability test starts from: a loopback API server whose Job executor runs
// the recording shell action, mock metrics, one VirtualService per experiment, a watch that keeps
// every committed traffic split, and the controller processes a test spawns — all torn down
// together, whatever state a failed test left them in.
import { KubeTestServer } from "@iter8ts/testkit";
import { ActionRecorder } from "./action-recorder";
import { ControllerProcess, requireBuiltController } from "./controller-process";
import { isCompleted, readExperiment, type StoredExperiment } from "./experiment-status";
import { mockMetrics, virtualService } from "./routing-fixtures";
import { WeightRecorder } from "./weight-recorder";

/** Settings of {@link ReliabilityCluster.start}. */
export interface ReliabilityClusterOptions {
  /** One VirtualService (and later one experiment) per name, in `default`. */
  names: readonly string[];
  /** How long each action runs. */
  actionMs: number;
  /** Seed of the server's fault injector. */
  seed?: number;
}

/** A test server with routing objects and metrics, and the controllers started on it. */
export class ReliabilityCluster {
  readonly server: KubeTestServer;
  readonly actions: ActionRecorder;
  readonly weights: WeightRecorder;
  readonly names: readonly string[];
  readonly #controllers: ControllerProcess[] = [];

  private constructor(server: KubeTestServer, actions: ActionRecorder, names: readonly string[]) {
    this.server = server;
    this.actions = actions;
    this.names = names;
    this.weights = new WeightRecorder(server.url, server.resourceVersion);
    for (const metric of mockMetrics("default")) server.create(metric);
    for (const name of names) server.create(virtualService("default", name));
  }

  static async start(options: ReliabilityClusterOptions): Promise<ReliabilityCluster> {
    requireBuiltController();
    const actions = new ActionRecorder();
    const server = await KubeTestServer.start({
      namespaces: ["default", "iter8-system"],
      jobs: actions.jobs({ durationMs: options.actionMs }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    return new ReliabilityCluster(server, actions, options.names);
  }

  /** Spawns a controller on this cluster; {@link close} kills it if it is still running. */
  controller(name: string, args: readonly string[]): ControllerProcess {
    const started = ControllerProcess.start({ kubeconfigPath: this.server.kubeconfigPath, name, args });
    this.#controllers.push(started);
    return started;
  }

  experiment(name: string): StoredExperiment {
    return readExperiment(this.server, "default", name);
  }

  /** Whether every experiment named at the start has completed. */
  allCompleted(): boolean {
    return this.names.every((name) => isCompleted(this.experiment(name)));
  }

  async close(): Promise<void> {
    await Promise.all(this.#controllers.map((c) => c.kill("SIGKILL")));
    await this.weights.stop();
    await this.server.close();
    this.actions.dispose();
  }
}
