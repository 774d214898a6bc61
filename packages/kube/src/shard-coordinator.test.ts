import { InjectedError, type KubeTestServer } from "@iter8ts/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster } from "../test/support";
import type { KubeClients } from "./create-kube-clients";
import { ShardCoordinator, shardOf, shardOwner } from "./shard-coordinator";

let server: KubeTestServer;
let clients: KubeClients;
const running: ShardCoordinator[] = [];
let group = 0;

beforeAll(async () => {
  ({ server, clients } = await startCluster({ namespaces: ["default", "iter8-system"] }));
});

afterEach(async () => {
  server.faults.clear();
  await Promise.all(running.splice(0).map((c) => c.stop({ release: false })));
});

afterAll(async () => {
  await server.close();
});

const SHARDS = 12;
const TIMING = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 } as const;

/** Replicas of one group, and a watch over every moment two of them claimed the same shard. */
function replicas(names: readonly string[]) {
  const name = `shards-${++group}`;
  const overlaps: string[] = [];
  const coordinators = names.map((identity) => {
    const c = new ShardCoordinator(clients, { namespace: "iter8-system", group: name, identity, shards: SHARDS, ...TIMING });
    running.push(c);
    return c;
  });
  const watch = setInterval(() => {
    for (let shard = 0; shard < SHARDS; shard++) {
      const owners = names.filter((_, i) => coordinators[i]!.owns(shard));
      if (owners.length > 1) overlaps.push(`shard ${shard}: ${owners.join(", ")}`);
    }
  }, 10);
  return {
    coordinators,
    overlaps,
    start: () => coordinators.forEach((c) => c.start()),
    close: () => clearInterval(watch),
    /** Shard → the coordinator that owns it (by identity), for the shards owned by anyone. */
    owners: () => {
      const map = new Map<number, string>();
      for (let shard = 0; shard < SHARDS; shard++) {
        const i = coordinators.findIndex((c) => c.owns(shard));
        if (i >= 0) map.set(shard, names[i]!);
      }
      return map;
    },
  };
}

const settled = { timeout: 15_000, interval: 50 } as const;

