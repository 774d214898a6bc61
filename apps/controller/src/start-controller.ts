/**
 * Wires the controller from its settings: Kubernetes clients, informers, the engine's ports on
 * the API server (status subresource, Secrets, weight patches, action Jobs, Events), leader
 * election, the work queue and the HTTP endpoints.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { Reason, createEngine, systemClock, type ActionRunner, type EngineOptions } from "@iter8ts/engine";
import {
  JobActionRunner,
  KubeEventSink,
  KubeExperimentStore,
  KubeMetricsSource,
  KubeResourceClient,
  LeaderElector,
  ShardCoordinator,
  shardOf,
  type KubeClients,
  createActionJobInformer,
  createExperimentInformer,
  createKubeClients,
  createMetricInformer,
  createReferenceGrantInformer,
  apiServerAddresses,
  experimentKeyOfJob,
  KubeReferenceGrants,
} from "@iter8ts/kube";
import { ValueExtractor, createDefaultRegistry, createEgressPolicy, loadProviderModules, nodeHttpClient } from "@iter8ts/metrics";
import { ROUTING_WEIGHT_POLICY, ResourceWeightWriter } from "@iter8ts/weights";
import type { Logger } from "pino";
import { actionTaskChecker } from "./action-task-checker";
import { egressAllowText, execAllowedIn, WritePattern, type ControllerConfig } from "./controller-config";
import { Controller, type LeaderElection, type LeadershipCallbacks, type Sharding } from "./controller";
import { fenceWrites } from "./shard-fence";
import { createControllerMetrics, type ControllerMetrics } from "./controller-metrics";
import { startEndpoints, type RunningEndpoints } from "./http-endpoints";
import { countIterations, logEvents, timeMetricQueries } from "./instrumented-ports";
import { trackOwnWrites } from "./own-writes";

/** Everything besides the settings; each has a production default. */
export interface StartOptions {
  logger: Logger;
  /** A loaded kubeconfig (tests); otherwise from `config.kubeconfig` or client-node's defaults. */
  kubeConfig?: KubeConfig;
  /** Engine settings (tests shorten retries and polls). */
  engine?: EngineOptions;
  /** The command action Jobs run; default `iter8ctl` from the action image. */
  actionCommand?: string[];
  /** Extra environment of action Jobs. */
  actionEnv?: Readonly<Record<string, string>>;
  /** Node.js process metrics on /metrics (default true). */
  processMetrics?: boolean;
  /** Where `--provider` package names are looked up (default: the working directory). */
  cwd?: string;
}

/** A started controller. */
export interface RunningController {
  controller: Controller;
  endpoints: RunningEndpoints;
  metrics: ControllerMetrics;
  /** Graceful shutdown: drain, stop informers, release the Lease, flush Events, close endpoints. */
  stop(): Promise<void>;
}

/** The arguments of an action Job's container: `action run` for the Job's action and experiment. */
export function actionJobArgs(): string[] {
  // Kubernetes expands $(VAR) from the container's environment, which the runner fills per run.
  return ["action", "run", "--action", "$(ACTION)", "--experiment", "$(EXPERIMENT_NAMESPACE)/$(EXPERIMENT_NAME)", "--run-id", "$(RUN_ID)"];
}

function leaderElection(elector: (callbacks: LeadershipCallbacks) => LeaderElector): LeaderElection {
  let running: LeaderElector | undefined;
  return {
    start(callbacks) {
      running = elector(callbacks);
      running.start();
    },
    async stop() {
      await running?.stop();
    },
  };
}

/** `--shards`: the ShardCoordinator on the Leases of `--lease-namespace`, named after `--lease-name`. */
function shardingOf(clients: KubeClients, config: ControllerConfig, log: Logger): Sharding {
  let coordinator: ShardCoordinator | undefined;
  const shards = config.shards;
  return {
    shardOf: (key) => shardOf(key.namespace, key.name, shards),
    owns: (shard) => coordinator?.owns(shard) ?? false,
    start(callbacks) {
      coordinator = new ShardCoordinator(clients, {
        namespace: config.leaseNamespace,
        group: config.leaseName,
        identity: config.identity,
        shards,
        leaseDurationMs: config.leaseDurationMs,
        renewDeadlineMs: config.renewDeadlineMs,
        retryPeriodMs: config.retryPeriodMs,
        onAcquired: (shard) => callbacks.onAcquired(shard),
        onReleasing: (shard) => {
          log.info({ shard }, "handing a shard over to the replica it now belongs to");
          return callbacks.onReleasing(shard);
        },
        onLost: (shard) => log.warn({ shard }, "lost a shard: its Lease could not be renewed in time"),
        onError: (error) => log.warn({ err: error }, `shard Leases: ${error.message}`),
      });
      coordinator.start();
    },
    async stop() {
      await coordinator?.stop();
    },
  };
}

