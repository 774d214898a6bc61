/**
 * The controller's settings, read once at the process edge from flags and environment variables
 * (a flag wins over its variable, which wins over the default) and checked with zod, so the rest
 * of the controller receives plain, valid values.
 */
import { EgressAllowError, parseEgressAllow, type EgressAllow } from "@iter8ts/metrics";
import { z } from "zod";

/** Why the settings were refused. */
export const ConfigErrorCode = {
  UnknownFlag: "unknown_flag",
  MissingValue: "missing_value",
  InvalidValue: "invalid_value",
  UnexpectedArgument: "unexpected_argument",
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** A flag or variable could not be used; the message names it and says what is accepted. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A host and port to listen on; `undefined` host means every interface. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/** Log levels pino understands, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the controller process needs to know before it starts. */
export interface ControllerConfig {
  /** A kubeconfig file; absent: in-cluster service account, else `~/.kube/config`. */
  kubeconfig?: string;
  /** The one namespace to watch; absent: every namespace. */
  namespace?: string;
  workers: number;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** This replica's name in the Leases (`--replica-id`, default POD_NAME, else the host name). */
  identity: string;
  /**
   * Shards the experiments are split into across replicas (`--shards`); 0: no sharding, one
   * leader (or every replica with `--leader-elect=false`) reconciles everything.
   */
  shards: number;
  /** Per-iteration Kubernetes Events (`--iteration-events`), aggregated into one Event per experiment. */
  iterationEvents: boolean;
  /**
   * `lean`: at most two API requests per iteration (the weight patch and a patch of the changed
   * status fields); `legacy`: the earlier pattern (read before and after the weight patch, PUT the
   * whole status, an Event per iteration), kept so a benchmark can show both in one run.
   */
  writePattern: WritePattern;
  /** `undefined` when the endpoint is turned off (`0`). */
  metricsAddr?: ListenAddress;
  healthAddr?: ListenAddress;
  actionImage: string;
  /** Service account of action Jobs, in the Jobs' namespace. */
  actionServiceAccount: string;
  /** A fixed namespace for every action Job; absent: each experiment's own namespace. */
  actionNamespace?: string;
  /** Where exec-type tasks may run: nowhere (false), everywhere (true) or in these namespaces. */
  allowExec: AllowExec;
  logLevel: LogLevel;
  /** How long shutdown waits for workers to finish their current reconcile. */
  shutdownTimeoutMs: number;
  /** `KUBERNETES_SERVICE_HOST` in a pod: one of the API server's addresses, refused as egress. */
  apiServiceHost?: string;
  /** Addresses metric and notification URLs may reach besides the default (`--egress-allow`). */
  egressAllow: EgressAllow;
  /** The deadline of one reconcile. */
  reconcileTimeoutMs: number;
  /** The largest metric answer read, in bytes. */
  maxResponseBytes: number;
  /** Time limit of one jq or JSONata evaluation. */
  expressionTimeoutMs: number;
  /** Memory limit of the worker evaluating jq and JSONata, in bytes. */
  expressionMemoryBytes: number;
  /** Provider modules to load at start-up (`--provider`, repeatable, or `ITER8TS_PROVIDERS`, comma-separated). */
  providers: readonly string[];
}

/** How an iteration talks to the API server (`--write-pattern`). */
export const WritePattern = { Lean: "lean", Legacy: "legacy" } as const;
export type WritePattern = (typeof WritePattern)[keyof typeof WritePattern];

/** `--egress-allow` as the Job's `ITER8_EGRESS_ALLOW` carries it. */
export function egressAllowText(allow: EgressAllow): string {
  return [...allow.words, ...allow.cidrs].join(",");
}

/** `--allow-exec`: false, true, or the namespaces whose experiments may run exec-type tasks. */
export type AllowExec = boolean | readonly string[];

/** Whether experiments in `namespace` may run exec-type tasks under `allowExec`. */
export function execAllowedIn(allowExec: AllowExec, namespace: string): boolean {
  return typeof allowExec === "boolean" ? allowExec : allowExec.includes(namespace);
}

/** One flag: its name, the environment variable that backs it, its default and its help text. */
interface FlagSpec {
  name: string;
  env?: string;
  boolean?: boolean;
  help: string;
  default?: string;
  /** Given more than once, the values add up (as a comma-separated list). */
  repeatable?: boolean;
}

/** The flags, in the order `--help` lists them. */
export const CONTROLLER_FLAGS: readonly FlagSpec[] = [
  { name: "kubeconfig", env: "KUBECONFIG", help: "kubeconfig file; default: the in-cluster service account, else ~/.kube/config" },
  { name: "namespace", env: "WATCH_NAMESPACE", help: "watch only this namespace; default: every namespace" },
  { name: "workers", env: "ITER8_WORKERS", default: "4", help: "experiments reconciled in parallel" },
  { name: "leader-elect", env: "ITER8_LEADER_ELECT", boolean: true, default: "true", help: "reconcile only while holding the Lease (--leader-elect=false for a single replica)" },
  { name: "lease-namespace", env: "ITER8_NAMESPACE", default: "iter8-system", help: "namespace of the leader Lease (and of the member and shard Leases with --shards)" },
  { name: "lease-name", default: "leader.iter8.tools", help: "name of the leader Lease" },
  { name: "lease-duration", default: "15s", help: "how long a Lease lasts without renewal" },
  { name: "renew-deadline", default: "10s", help: "how long the leader keeps trying to renew before it stops working" },
  { name: "retry-period", default: "2s", help: "pause between attempts to take or renew the Lease" },
  {
    name: "shards",
    env: "ITER8_SHARDS",
    default: "0",
    help: "split experiments into this many shards shared by the live replicas, each held through a Lease (0: no sharding; one leader does everything); every replica must use the same number",
  },
  { name: "replica-id", env: "POD_NAME", help: "this replica's name in the Leases; default: POD_NAME, else the host name" },
  { name: "iteration-events", env: "ITER8_ITERATION_EVENTS", boolean: true, default: "false", help: "record each completed iteration as a Kubernetes Event too (one Event per experiment, its count and message updated)" },
  { name: "write-pattern", default: "lean", help: "lean: two API requests per iteration; legacy: the earlier five (a read before and after the weight patch, the whole status, an Event), for benchmarks" },
  { name: "metrics-addr", env: "ITER8_METRICS_ADDR", default: ":8080", help: "address of /metrics (0 turns it off)" },
  { name: "health-addr", env: "ITER8_HEALTH_ADDR", default: ":8081", help: "address of /healthz and /readyz (0 turns it off)" },
  { name: "action-image", env: "ITER8_ACTION_IMAGE", default: "iter8ts/controller:latest", help: "image of the Jobs that run actions (holds iter8ctl)" },
  { name: "action-service-account", env: "ITER8_ACTION_SERVICE_ACCOUNT", default: "iter8-action", help: "service account of action Jobs, in the Jobs' namespace" },
  { name: "action-namespace", env: "ITER8_ACTION_NAMESPACE", help: "run every action Job in this namespace; default: the experiment's own namespace" },
  {
    name: "allow-exec",
    env: "ITER8_ALLOW_EXEC",
    boolean: true,
    default: "false",
    help: "where experiments may run exec-type tasks (run, common/exec, common/bash, common/promote-kubectl): false, true (every namespace) or a comma-separated list of namespaces",
  },
  { name: "log-level", env: "LOG_LEVEL", default: "info", help: `one of ${LOG_LEVELS.join(", ")}` },
  { name: "shutdown-timeout", default: "30s", help: "how long shutdown waits for running reconciles" },
  {
    name: "egress-allow",
    env: "ITER8_EGRESS_ALLOW",
    default: "",
    help: "addresses metric and notification URLs may reach although refused by default (loopback, link-local, the API server): a comma-separated list of CIDRs and the words loopback, link-local, apiserver, private",
  },
  { name: "reconcile-timeout", env: "ITER8_RECONCILE_TIMEOUT", default: "30s", help: "deadline of one reconcile: metric queries and weight writes still running are cancelled and the experiment is tried again" },
  { name: "max-response-size", env: "ITER8_MAX_RESPONSE_SIZE", default: "10Mi", help: "largest metric answer read (bytes, or with Ki, Mi, Gi); a larger one fails its metric" },
  { name: "expression-timeout", env: "ITER8_EXPRESSION_TIMEOUT", default: "1s", help: "time limit of one jqExpression or jsonataExpression evaluation" },
  { name: "expression-memory", env: "ITER8_EXPRESSION_MEMORY", default: "64Mi", help: "memory limit of the worker that evaluates jq and JSONata (at least 16Mi)" },
  {
    name: "provider",
    env: "ITER8TS_PROVIDERS",
    repeatable: true,
    default: "",
    help: "load the metric providers of this package (looked up in node_modules from the working directory up) or file path; repeatable, or a comma-separated list; a module that cannot be loaded stops the start",
  },
];

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `15s`, `2m`, `1h`, or a bare number of seconds. */
function durationMs(flag: string) {
  return z.string().transform((text, ctx) => {
    const bare = /^\d+(?:\.\d+)?$/.test(text) ? `${text}s` : text;
    const match = DURATION.exec(bare);
    if (!match) {
      ctx.addIssue({ code: "custom", message: `--${flag} must be a duration such as 500ms, 15s or 2m (got "${text}")` });
      return z.NEVER;
    }
    return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
  });
}

function listenAddress(flag: string) {
  return z.string().transform((text, ctx): ListenAddress | undefined => {
    if (text === "0") return undefined;
    const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port > 65535) {
      ctx.addIssue({ code: "custom", message: `--${flag} must be [HOST]:PORT such as :8080 or 127.0.0.1:8080, or 0 to turn it off (got "${text}")` });
      return z.NEVER;
    }
    const host = match[1] ?? match[2];
    return host ? { host, port } : { port };
  });
}

