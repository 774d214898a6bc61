/**
 * Programmable faults for resource requests: answer a share of matching requests with an error
 * status (409 Conflict by default), delay them, or cut the connection. Randomness comes from a
 * seeded generator so a test sees the same faults on every run.
 */
import { ApiStatusError, StatusReason, conflict } from "./api-status-error";

/** The request verbs a rule can match (Kubernetes authorization verbs). */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** Error answers a rule can inject. */
export const InjectedError = {
  Conflict: "Conflict",
  TooManyRequests: "TooManyRequests",
  InternalError: "InternalError",
  ServiceUnavailable: "ServiceUnavailable",
  Timeout: "Timeout",
} as const;
export type InjectedError = (typeof InjectedError)[keyof typeof InjectedError];

/** One fault rule. Empty filters match everything. */
export interface FaultRule {
  /** Verbs to match, e.g. `["update", "patch"]`. */
  verbs?: readonly Verb[];
  /** Resources to match: a plural (`experiments`) or plural/subresource (`experiments/status`). */
  resources?: readonly string[];
  /** Namespaces to match. */
  namespaces?: readonly string[];
  /** Chance that a matching request is affected, 0..1 (default 1). */
  probability?: number;
  /** How many requests the rule affects before it retires (default: no limit). */
  times?: number;
  /** Delay before the request is handled. */
  latencyMs?: number;
  /** Answer with this error instead of handling the request. */
  respond?: InjectedError;
  /** Destroy the connection without an answer. */
  dropConnection?: boolean;
}

/** What the injector decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  respond: InjectedError | undefined;
  dropConnection: boolean;
}

/** The request facts rules match on. */
export interface FaultTarget {
  verb: Verb;
  resource: string;
  subresource: string | undefined;
  namespace: string | undefined;
}

/** A rule that was added; `remove()` retires it early, `triggered` counts the requests it affected. */
export interface FaultHandle {
  readonly triggered: number;
  remove(): void;
}

interface ActiveRule {
  rule: FaultRule;
  triggered: number;
}

/** A small seeded PRNG (mulberry32): deterministic, good enough to pick which requests fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRITE_VERBS: readonly Verb[] = ["update", "patch"];

/** The fault rules of one test server. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(seed = 0x5eed) {
    this.random = seededRandom(seed);
  }

  /** Restarts the random sequence, so a test can replay the same faults. */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** Adds a rule; rules are checked in the order they were added and all matching ones apply. */
  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, triggered: 0 };
    this.rules.push(active);
    return {
      get triggered() {
        return active.triggered;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  /**
   * Answers `rate` (0..1) of updates and patches with 409 Conflict, the way a busy object's
   * writers collide. Narrow it with `resources`/`namespaces`/`times`.
   */
  conflicts(rate: number, filter: Omit<FaultRule, "respond" | "probability" | "latencyMs" | "dropConnection"> = {}): FaultHandle {
    return this.add({ verbs: WRITE_VERBS, ...filter, probability: rate, respond: InjectedError.Conflict });
  }

  /** Delays every matching request by `ms`. */
  latency(ms: number, filter: Omit<FaultRule, "latencyMs"> = {}): FaultHandle {
    return this.add({ ...filter, latencyMs: ms });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  private matches(rule: FaultRule, target: FaultTarget): boolean {
    if (rule.verbs && !rule.verbs.includes(target.verb)) return false;
    if (rule.resources) {
      const full = target.subresource ? `${target.resource}/${target.subresource}` : target.resource;
      if (!rule.resources.includes(full) && !rule.resources.includes(target.resource)) return false;
      // A rule naming only the main resource leaves its subresources alone.
      if (target.subresource && !rule.resources.includes(full)) return false;
    }
    if (rule.namespaces && (target.namespace === undefined || !rule.namespaces.includes(target.namespace))) return false;
    return true;
  }

  /** Decides the faults for one request (consuming `times` and random draws). */
  decide(target: FaultTarget): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, respond: undefined, dropConnection: false };
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.times !== undefined && active.triggered >= rule.times) continue;
      if (!this.matches(rule, target)) continue;
      if (rule.probability !== undefined && rule.probability < 1 && this.random() >= rule.probability) continue;
      active.triggered += 1;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (rule.respond && !decision.respond) decision.respond = rule.respond;
      if (rule.dropConnection) decision.dropConnection = true;
    }
    return decision;
  }
}

/** The resource an injected error is about, for its message (`experiments.iter8.tools "name"`). */
export interface InjectedErrorTarget {
  /** API group; "" for the core group. */
  group: string;
  /** Plural resource name, e.g. `experiments`. */
  resource: string;
  /** The object's name, when the request names one. */
  name?: string;
}

/**
 * The error an API server answers with for `fault`: the same code, reason and message as
 * kube-apiserver's, so clients (client-node's ApiException, kubectl) treat it as the real thing.
 * A 429 carries `retryAfterSeconds: 1`; send it as a `Retry-After` header too.
 */
export function injectedErrorStatus(fault: InjectedError, target: InjectedErrorTarget): ApiStatusError {
  switch (fault) {
    case InjectedError.Conflict:
      return conflict({ group: target.group, resource: target.resource }, target.name ?? "");
    case InjectedError.TooManyRequests:
      return new ApiStatusError(429, StatusReason.TooManyRequests, "Too many requests, please try again later.", { retryAfterSeconds: 1 });
    case InjectedError.ServiceUnavailable:
      return new ApiStatusError(503, StatusReason.ServiceUnavailable, "the server is currently unable to handle the request", {});
    case InjectedError.Timeout:
      return new ApiStatusError(
        504,
        StatusReason.Timeout,
        "the server was unable to return a response in the time allotted, but may still be processing the request",
        {},
      );
    case InjectedError.InternalError:
      return new ApiStatusError(500, StatusReason.InternalError, "Internal error occurred: injected fault", {});
  }
}
