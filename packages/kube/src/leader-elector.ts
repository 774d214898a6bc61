import { abortableDelay } from "./abortable-delay";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeErrorCode, type KubeError } from "./kube-error";
import { toKubeError } from "./to-kube-error";

/** Settings of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  /** Namespace of the Lease (the controller's own). */
  namespace: string;
  /** Name of the Lease (default `iter8ts-controller-leader`). */
  name?: string;
  /** Who this replica is, unique among replicas (e.g. the pod name). */
  identity: string;
  /** How long a leader's claim holds without renewal (default 15 s; whole seconds in the Lease). */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down (default 10 s; below the lease duration). */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
  /**
   * Called when this replica becomes leader; `signal` aborts when it stops leading, so work
   * started here can be tied to it.
   */
  onStartedLeading?: (signal: AbortSignal) => void;
  /** Called when this replica stops leading (lost the lease, or stopped). */
  onStoppedLeading?: () => void;
  /** Called whenever the observed leader changes (to another replica, or to this one). */
  onNewLeader?: (identity: string) => void;
  /** Called when an attempt to read or write the Lease failed; the elector keeps trying. */
  onError?: (error: KubeError) => void;
}

/** The fields of a coordination.k8s.io/v1 Lease that leader election and sharding use. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A coordination.k8s.io/v1 Lease as JSON. */
export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: LeaseSpec;
}

/**
 * A Lease's MicroTime: RFC 3339 with exactly six fractional digits. The API server refuses the
 * three digits of `Date.toISOString()`.
 */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules, so one replica of
 * the controller works while the others wait:
 *
 * - a replica acquires the Lease when it does not exist, is released (no holder), or has not
 *   changed for the holder's `leaseDurationSeconds` as measured on this replica's own clock
 *   (clocks of different machines are never compared);
 * - the leader renews every `retryPeriodMs`; if it cannot renew for `renewDeadlineMs` it steps
 *   down (`onStoppedLeading`), and keeps trying to acquire again;
 * - every write is guarded by resourceVersion, so two replicas never both win;
 * - `stop()` releases the Lease, so another replica takes over at once instead of after the
 *   lease duration. `leaseTransitions` counts changes of holder.
 */
