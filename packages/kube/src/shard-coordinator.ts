import { abortableDelay } from "./abortable-delay";
import type { KubeClients } from "./create-kube-clients";
import { isKubeError, KubeErrorCode, type KubeError } from "./kube-error";
import { microTime, type Lease, type LeaseSpec } from "./leader-elector";
import { toKubeError } from "./to-kube-error";

/** Settings of {@link ShardCoordinator}. */
export interface ShardCoordinatorOptions {
  /** Namespace of the Leases (the controller's own). */
  namespace: string;
  /** Prefix of the Lease names and value of their group label: `<group>-member-<identity>`, `<group>-shard-<n>`. */
  group: string;
  /** This replica's name, unique among replicas (the pod name). */
  identity: string;
  /** Number of shards; every replica must use the same. */
  shards: number;
  /** How long a Lease holds without renewal (default 15 s; whole seconds in the Lease). */
  leaseDurationMs?: number;
  /** A shard whose Lease could not be renewed for this long is given up (default 10 s; below the lease duration). */
  renewDeadlineMs?: number;
  /** Pause between rounds of renewing, reading and acquiring (default 2 s). */
  retryPeriodMs?: number;
  /**
   * Called when a shard's Lease was acquired, or renewed after `owns` had lapsed (a renewal later
   * than the renew deadline): its experiments are now this replica's, whatever was turned away.
   */
  onAcquired?: (shard: number) => void;
  /**
   * Called before a held shard is released to the replica it now belongs to: `owns(shard)` is
   * already false; the Lease is released once the returned promise settles (the shard's running
   * reconciles have finished).
   */
  onReleasing?: (shard: number) => Promise<void>;
  /** Called when a shard is lost without a release (its renewals failed for the renew deadline). */
  onLost?: (shard: number) => void;
  /** Called when reading or writing a Lease failed; the coordinator keeps trying. */
  onError?: (error: KubeError) => void;
}

/** The label every member and shard Lease of one group carries (its value: the group). */
export const SHARD_GROUP_LABEL = "iter8.tools/shard-group";

/** FNV-1a over UTF-16 code units, finished with a 32-bit avalanche so close inputs spread. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The shard of an experiment: a stable hash of `namespace/name`, the same in every replica and release. */
export function shardOf(namespace: string, name: string, shards: number): number {
  return hash32(`${namespace}/${name}`) % shards;
}

/**
 * Which live member a shard belongs to: the highest `hash(shard, member)` (rendezvous hashing),
 * so a member joining or leaving moves only the shards it gains or held.
 */