const booleanText = (flag: string) =>
  z.string().transform((text, ctx) => {
    const lower = text.toLowerCase();
    if (["true", "1", "yes"].includes(lower)) return true;
    if (["false", "0", "no"].includes(lower)) return false;
    ctx.addIssue({ code: "custom", message: `--${flag} must be true or false (got "${text}")` });
    return z.NEVER;
  });

const dnsLabel = (flag: string) =>
  z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, `--${flag} must be a Kubernetes namespace or object name (lower-case letters, digits and '-')`);

const allowExecText = z.string().transform((text, ctx): AllowExec => {
  const lower = text.trim().toLowerCase();
  if (["true", "1", "yes"].includes(lower)) return true;
  if (["false", "0", "no"].includes(lower)) return false;
  const namespaces = text.split(",").map((n) => n.trim());
  const bad = namespaces.find((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
  if (bad !== undefined) {
    ctx.addIssue({ code: "custom", message: `--allow-exec must be true, false or a comma-separated list of namespaces (got ${JSON.stringify(bad)} in "${text}")` });
    return z.NEVER;
  }
  return [...new Set(namespaces)];
});

const SIZE = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/;
const SIZE_UNIT: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** A size in bytes: `10Mi`, `512Ki`, `1G` or a bare number of bytes, from `min` up. */
function byteSize(flag: string, min: number, minText: string) {
  return z.string().transform((text, ctx) => {
    const match = SIZE.exec(text.trim());
    const bytes = match ? Number(match[1]) * SIZE_UNIT[match[2] ?? ""]! : NaN;
    if (!match || !Number.isSafeInteger(bytes)) {
      ctx.addIssue({ code: "custom", message: `--${flag} must be a size such as 10Mi, 512Ki or 1048576 (got "${text}")` });
      return z.NEVER;
    }
    if (bytes < min) {
      ctx.addIssue({ code: "custom", message: `--${flag} must be at least ${minText} (got "${text}")` });
      return z.NEVER;
    }
    return bytes;
  });
}

const egressAllowList = z.string().transform((text, ctx): EgressAllow => {
  try {
    return parseEgressAllow(text);
  } catch (error) {
    if (!(error instanceof EgressAllowError)) throw error;
    ctx.addIssue({ code: "custom", message: `--egress-allow: ${error.message}` });
    return z.NEVER;
  }
});

/** `--provider` values and `ITER8TS_PROVIDERS`: module specifiers, comma-separated, blanks dropped. */
const providerList = z.string().transform((text) => [...new Set(text.split(",").map((m) => m.trim()).filter((m) => m !== ""))]);

/** A duration that must be positive. */
const positiveDurationMs = (flag: string) => durationMs(flag).refine((ms) => ms > 0, `--${flag} must be longer than 0`);

const RawConfigSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  namespace: z.union([z.literal(""), dnsLabel("namespace")]).optional(),
  workers: z
    .string()
    .regex(/^\d+$/, "--workers must be a whole number from 1 to 64")
    .transform(Number)
    .pipe(z.number().int().min(1, "--workers must be at least 1").max(64, "--workers must be at most 64")),
  "leader-elect": booleanText("leader-elect"),
  "lease-namespace": dnsLabel("lease-namespace"),
  "lease-name": z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "--lease-name must be a Kubernetes object name"),
  "lease-duration": durationMs("lease-duration"),
  "renew-deadline": durationMs("renew-deadline"),
  "retry-period": durationMs("retry-period"),
  shards: z
    .string()
    .regex(/^\d+$/, "--shards must be a whole number from 0 to 1024")
    .transform(Number)
    .pipe(z.number().int().max(1024, "--shards must be at most 1024")),
  "replica-id": z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$/, "--replica-id must be a Kubernetes object name of at most 202 characters (it names this replica's member Lease)").optional(),
  "iteration-events": booleanText("iteration-events"),
  "write-pattern": z.enum([WritePattern.Lean, WritePattern.Legacy], { error: "--write-pattern must be lean or legacy" }),
  "metrics-addr": listenAddress("metrics-addr"),
  "health-addr": listenAddress("health-addr"),
  "action-image": z.string().min(1, "--action-image must name an image"),
  "action-service-account": dnsLabel("action-service-account"),
  "action-namespace": dnsLabel("action-namespace").optional(),
  "allow-exec": allowExecText,
  "log-level": z.enum(LOG_LEVELS, { error: `--log-level must be one of ${LOG_LEVELS.join(", ")}` }),
  "shutdown-timeout": durationMs("shutdown-timeout"),
  "egress-allow": egressAllowList,
  "reconcile-timeout": positiveDurationMs("reconcile-timeout"),
  "max-response-size": byteSize("max-response-size", 1024, "1Ki"),
  "expression-timeout": positiveDurationMs("expression-timeout"),
  "expression-memory": byteSize("expression-memory", 16 * 1024 ** 2, "16Mi"),
  provider: providerList,
});