export class LeaderElector {
  readonly #clients: KubeClients;
  readonly #options: LeaderElectorOptions;
  readonly #name: string;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  #observed: LeaseSpec | undefined;
  #observedAt = 0;
  #resourceVersion: string | undefined;
  #leading: AbortController | undefined;
  #leader: string | undefined;
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(clients: KubeClients, options: LeaderElectorOptions) {
    this.#clients = clients;
    this.#options = options;
    this.#name = options.name ?? "iter8ts-controller-leader";
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (this.#renewDeadlineMs >= this.#leaseMs) throw new RangeError(`renewDeadlineMs (${this.#renewDeadlineMs}) must be below leaseDurationMs (${this.#leaseMs}), or two replicas may lead at once`);
    if (this.#retryMs >= this.#renewDeadlineMs) throw new RangeError(`retryPeriodMs (${this.#retryMs}) must be below renewDeadlineMs (${this.#renewDeadlineMs})`);
  }

  /** True while this replica holds the Lease. */
  get isLeader(): boolean {
    return this.#leading !== undefined;
  }

  /** The holder last seen in the Lease (this replica's identity when it leads). */
  get leader(): string | undefined {
    return this.#leader;
  }

  /** Starts campaigning in the background; a second call does nothing. */
  start(): void {
    if (this.#running) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#running = this.#run(stop.signal);
  }

  /**
   * Stops campaigning. A leader releases the Lease first (unless `release: false`, which behaves
   * like a crashed replica: the others wait for the lease to expire) and then stops leading.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    this.#running = undefined;
    if (this.#leading && options.release !== false) await this.#release();
    this.#stepDown();
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.#tryAcquireOrRenew())) {
        await abortableDelay(this.#retryMs * (1 + 0.2 * Math.random()), signal);
        continue;
      }
      this.#leading = new AbortController();
      this.#options.onStartedLeading?.(this.#leading.signal);
      let renewedAt = Date.now();
      while (!signal.aborted) {
        await abortableDelay(this.#retryMs, signal);
        if (signal.aborted) break;
        if (await this.#tryAcquireOrRenew()) {
          renewedAt = Date.now();
        } else if (Date.now() - renewedAt >= this.#renewDeadlineMs || (this.#leader !== undefined && this.#leader !== this.#options.identity)) {
          this.#stepDown();
          break;
        }
      }
    }
  }

  #stepDown(): void {
    const leading = this.#leading;
    if (!leading) return;
    this.#leading = undefined;
    leading.abort();
    this.#options.onStoppedLeading?.();
  }

  #observe(spec: LeaseSpec | undefined, resourceVersion: string | undefined): void {
    this.#resourceVersion = resourceVersion;
    const changed =
      !this.#observed ||
      this.#observed.holderIdentity !== spec?.holderIdentity ||
      this.#observed.renewTime !== spec?.renewTime ||
      this.#observed.leaseTransitions !== spec?.leaseTransitions;
    if (changed) {
      this.#observed = { ...spec };
      this.#observedAt = Date.now();
    }
    const holder = spec?.holderIdentity || undefined;
    if (holder !== this.#leader) {
      this.#leader = holder;
      if (holder) this.#options.onNewLeader?.(holder);
    }
  }

  #path(withName: boolean): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/leases`;
    return withName ? `${base}/${encodeURIComponent(this.#name)}` : base;
  }

  #lease(spec: LeaseSpec, resourceVersion?: string): Lease {
    const metadata: Lease["metadata"] = { name: this.#name, namespace: this.#options.namespace };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec };
  }

  #report(error: unknown): void {
    this.#options.onError?.(toKubeError(error, `Lease ${this.#options.namespace}/${this.#name}`));
  }

  /** One attempt; true when this replica holds the Lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const subject = `Lease ${this.#options.namespace}/${this.#name}`;
    const request = { subject, timeoutMs: this.#renewDeadlineMs };
    const now = new Date();
    const me = this.#options.identity;
    const durationSeconds = Math.max(1, Math.ceil(this.#leaseMs / 1000));
    let current: Lease | undefined;
    try {
      current = await this.#clients.api.request<Lease>({ ...request, method: "GET", path: this.#path(true) });
    } catch (error) {
      if (!isKubeError(error, KubeErrorCode.NotFound)) {
        this.#report(error);
        return false;
      }
    }
    if (!current) {
      const spec: LeaseSpec = { holderIdentity: me, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        const created = await this.#clients.api.request<Lease>({ ...request, method: "POST", path: this.#path(false), body: this.#lease(spec) });
        this.#observe(created.spec, created.metadata.resourceVersion);
        return true;
      } catch (error) {
        // Another replica created it first: that is a lost race, not a failure.
        if (!isKubeError(error, KubeErrorCode.AlreadyExists)) this.#report(error);
        return false;
      }
    }
    this.#observe(current.spec, current.metadata.resourceVersion);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity || undefined;
    const heldFor = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== me && this.#observedAt + heldFor > Date.now()) return false;
    const next: LeaseSpec = {
      holderIdentity: me,
      leaseDurationSeconds: durationSeconds,
      acquireTime: holder === me && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === me ? 0 : 1),
    };
    try {
      const written = await this.#clients.api.request<Lease>({ ...request, method: "PUT", path: this.#path(true), body: this.#lease(next, this.#resourceVersion) });
      this.#observe(written.spec, written.metadata.resourceVersion);
      return true;
    } catch (error) {
      if (!isKubeError(error, KubeErrorCode.Conflict)) this.#report(error);
      return false;
    }
  }

  async #release(): Promise<void> {
    const now = microTime(new Date());
    const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.#observed?.leaseTransitions ?? 0 };
    try {
      await this.#clients.api.request<Lease>({
        subject: `Lease ${this.#options.namespace}/${this.#name}`,
        timeoutMs: this.#renewDeadlineMs,
        method: "PUT",
        path: this.#path(true),
        body: this.#lease(spec, this.#resourceVersion),
      });
    } catch (error) {
      // The lease then simply expires; nothing else to do on the way out.
      this.#report(error);
    }
  }
}
