import { describe, expect, it } from "vitest";
import { ConfigError, ConfigErrorCode, egressAllowText, parseControllerConfig, type ControllerConfig } from "./controller-config";

function config(argv: string[], env: Record<string, string> = {}): ControllerConfig {
  const request = parseControllerConfig(argv, env, "host-1");
  if (request.kind !== "run") throw new Error("expected settings");
  return request.config;
}

function failure(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    parseControllerConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseControllerConfig", () => {
  it("uses the documented defaults", () => {
    expect(config([])).toEqual({
      workers: 4,
      leaderElect: true,
      leaseNamespace: "iter8-system",
      leaseName: "leader.iter8.tools",
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      identity: "host-1",
      shards: 0,
      iterationEvents: false,
      writePattern: "lean",
      metricsAddr: { port: 8080 },
      healthAddr: { port: 8081 },
      actionImage: "iter8ts/controller:latest",
      actionServiceAccount: "iter8-action",
      allowExec: false,
      logLevel: "info",
      shutdownTimeoutMs: 30_000,
      egressAllow: { words: new Set(), cidrs: [] },
      reconcileTimeoutMs: 30_000,
      maxResponseBytes: 10 * 1024 * 1024,
      expressionTimeoutMs: 1_000,
      expressionMemoryBytes: 64 * 1024 * 1024,
      providers: [],
    });
  });

  it("reads the sharding and write settings, and names the flag at fault", () => {
    expect(config(["--shards=16", "--replica-id=replica-2", "--iteration-events", "--write-pattern=legacy"])).toMatchObject({ shards: 16, identity: "replica-2", iterationEvents: true, writePattern: "legacy" });
    expect(failure(["--shards=many"]).message).toBe("--shards must be a whole number from 0 to 1024");
    expect(failure(["--shards=5000"]).message).toBe("--shards must be at most 1024");
    expect(failure(["--write-pattern=fast"]).message).toBe("--write-pattern must be lean or legacy");
    expect(failure(["--replica-id=Replica_2"]).message).toMatch(/^--replica-id must be a Kubernetes object name/);
  });

  it("reads the bounds: egress allow-list, reconcile deadline, response size and expression limits, from flags or their variables", () => {
    const c = config(["--egress-allow", "loopback,10.1.0.0/16", "--reconcile-timeout=5s", "--max-response-size", "512Ki", "--expression-timeout", "250ms", "--expression-memory", "128Mi"]);
    expect(c).toMatchObject({ reconcileTimeoutMs: 5_000, maxResponseBytes: 512 * 1024, expressionTimeoutMs: 250, expressionMemoryBytes: 128 * 1024 * 1024 });
    expect([...c.egressAllow.words]).toEqual(["loopback"]);
    expect(c.egressAllow.cidrs).toEqual(["10.1.0.0/16"]);
    expect(egressAllowText(c.egressAllow)).toBe("loopback,10.1.0.0/16");
    const fromEnv = config([], { ITER8_EGRESS_ALLOW: "link-local,apiserver", ITER8_RECONCILE_TIMEOUT: "1m", ITER8_MAX_RESPONSE_SIZE: "1048576", ITER8_EXPRESSION_TIMEOUT: "2", ITER8_EXPRESSION_MEMORY: "1Gi" });
    expect(egressAllowText(fromEnv.egressAllow)).toBe("link-local,apiserver");
    expect(fromEnv).toMatchObject({ reconcileTimeoutMs: 60_000, maxResponseBytes: 1_048_576, expressionTimeoutMs: 2_000, expressionMemoryBytes: 1024 ** 3 });
  });

  it("names the bound flag and what it accepts when its value is wrong", () => {
    expect(failure(["--egress-allow", "loopback,internet"]).message).toBe(
      '--egress-allow: "internet" is neither a CIDR (such as 10.0.0.0/8 or fd00::/8) nor one of loopback, link-local, apiserver, private',
    );
    expect(failure([], { ITER8_EGRESS_ALLOW: "10.0.0.0/40" }).message).toMatch(/^--egress-allow: "10.0.0.0\/40" is neither .* \(from environment variable ITER8_EGRESS_ALLOW\)$/);
    expect(failure(["--max-response-size", "lots"]).message).toBe('--max-response-size must be a size such as 10Mi, 512Ki or 1048576 (got "lots")');
    expect(failure(["--max-response-size", "10"]).message).toBe('--max-response-size must be at least 1Ki (got "10")');
    expect(failure(["--expression-memory", "8Mi"]).message).toBe('--expression-memory must be at least 16Mi (got "8Mi")');
    expect(failure(["--reconcile-timeout", "0s"]).message).toBe("--reconcile-timeout must be longer than 0");
    expect(failure(["--expression-timeout", "quick"]).message).toContain("--expression-timeout must be a duration");
  });

  it("reads flags in both --name value and --name=value forms", () => {
    const c = config([
      "--kubeconfig",
      "/tmp/kc",
      "--namespace=team-a",
      "--workers",
      "8",
      "--metrics-addr=127.0.0.1:9090",
      "--health-addr",
      "[::1]:9091",
      "--action-image=registry.local/iter8ts:1.2.3",
      "--log-level",
      "debug",
      "--lease-duration=30s",
      "--renew-deadline=20s",
      "--retry-period=500ms",
    ]);
    expect(c).toMatchObject({
      kubeconfig: "/tmp/kc",
      namespace: "team-a",
      workers: 8,
      metricsAddr: { host: "127.0.0.1", port: 9090 },
      healthAddr: { host: "::1", port: 9091 },
      actionImage: "registry.local/iter8ts:1.2.3",
      logLevel: "debug",
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 500,
    });
  });

  it("turns leader election off with --leader-elect=false or --no-leader-elect, and on with the bare flag", () => {
    expect(config(["--leader-elect=false"]).leaderElect).toBe(false);
    expect(config(["--no-leader-elect"]).leaderElect).toBe(false);
    expect(config(["--leader-elect", "--workers", "2"]).leaderElect).toBe(true);
    expect(config(["--leader-elect", "false"]).leaderElect).toBe(false);
  });

  it("falls back to environment variables, and a flag wins over its variable", () => {
    const env = { KUBECONFIG: "/env/kc", WATCH_NAMESPACE: "team-b", ITER8_WORKERS: "2", LOG_LEVEL: "warn", ITER8_NAMESPACE: "iter8", POD_NAME: "iter8-controller-abc" };
    expect(config([], env)).toMatchObject({
      kubeconfig: "/env/kc",
      namespace: "team-b",
      workers: 2,
      logLevel: "warn",
      leaseNamespace: "iter8",
      identity: "iter8-controller-abc",
    });
    expect(config(["--workers=6"], env).workers).toBe(6);
  });

  it("runs actions in the experiment's namespace as iter8-action unless told a fixed namespace or account", () => {
    expect(config([]).actionNamespace).toBeUndefined();
    expect(config([], { ITER8_NAMESPACE: "iter8" }).actionNamespace).toBeUndefined();
    expect(config(["--action-namespace=iter8-system", "--action-service-account=iter8-handlers"])).toMatchObject({ actionNamespace: "iter8-system", actionServiceAccount: "iter8-handlers" });
    expect(config([], { ITER8_ACTION_NAMESPACE: "jobs" }).actionNamespace).toBe("jobs");
  });

  it("allows exec tasks nowhere by default, everywhere with true, or in the namespaces listed", () => {
    expect(config([]).allowExec).toBe(false);
    expect(config(["--allow-exec"]).allowExec).toBe(true);
    expect(config(["--allow-exec=true"]).allowExec).toBe(true);
    expect(config(["--no-allow-exec"], { ITER8_ALLOW_EXEC: "true" }).allowExec).toBe(false);
    expect(config(["--allow-exec", "team-a, default,team-a"]).allowExec).toEqual(["team-a", "default"]);
    expect(config([], { ITER8_ALLOW_EXEC: "team-b" }).allowExec).toEqual(["team-b"]);
    expect(failure(["--allow-exec=team-a,,x"]).message).toBe('--allow-exec must be true, false or a comma-separated list of namespaces (got "" in "team-a,,x")');
    expect(failure([], { ITER8_ALLOW_EXEC: "Team_A" }).message).toBe(
      '--allow-exec must be true, false or a comma-separated list of namespaces (got "Team_A" in "Team_A") (from environment variable ITER8_ALLOW_EXEC)',
    );
  });

  it("turns an endpoint off with 0 and watches all namespaces when the namespace is empty", () => {
    const c = config(["--metrics-addr=0", "--namespace="]);
    expect(c.metricsAddr).toBeUndefined();
    expect(c.namespace).toBeUndefined();
  });

  it("names the flag and the accepted values when a value is wrong", () => {
    expect(failure(["--workers", "0"]).message).toBe("--workers must be at least 1");
    expect(failure(["--workers", "many"]).message).toBe("--workers must be a whole number from 1 to 64");
    expect(failure(["--log-level", "loud"]).message).toBe("--log-level must be one of trace, debug, info, warn, error, fatal, silent");
    expect(failure(["--metrics-addr", "8080"]).message).toContain("--metrics-addr must be [HOST]:PORT");
    expect(failure(["--lease-duration", "soon"]).message).toContain("--lease-duration must be a duration");
    expect(failure(["--namespace", "Team_A"]).code).toBe(ConfigErrorCode.InvalidValue);
  });

  it("says when a bad value came from the environment", () => {
    expect(failure([], { ITER8_WORKERS: "-3" }).message).toBe("--workers must be a whole number from 1 to 64 (from environment variable ITER8_WORKERS)");
  });

  it("refuses unknown flags, missing values and positional arguments", () => {
    expect(failure(["--wrokers", "3"])).toMatchObject({ code: ConfigErrorCode.UnknownFlag });
    expect(failure(["--wrokers", "3"]).message).toContain("unknown flag --wrokers; known flags are --kubeconfig");
    expect(failure(["--kubeconfig"])).toMatchObject({ code: ConfigErrorCode.MissingValue });
    expect(failure(["run"])).toMatchObject({ code: ConfigErrorCode.UnexpectedArgument });
  });

  it("refuses lease timings that would let two replicas lead at once", () => {
    expect(failure(["--lease-duration=10s", "--renew-deadline=10s"]).message).toContain("--renew-deadline (10s) must be shorter than --lease-duration (10s)");
    expect(failure(["--retry-period=12s"]).message).toContain("--retry-period (12s) must be shorter than --renew-deadline (10s)");
  });

  it("reads provider modules from repeated --provider flags or ITER8TS_PROVIDERS, the flags winning", () => {
    expect(config(["--provider", "@acme/iter8-providers", "--provider=./extra.js,@acme/iter8-providers"]).providers).toEqual(["@acme/iter8-providers", "./extra.js"]);
    expect(config([], { ITER8TS_PROVIDERS: " @iter8ts/metrics-provider-jsonfile , ,/opt/p.mjs" }).providers).toEqual(["@iter8ts/metrics-provider-jsonfile", "/opt/p.mjs"]);
    expect(config(["--provider", "./mine.js"], { ITER8TS_PROVIDERS: "theirs" }).providers).toEqual(["./mine.js"]);
  });

  it("answers --help with the flags, their defaults and variables", () => {
    const request = parseControllerConfig(["--help"], {});
    expect(request.kind).toBe("help");
    if (request.kind === "help") {
      expect(request.text).toContain("--workers");
      expect(request.text).toContain("default 4; env ITER8_WORKERS");
    }
  });
});