/** What the command line asked for besides settings. */
export type ConfigRequest = { kind: "run"; config: ControllerConfig } | { kind: "help"; text: string };

/** Splits `--name value`, `--name=value`, `--flag` and `--no-flag` into a map of raw values. */
function readFlags(argv: readonly string[]): Map<string, string> {
  const specs = new Map(CONTROLLER_FLAGS.map((f) => [f.name, f]));
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      throw new ConfigError(ConfigErrorCode.UnexpectedArgument, `unexpected argument "${arg}": the controller takes only flags; see --help`);
    }
    const eq = arg.indexOf("=");
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (!specs.has(name) && name.startsWith("no-") && specs.get(name.slice(3))?.boolean && value === undefined) {
      name = name.slice(3);
      value = "false";
    }
    const spec = specs.get(name);
    if (!spec) {
      const known = CONTROLLER_FLAGS.map((f) => `--${f.name}`).join(", ");
      throw new ConfigError(ConfigErrorCode.UnknownFlag, `unknown flag --${name}; known flags are ${known}`);
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (spec.boolean && (next === undefined || next.startsWith("--"))) value = "true";
      else if (next === undefined || next.startsWith("--")) {
        throw new ConfigError(ConfigErrorCode.MissingValue, `--${name} needs a value: ${spec.help}`);
      } else {
        value = next;
        i += 1;
      }
    }
    const earlier = values.get(name);
    values.set(name, spec.repeatable && earlier !== undefined ? `${earlier},${value}` : value);
  }
  return values;
}