export function shardOwner(shard: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const score = hash32(`${shard}:${member}`);
    if (score > bestScore || (score === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}

/** What this replica last saw of one Lease, timed on its own clock (clocks of machines are never compared). */
interface Seen {
  spec: LeaseSpec;
  resourceVersion: string | undefined;
  /** When the holder or renewTime last changed, as seen here. */
  changedAt: number;
}

/** A shard this replica holds. */
interface Held {
  resourceVersion: string | undefined;
  acquireTime: string;
  renewedAt: number;
}

/**
 * Splits experiments into shards across the live replicas, with coordination.k8s.io/v1 Leases:
 *
 * - every replica renews its own member Lease (`<group>-member-<identity>`) each retry period; a
 *   member whose Lease has not changed for its lease duration, on this replica's clock, is dead;
 * - shard `n` belongs to the live member with the highest `hash(n, member)`; that member holds the
 *   shard's Lease (`<group>-shard-<n>`), acquired only when it is free or expired, and renewed each
 *   round; every Lease write is guarded by resourceVersion, so two replicas never both win;
 * - a replica that no longer should hold a shard stops taking its work, waits for its running
 *   reconciles (`onReleasing`) and releases the Lease; one that cannot renew for the renew deadline
 *   stops working on the shard before another replica can take it (after the lease duration);
 * - `stop()` releases every shard and the member Lease, so the others take over at once.
 *
 * `owns(shard)` is true only while the shard's Lease was renewed within the renew deadline: the
 * fence that the controller checks before each write.
 */
export class ShardCoordinator {
  readonly #clients: KubeClients;
  readonly #options: ShardCoordinatorOptions;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #seen = new Map<string, Seen>();
  readonly #held = new Map<number, Held>();
  readonly #releasing = new Set<number>();
  #members: string[] = [];
  #stop: AbortController | undefined;
  #running: Promise<void> | undefined;
  #memberVersion: string | undefined;

  constructor(clients: KubeClients, options: ShardCoordinatorOptions) {
    if (!Number.isInteger(options.shards) || options.shards < 1) throw new RangeError(`shards must be a whole number of at least 1 (got ${options.shards})`);
    this.#clients = clients;
    this.#options = options;
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (this.#renewDeadlineMs >= this.#leaseMs) throw new RangeError(`renewDeadlineMs (${this.#renewDeadlineMs}) must be below leaseDurationMs (${this.#leaseMs}), or two replicas may hold a shard at once`);
    if (this.#retryMs >= this.#renewDeadlineMs) throw new RangeError(`retryPeriodMs (${this.#retryMs}) must be below renewDeadlineMs (${this.#renewDeadlineMs})`);
  }

  /** Number of shards. */
  get shards(): number {
    return this.#options.shards;
  }

  /** The shard of an experiment. */
  shardOf(namespace: string, name: string): number {
    return shardOf(namespace, name, this.#options.shards);
  }

  /** True while this replica holds the shard's Lease, renewed within the renew deadline, and is not giving it up. */
  owns(shard: number): boolean {
    const held = this.#held.get(shard);
    return held !== undefined && !this.#releasing.has(shard) && Date.now() - held.renewedAt < this.#renewDeadlineMs;
  }

  /** The shards this replica holds now. */
  ownedShards(): number[] {
    return [...this.#held.keys()].filter((s) => this.owns(s)).sort((a, b) => a - b);
  }

  /** The live members as last seen, this replica included. */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Starts the rounds in the background; a second call does nothing. */
  start(): void {
    if (this.#running) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#running = (async () => {
      while (!stop.signal.aborted) {
        await this.round();
        await abortableDelay(this.#retryMs * (1 + 0.1 * Math.random()), stop.signal);
      }
    })();
  }

  /**
   * Stops the rounds. Unless `release: false` (a crash, as tests simulate it), every held shard
   * is released after `onReleasing` and the member Lease is given up.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    this.#running = undefined;
    const held = [...this.#held.keys()];
    if (options.release === false) {
      this.#held.clear();
      return;
    }
    await Promise.all(held.map((shard) => this.#release(shard)));
    await this.#write(this.#memberName(), { leaseDurationSeconds: 1, renewTime: microTime(new Date()) }, this.#memberVersion).catch((error: unknown) => this.#report(error, this.#memberName()));
  }

  /** One round: renew the member Lease, read every Lease of the group, then renew, release and acquire shards. */
  async round(): Promise<void> {
    await this.#renewMember();
    let leases: Lease[];
    try {
      leases = await this.#list();
    } catch (error) {
      this.#report(error, "Leases");
      this.#dropExpired();
      return;
    }
    const now = Date.now();
    const byName = new Map(leases.map((l) => [l.metadata.name, l]));
    for (const lease of leases) this.#observe(lease, now);
    for (const name of [...this.#seen.keys()]) if (!byName.has(name)) this.#seen.delete(name);

    const memberPrefix = `${this.#options.group}-member-`;
    const members = new Set([this.#options.identity]);
    for (const lease of leases) {
      if (!lease.metadata.name.startsWith(memberPrefix)) continue;
      const holder = lease.spec?.holderIdentity;
      if (holder && this.#alive(lease.metadata.name, now)) members.add(holder);
    }
    this.#members = [...members].sort();

    const work: Array<Promise<void>> = [];
    for (let shard = 0; shard < this.#options.shards; shard++) {
      const name = this.#shardName(shard);
      const mine = shardOwner(shard, this.#members) === this.#options.identity;
      const held = this.#held.get(shard);
      if (held && this.#releasing.has(shard)) continue;
      // Not awaited: waiting for a shard's running reconciles must not hold up the renewals of the others.
      if (held && !mine) void this.#handOver(shard).catch((error: unknown) => this.#report(error, this.#shardName(shard)));
      else if (held) work.push(this.#renewShard(shard, held));
      else if (mine) work.push(this.#acquire(shard, byName.get(name), now));
    }
    await Promise.all(work);
    this.#dropExpired();
  }

  #memberName(): string {
    return `${this.#options.group}-member-${this.#options.identity}`;
  }

  #shardName(shard: number): string {
    return `${this.#options.group}-shard-${shard}`;
  }

  #durationSeconds(): number {
    return Math.max(1, Math.ceil(this.#leaseMs / 1000));
  }

  #observe(lease: Lease, now: number): void {
    const spec = lease.spec ?? {};
    const before = this.#seen.get(lease.metadata.name);
    const changed = !before || before.spec.holderIdentity !== spec.holderIdentity || before.spec.renewTime !== spec.renewTime;
    this.#seen.set(lease.metadata.name, { spec, resourceVersion: lease.metadata.resourceVersion, changedAt: changed ? now : before.changedAt });
  }

  /** A Lease is alive while it has a holder and changed within its duration, as seen here. */
  #alive(name: string, now: number): boolean {
    const seen = this.#seen.get(name);
    if (!seen?.spec.holderIdentity) return false;
    return now - seen.changedAt < (seen.spec.leaseDurationSeconds ?? this.#durationSeconds()) * 1000;
  }

  /** Shards not renewed within the renew deadline are no longer worked on (another replica may take them after the lease duration). */
  #dropExpired(): void {
    const now = Date.now();
    for (const [shard, held] of this.#held) {
      if (this.#releasing.has(shard) || now - held.renewedAt < this.#renewDeadlineMs) continue;
      this.#held.delete(shard);
      this.#options.onLost?.(shard);
    }
  }

  async #renewMember(): Promise<void> {
    const now = microTime(new Date());
    const spec: LeaseSpec = { holderIdentity: this.#options.identity, leaseDurationSeconds: this.#durationSeconds(), renewTime: now };
    try {
      const written = await this.#write(this.#memberName(), spec, this.#memberVersion);
      this.#memberVersion = written.metadata.resourceVersion;
    } catch (error) {
      // A stale version (a restart with the same name): read it again next round.
      this.#memberVersion = undefined;
      if (isKubeError(error, KubeErrorCode.Conflict)) {
        const current = this.#seen.get(this.#memberName());
        this.#memberVersion = current?.resourceVersion;
      } else this.#report(error, this.#memberName());
    }
  }

  async #renewShard(shard: number, held: Held): Promise<void> {
    const spec: LeaseSpec = {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: this.#durationSeconds(),
      acquireTime: held.acquireTime,
      renewTime: microTime(new Date()),
      leaseTransitions: this.#seen.get(this.#shardName(shard))?.spec.leaseTransitions ?? 0,
    };
    try {
      const written = await this.#write(this.#shardName(shard), spec, held.resourceVersion);
      held.resourceVersion = written.metadata.resourceVersion;
      // A round slower than the renew deadline (a slow API server) made `owns` false for a while,
      // and work was turned away meanwhile: the shard counts as acquired again.
      const lapsed = !this.owns(shard);
      held.renewedAt = Date.now();
      if (lapsed && this.#held.get(shard) === held) this.#options.onAcquired?.(shard);
    } catch (error) {
      if (isKubeError(error, KubeErrorCode.Conflict)) {
        // Someone else wrote the Lease: it is no longer ours, whatever this replica believed.
        this.#held.delete(shard);
        this.#options.onLost?.(shard);
        return;
      }
      this.#report(error, this.#shardName(shard));
    }
  }

  async #acquire(shard: number, lease: Lease | undefined, now: number): Promise<void> {
    const name = this.#shardName(shard);
    const spec = lease?.spec ?? {};
    if (lease && spec.holderIdentity && spec.holderIdentity !== this.#options.identity && this.#alive(name, now)) return;
    const time = microTime(new Date());
    const next: LeaseSpec = {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: this.#durationSeconds(),
      acquireTime: time,
      renewTime: time,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (lease ? 1 : 0),
    };
    try {
      const written = await this.#write(name, next, lease?.metadata.resourceVersion, lease === undefined);
      this.#held.set(shard, { resourceVersion: written.metadata.resourceVersion, acquireTime: time, renewedAt: Date.now() });
      this.#options.onAcquired?.(shard);
    } catch (error) {
      // Lost a race to another replica: it holds the shard now.
      if (!isKubeError(error, KubeErrorCode.Conflict) && !isKubeError(error, KubeErrorCode.AlreadyExists)) this.#report(error, name);
    }
  }

  async #handOver(shard: number): Promise<void> {
    this.#releasing.add(shard);
    try {
      await this.#options.onReleasing?.(shard);
      await this.#release(shard);
    } finally {
      this.#releasing.delete(shard);
    }
  }

  async #release(shard: number): Promise<void> {
    const held = this.#held.get(shard);
    this.#held.delete(shard);
    if (!held) return;
    const now = microTime(new Date());
    const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.#seen.get(this.#shardName(shard))?.spec.leaseTransitions ?? 0 };
    try {
      await this.#write(this.#shardName(shard), spec, held.resourceVersion);
    } catch (error) {
      // The Lease then expires after its duration; the next holder waits that long.
      this.#report(error, this.#shardName(shard));
    }
  }

  #report(error: unknown, what: string): void {
    this.#options.onError?.(toKubeError(error, `Lease ${this.#options.namespace}/${what}`));
  }

  #base(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/leases`;
  }

  async #list(): Promise<Lease[]> {
    const list = await this.#clients.api.request<{ items?: Lease[] }>({
      method: "GET",
      path: this.#base(),
      query: { labelSelector: `${SHARD_GROUP_LABEL}=${this.#options.group}` },
      subject: `Leases of shard group ${this.#options.group}`,
      timeoutMs: this.#renewDeadlineMs,
    });
    return list.items ?? [];
  }

  /** Creates (`create`, or no resourceVersion known) or replaces the Lease, guarded by `resourceVersion`. */
  async #write(name: string, spec: LeaseSpec, resourceVersion: string | undefined, create = resourceVersion === undefined): Promise<Lease> {
    const metadata: Lease["metadata"] = { name, namespace: this.#options.namespace, labels: { [SHARD_GROUP_LABEL]: this.#options.group } };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    const body: Lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec };
    const request = { subject: `Lease ${this.#options.namespace}/${name}`, timeoutMs: this.#renewDeadlineMs, body };
    if (!create) return this.#clients.api.request<Lease>({ ...request, method: "PUT", path: `${this.#base()}/${encodeURIComponent(name)}` });
    try {
      return await this.#clients.api.request<Lease>({ ...request, method: "POST", path: this.#base() });
    } catch (error) {
      // The member Lease survives a restart under the same name: take it over with its current version.
      if (!isKubeError(error, KubeErrorCode.AlreadyExists) || !name.startsWith(`${this.#options.group}-member-`)) throw error;
      const current = await this.#clients.api.request<Lease>({ method: "GET", path: `${this.#base()}/${encodeURIComponent(name)}`, subject: request.subject, timeoutMs: this.#renewDeadlineMs });
      metadata.resourceVersion = current.metadata.resourceVersion;
      return this.#clients.api.request<Lease>({ ...request, method: "PUT", path: `${this.#base()}/${encodeURIComponent(name)}` });
    }
  }
}
