import type { KubeTestServer } from "@iter8ts/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eventually, impatientClients, startCluster } from "../test/support";
import { LeaderElector, microTime, type LeaderElectorOptions } from "./leader-elector";

let server: KubeTestServer;
const electors: LeaderElector[] = [];

beforeAll(async () => {
  ({ server } = await startCluster({ namespaces: ["default", "iter8-system"] }));
});

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop({ release: false })));
});

afterAll(async () => {
  await server.close();
});

interface Observed {
  started: number;
  stopped: number;
}

function elector(identity: string, name: string, extra: Partial<LeaderElectorOptions> = {}) {
  const observed: Observed = { started: 0, stopped: 0 };
  const e = new LeaderElector(impatientClients(server), {
    namespace: "iter8-system",
    name,
    identity,
    leaseDurationMs: 1_000,
    renewDeadlineMs: 600,
    retryPeriodMs: 100,
    onStartedLeading: () => observed.started++,
    onStoppedLeading: () => observed.stopped++,
    ...extra,
  });
  electors.push(e);
  e.start();
  return { e, observed };
}

function lease(name: string) {
  return server.get("coordination.k8s.io/v1", "Lease", name, "iter8-system").spec as {
    holderIdentity?: string;
    leaseDurationSeconds: number;
    leaseTransitions: number;
    renewTime: string;
    acquireTime: string;
  };
}

describe("LeaderElector", () => {
  it("formats MicroTime with six fractional digits", () => {
    expect(microTime(new Date("2024-05-01T10:00:00.123Z"))).toBe("2024-05-01T10:00:00.123000Z");
  });

  it("lets exactly one of two replicas lead, and keeps it leading while it renews", async () => {
    // Generous timings: a loaded machine must not make the leader miss its renewals.
    const timings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };
    const a = elector("replica-a", "one-leader", timings);
    const b = elector("replica-b", "one-leader", timings);
    const leaders = () => [a, b].filter((x) => x.e.isLeader).map((x) => x.e);
    await vi.waitFor(() => expect(leaders()).toHaveLength(1), eventually);
    const leader = leaders()[0]!;
    const firstRenew = lease("one-leader").renewTime;
    // For a while the leader renews and the other never takes over.
    for (let i = 0; i < 15; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(leaders()).toEqual([leader]);
    }
    const spec = lease("one-leader");
    expect(spec.holderIdentity).toBe(leader === a.e ? "replica-a" : "replica-b");
    expect(spec.leaseDurationSeconds).toBe(3);
    expect(spec.leaseTransitions).toBe(0);
    expect(spec.renewTime > firstRenew).toBe(true);
    expect(a.e.leader).toBe(spec.holderIdentity);
    expect(b.e.leader).toBe(spec.holderIdentity);
    expect(a.observed.started + b.observed.started).toBe(1);
  });

  it("lets the other replica take over once a leader that stopped renewing lets the lease expire", async () => {
    const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 100 };
    const a = elector("replica-a", "takeover", timings);
    await vi.waitFor(() => expect(a.e.isLeader).toBe(true), eventually);
    const b = elector("replica-b", "takeover", timings);
    // b sees a current holder and waits.
    await vi.waitFor(() => expect(b.e.leader).toBe("replica-a"), eventually);
    expect(b.e.isLeader).toBe(false);
    await a.e.stop({ release: false });
    expect(lease("takeover").holderIdentity).toBe("replica-a");
    await vi.waitFor(() => expect(b.e.isLeader).toBe(true), eventually);
    expect(lease("takeover")).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
    expect(b.observed.started).toBe(1);
  });

  it("releases the lease on stop, so the other replica takes over without waiting", async () => {
    const a = elector("replica-a", "release", { leaseDurationMs: 60_000, renewDeadlineMs: 30_000 });
    await vi.waitFor(() => expect(a.e.isLeader).toBe(true), eventually);
    const b = elector("replica-b", "release", { leaseDurationMs: 60_000, renewDeadlineMs: 30_000 });
    await vi.waitFor(() => expect(b.e.leader).toBe("replica-a"), eventually);
    await a.e.stop();
    expect(a.observed.stopped).toBe(1);
    expect(lease("release").holderIdentity).toBeUndefined();
    // A 60 s lease: only the release explains a takeover within the test's patience.
    await vi.waitFor(() => expect(b.e.isLeader).toBe(true), eventually);
    expect(lease("release")).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
  });

  it("steps down when it cannot renew, and leads again once the API server is back", async () => {
    const signals: AbortSignal[] = [];
    const a = elector("replica-a", "outage", { onStartedLeading: (signal) => signals.push(signal) });
    await vi.waitFor(() => expect(a.e.isLeader).toBe(true), eventually);
    await server.stop();
    await vi.waitFor(() => expect(a.e.isLeader).toBe(false), eventually);
    expect(a.observed.stopped).toBe(1);
    expect(signals[0]?.aborted).toBe(true);
    await server.resume();
    await vi.waitFor(() => expect(a.e.isLeader).toBe(true), eventually);
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
  });

  it("refuses settings under which two replicas could lead at once", () => {
    expect(() => new LeaderElector(impatientClients(server), { namespace: "x", identity: "a", leaseDurationMs: 1_000, renewDeadlineMs: 1_000 })).toThrow(/renewDeadlineMs/);
  });
});