describe("shardOf and shardOwner", () => {
  it("are stable and spread experiments and shards over every member", () => {
    expect(shardOf("default", "exp-1", 16)).toBe(shardOf("default", "exp-1", 16));
    const counts = new Array(16).fill(0) as number[];
    for (let i = 0; i < 3_200; i++) counts[shardOf("team", `exp-${i}`, 16)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(100);
    const members = ["a", "b", "c"];
    const owners = Array.from({ length: 64 }, (_, s) => shardOwner(s, members));
    for (const m of members) expect(owners.filter((o) => o === m).length).toBeGreaterThan(10);
    // Removing a member moves only the shards it owned.
    const without = Array.from({ length: 64 }, (_, s) => shardOwner(s, ["a", "c"]));
    owners.forEach((owner, s) => {
      if (owner !== "b") expect(without[s]).toBe(owner);
    });
  });
});

describe("ShardCoordinator on the API server's Leases", () => {
  it("shares the shards among the live replicas, each shard held by exactly the one rendezvous hashing names", async () => {
    const group = replicas(["replica-a", "replica-b", "replica-c"]);
    group.start();
    await vi.waitFor(() => expect(group.owners().size).toBe(SHARDS), settled);
    await vi.waitFor(() => {
      for (const [shard, owner] of group.owners()) expect(owner).toBe(shardOwner(shard, ["replica-a", "replica-b", "replica-c"]));
    }, settled);
    for (const c of group.coordinators) expect(c.ownedShards().length).toBeGreaterThan(0);
    group.close();
    expect(group.overlaps).toEqual([]);
  });

  it("moves a crashed replica's shards to the others once its Leases expire, and never lets two hold one", async () => {
    const group = replicas(["replica-a", "replica-b", "replica-c"]);
    group.start();
    await vi.waitFor(() => expect(group.owners().size).toBe(SHARDS), settled);
    const [a, b, c] = group.coordinators;
    await vi.waitFor(() => expect(b!.ownedShards().length).toBeGreaterThan(0), settled);
    const orphaned = b!.ownedShards();
    // A crash: no release, its Leases just stop being renewed.
    const crashedAt = Date.now();
    await b!.stop({ release: false });
    await vi.waitFor(() => {
      for (const shard of orphaned) expect(a!.owns(shard) || c!.owns(shard)).toBe(true);
    }, settled);
    const movedAfter = Date.now() - crashedAt;
    // Not before the crashed replica's last renewal could have expired.
    expect(movedAfter).toBeGreaterThanOrEqual(TIMING.leaseDurationMs - TIMING.retryPeriodMs * 2);
    for (const [shard, owner] of group.owners()) expect(owner).toBe(shardOwner(shard, ["replica-a", "replica-c"]));
    group.close();
    expect(group.overlaps).toEqual([]);
  });

  it("hands shards over at once on a graceful stop, after the releasing callback settled", async () => {
    const group = replicas(["replica-a", "replica-b"]);
    group.start();
    await vi.waitFor(() => expect(group.owners().size).toBe(SHARDS), settled);
    const [a, b] = group.coordinators;
    const held = b!.ownedShards();
    expect(held.length).toBeGreaterThan(0);
    await b!.stop();
    await vi.waitFor(() => {
      for (const shard of held) expect(a!.owns(shard)).toBe(true);
    }, { timeout: TIMING.leaseDurationMs, interval: 20 });
    group.close();
    expect(group.overlaps).toEqual([]);
  });

  it("gives a new replica its share: the old owner stops, waits for its work, then releases", async () => {
    const name = `shards-${++group}`;
    const inFlight = new Set<number>();
    const releasing: number[] = [];
    const violations: string[] = [];
    const a = new ShardCoordinator(clients, {
      namespace: "iter8-system",
      group: name,
      identity: "replica-a",
      shards: SHARDS,
      ...TIMING,
      onReleasing: async (shard) => {
        releasing.push(shard);
        // While the callback runs the shard is already not a's: no new work starts on it.
        if (a.owns(shard)) violations.push(`replica-a still owned shard ${shard} while releasing it`);
        inFlight.add(shard);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight.delete(shard);
      },
    });
    const b = new ShardCoordinator(clients, { namespace: "iter8-system", group: name, identity: "replica-b", shards: SHARDS, ...TIMING, onAcquired: (shard) => {
        if (inFlight.has(shard)) violations.push(`replica-b acquired shard ${shard} while replica-a's work on it was still running`);
      },
    });
    running.push(a, b);
    a.start();
    await vi.waitFor(() => expect(a.ownedShards().length).toBe(SHARDS), settled);
    b.start();
    const bShare = Array.from({ length: SHARDS }, (_, s) => s).filter((s) => shardOwner(s, ["replica-a", "replica-b"]) === "replica-b");
    await vi.waitFor(() => expect(b.ownedShards()).toEqual(bShare), settled);
    expect([...releasing].sort((x, y) => x - y)).toEqual(bShare);
    expect(violations).toEqual([]);
  });

  it("says a shard is acquired again when a slow round let its ownership lapse, so the work turned away meanwhile is picked up", async () => {
    const name = `shards-${++group}`;
    const acquired = new Map<number, number>();
    const lost: number[] = [];
    const a = new ShardCoordinator(clients, {
      namespace: "iter8-system",
      group: name,
      identity: "replica-a",
      shards: 2,
      ...TIMING,
      onAcquired: (shard) => acquired.set(shard, (acquired.get(shard) ?? 0) + 1),
      onLost: (shard) => lost.push(shard),
    });
    running.push(a);
    a.start();
    await vi.waitFor(() => expect(a.ownedShards()).toEqual([0, 1]), settled);
    // Reading the Leases takes longer than the renew deadline leaves after the member renewal: each
    // request answers in time, but the shards are renewed too late to stay owned throughout.
    const slow = server.faults.add({ verbs: ["list"], resources: ["leases"], latencyMs: TIMING.renewDeadlineMs - 100, times: 2 });
    await vi.waitFor(() => expect(slow.triggered).toBe(2), settled);
    await vi.waitFor(() => expect(a.ownedShards()).toEqual([0, 1]), settled);
    expect(lost).toEqual([]);
    expect(acquired.get(0)).toBeGreaterThanOrEqual(2);
    expect(acquired.get(1)).toBeGreaterThanOrEqual(2);
  });

  it("stops owning every shard when its renewals fail for the renew deadline, before anyone may take them", async () => {
    const group = replicas(["replica-a", "replica-b"]);
    group.start();
    await vi.waitFor(() => expect(group.owners().size).toBe(SHARDS), settled);
    // The API server refuses every Lease write for longer than the renew deadline.
    const outage = server.faults.add({ verbs: ["update", "create"], resources: ["leases"], respond: InjectedError.ServiceUnavailable });
    await vi.waitFor(() => expect(group.owners().size).toBe(0), settled);
    outage.remove();
    await vi.waitFor(() => expect(group.owners().size).toBe(SHARDS), settled);
    group.close();
    expect(group.overlaps).toEqual([]);
  });
});