/** The `--help` text. */
export function controllerUsage(): string {
  const lines = ["Usage: iter8-controller [flags]", "", "Runs Iter8 v2alpha2 experiments in a Kubernetes cluster.", "", "Flags:"];
  for (const flag of CONTROLLER_FLAGS) {
    const extras = [flag.default !== undefined ? `default ${flag.default}` : undefined, flag.env ? `env ${flag.env}` : undefined].filter(Boolean).join("; ");
    lines.push(`  --${flag.name.padEnd(24)} ${flag.help}${extras ? ` (${extras})` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Reads the settings from command-line flags (without the node and script paths) and the
 * environment.
 * @throws ConfigError naming the flag (and its variable) at fault.
 */
export function parseControllerConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname = "iter8-controller"): ConfigRequest {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help", text: controllerUsage() };
  const flags = readFlags(argv);
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const spec of CONTROLLER_FLAGS) {
    const fromFlag = flags.get(spec.name);
    const fromEnv = spec.env ? env[spec.env] : undefined;
    const value = fromFlag ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined) ?? spec.default;
    if (value === undefined) continue;
    raw[spec.name] = value;
    origin[spec.name] = fromFlag !== undefined ? `--${spec.name}` : fromEnv ? `environment variable ${spec.env}` : "default";
  }
  const parsed = RawConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0] ?? "");
    const from = origin[flag] && origin[flag] !== `--${flag}` ? ` (from ${origin[flag]})` : "";
    const message = issue.message.startsWith("--") ? issue.message : `--${flag}: ${issue.message}`;
    throw new ConfigError(ConfigErrorCode.InvalidValue, `${message}${from}`, { cause: parsed.error });
  }
  const v = parsed.data;
  if (v["renew-deadline"] >= v["lease-duration"]) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `--renew-deadline (${raw["renew-deadline"]}) must be shorter than --lease-duration (${raw["lease-duration"]}), or two replicas may both lead`);
  }
  if (v["retry-period"] >= v["renew-deadline"]) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `--retry-period (${raw["retry-period"]}) must be shorter than --renew-deadline (${raw["renew-deadline"]})`);
  }
  const config: ControllerConfig = {
    workers: v.workers,
    leaderElect: v["leader-elect"],
    leaseNamespace: v["lease-namespace"],
    leaseName: v["lease-name"],
    leaseDurationMs: v["lease-duration"],
    renewDeadlineMs: v["renew-deadline"],
    retryPeriodMs: v["retry-period"],
    identity: v["replica-id"] || hostname,
    shards: v.shards,
    iterationEvents: v["iteration-events"],
    writePattern: v["write-pattern"],
    actionImage: v["action-image"],
    actionServiceAccount: v["action-service-account"],
    allowExec: v["allow-exec"],
    logLevel: v["log-level"],
    shutdownTimeoutMs: v["shutdown-timeout"],
    egressAllow: v["egress-allow"],
    reconcileTimeoutMs: v["reconcile-timeout"],
    maxResponseBytes: v["max-response-size"],
    expressionTimeoutMs: v["expression-timeout"],
    expressionMemoryBytes: v["expression-memory"],
    providers: v.provider,
  };
  if (v.kubeconfig) config.kubeconfig = v.kubeconfig;
  if (v.namespace) config.namespace = v.namespace;
  if (v["action-namespace"]) config.actionNamespace = v["action-namespace"];
  if (env.KUBERNETES_SERVICE_HOST) config.apiServiceHost = env.KUBERNETES_SERVICE_HOST;
  if (v["metrics-addr"]) config.metricsAddr = v["metrics-addr"];
  if (v["health-addr"]) config.healthAddr = v["health-addr"];
  return { kind: "run", config };
}