/**
 * Starts a controller: endpoints first (so probes answer while informers sync), then informers
 * and the election. Resolves once it is listening; readiness follows the informers.
 */
export async function startController(config: ControllerConfig, options: StartOptions): Promise<RunningController> {
  const log = options.logger;
  // Provider modules first: one that cannot be used (not found, another API version, a name
  // taken) stops the start with its error before anything connects or listens.
  const extractor = new ValueExtractor({ limits: { timeoutMs: config.expressionTimeoutMs, memoryBytes: config.expressionMemoryBytes } });
  const registry = createDefaultRegistry({ extractor });
  for (const loaded of await loadProviderModules(registry, config.providers, { cwd: options.cwd ?? process.cwd() })) {
    log.info({ module: loaded.module, file: loaded.file, providers: loaded.providers }, `loaded metric providers ${loaded.providers.join(", ")} from ${loaded.module}`);
  }
  const clients = createKubeClients(options.kubeConfig ? { kubeConfig: options.kubeConfig } : config.kubeconfig ? { kubeconfig: config.kubeconfig } : {});
  const scope = config.namespace ? { namespace: config.namespace } : {};
  const experiments = createExperimentInformer(clients, scope);
  const metricInformer = createMetricInformer(clients, scope);
  // In every namespace, even when experiments are watched in one: grants live where the objects referred to are.
  const grantInformer = createReferenceGrantInformer(clients);
  // Jobs live in a fixed namespace when one is configured, else next to their experiments.
  const jobs = createActionJobInformer(clients, config.actionNamespace ? { namespace: config.actionNamespace } : scope);
  for (const [what, informer] of [["Experiments", experiments], ["Metrics", metricInformer], ["ReferenceGrants", grantInformer], ["action Jobs", jobs]] as const) {
    informer.onError((error) => log.warn({ informer: what, err: error }, `watching ${what} failed; retrying`));
  }

  const ref: { controller?: Controller } = {};
  const metrics = createControllerMetrics(
    {
      experimentsByStage: () => ref.controller?.experimentsByStage() ?? {},
      queueDepth: () => ref.controller?.queueDepth ?? 0,
      isLeader: () => ref.controller?.leading ?? false,
    },
    { processMetrics: options.processMetrics ?? true },
  );

  const lean = config.writePattern === WritePattern.Lean;
  const ownWrites = trackOwnWrites(new KubeExperimentStore(clients, { experiments, metrics: metricInformer, statusPatches: lean }));
  const countingStore = countIterations(ownWrites, metrics);
  // What a tenant's Metric may cost: its URL may not lead to loopback, link-local or the API
  // server (unless --egress-allow says so), its answer is read up to --max-response-size, and its
  // jq/JSONata runs in a worker process under --expression-timeout and --expression-memory.
  const egress = createEgressPolicy({ allow: config.egressAllow, apiServerAddresses: await apiServerAddresses(clients.kubeConfig, config.apiServiceHost) });
  const metricsSource = timeMetricQueries(
    new KubeMetricsSource(clients, {
      registry,
      http: nodeHttpClient({ egress, maxResponseBytes: config.maxResponseBytes }),
      onQueried: (report) => {
        const fields = { experiment: report.experiment.name, namespace: report.experiment.namespace };
        for (const problem of report.secretProblems) log.warn({ ...fields, err: problem }, problem.message);
        for (const error of report.errors) log.info({ ...fields, metric: error.metric, version: error.version }, `no value for metric ${error.metric} and version ${error.version}: ${error.message}`);
      },
    }),
    metrics,
  );
  // Only routing objects' integer weight fields under .spec: a weightObjRef can read or patch nothing else.
  const weights = new ResourceWeightWriter(new KubeResourceClient(clients), {
    policy: ROUTING_WEIGHT_POLICY,
    // Lean: plan against the object the last patch answered with, and read the observed weights from the patch's answer.
    ...(lean ? {} : { rememberObjects: 0 }),
    onApplied: (result) => {
      for (const warning of result.warnings) log.warn({ weights: result.weights }, warning);
      log.debug({ weights: result.weights, ok: result.ok }, "applied weights");
    },
  });
  const jobRunner = new JobActionRunner(clients, {
    image: config.actionImage,
    command: options.actionCommand ?? ["iter8ctl"],
    args: actionJobArgs(),
    serviceAccountName: config.actionServiceAccount,
    ...(config.actionNamespace ? { namespace: config.actionNamespace } : {}),
    allowExec: (key) => execAllowedIn(config.allowExec, key.namespace),
    // The Job's notification tasks follow the same egress policy (iter8ctl action run reads it).
    env: { ITER8_EGRESS_ALLOW: egressAllowText(config.egressAllow), ...options.actionEnv },
  });
  const actions: ActionRunner = {
    async start(request, experiment) {
      await jobRunner.start(request, experiment);
      metrics.actionJobsStarted.inc({ action: request.action });
      log.info({ experiment: request.experiment.name, namespace: request.experiment.namespace, action: request.action, runId: request.runId, job: jobRunner.jobOf(request) }, `started the ${request.action} action as a Job`);
    },
    state: (request) => jobRunner.state(request),
  };
  const eventSink = new KubeEventSink(clients, {
    instance: config.identity,
    experiments,
    ...(lean ? { aggregateReasons: new Set([Reason.IterationUpdate]) } : {}),
    onError: (error, event) => log.warn({ experiment: event.experiment.name, namespace: event.experiment.namespace, err: error }, `recording event ${event.reason} failed`),
  });
  // Changes of action Jobs enqueue their experiment (see `triggers` below), so polling a running
  // action is only a fallback for a missed watch event.
  const engineOptions: EngineOptions = { actionPollMs: 10_000, validateActions: actionTaskChecker(config.allowExec), ...options.engine };
  const references = new KubeReferenceGrants(clients, { informer: grantInformer });
  const sharding = config.shards > 0 ? shardingOf(clients, config, log) : undefined;
  // With sharding, a replica writes only for shards it holds (the API server's resourceVersion checks stay the last word).
  const fenced = sharding ? fenceWrites({ store: countingStore, weights, actions }, sharding) : { store: countingStore, weights, actions };
  const events = logEvents(eventSink, log, { routine: (event) => event.reason === Reason.IterationUpdate, passRoutine: !lean || config.iterationEvents });
  const engine = createEngine({ ...fenced, metrics: metricsSource, references, clock: systemClock, events }, engineOptions);

  const election = config.leaderElect && !sharding
    ? leaderElection(
        (callbacks) =>
          new LeaderElector(clients, {
            namespace: config.leaseNamespace,
            name: config.leaseName,
            identity: config.identity,
            leaseDurationMs: config.leaseDurationMs,
            renewDeadlineMs: config.renewDeadlineMs,
            retryPeriodMs: config.retryPeriodMs,
            onStartedLeading: () => callbacks.onStartedLeading(),
            onStoppedLeading: () => callbacks.onStoppedLeading(),
            onNewLeader: (identity) => log.info({ leader: identity, lease: `${config.leaseNamespace}/${config.leaseName}` }, identity === config.identity ? "this replica leads" : `${identity} leads`),
            onError: (error) => log.warn({ err: error, lease: `${config.leaseNamespace}/${config.leaseName}` }, `leader election: ${error.message}`),
          }),
      )
    : undefined;

  const controller = new Controller({
    engine,
    experiments,
    informers: [metricInformer, grantInformer],
    triggers: [{ informer: jobs, keyOf: (job) => experimentKeyOfJob(job) }],
    onDeleted: async (key) => {
      const deleted = await jobRunner.deleteJobsOf(key);
      if (deleted > 0) log.info({ experiment: key.name, namespace: key.namespace, jobs: deleted }, "deleted the action Jobs of a deleted experiment");
    },
    ...(election ? { election } : {}),
    ...(sharding ? { sharding } : {}),
    metrics,
    logger: log,
    workers: config.workers,
    iterations: countingStore,
    ownWrites,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    reconcileTimeoutMs: config.reconcileTimeoutMs,
  });
  ref.controller = controller;

  const endpoints = await startEndpoints({ health: () => controller.health(), ready: () => controller.ready(), registry: metrics.registry }, {
    ...(config.metricsAddr ? { metricsAddr: config.metricsAddr } : {}),
    ...(config.healthAddr ? { healthAddr: config.healthAddr } : {}),
  });
  log.info(
    {
      metrics: endpoints.metrics ? `${endpoints.metrics.address}:${endpoints.metrics.port}` : "off",
      health: endpoints.health ? `${endpoints.health.address}:${endpoints.health.port}` : "off",
      namespace: config.namespace ?? "(all)",
      workers: config.workers,
      leaderElect: config.leaderElect && !sharding,
      shards: config.shards,
      writePattern: config.writePattern,
      iterationEvents: config.iterationEvents,
      identity: config.identity,
      actionJobs: `${config.actionNamespace ?? "(the experiment's namespace)"}/${config.actionServiceAccount}`,
      allowExec: config.allowExec,
      egressAllow: egressAllowText(config.egressAllow) || "(none: loopback, link-local and API server addresses refused)",
      reconcileTimeoutMs: config.reconcileTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      expressionLimits: { timeoutMs: config.expressionTimeoutMs, memoryBytes: config.expressionMemoryBytes },
    },
    "iter8ts controller starting",
  );
  controller.start();

  let stopping: Promise<void> | undefined;
  return {
    controller,
    endpoints,
    metrics,
    stop() {
      stopping ??= (async () => {
        await controller.stop();
        await eventSink.flush();
        await endpoints.close();
        await extractor.jq.pool.close();
      })();
      return stopping;
    },
  };
}
