import { describe, expect, it } from "vitest";
import { FaultInjector, InjectedError, type FaultTarget } from "./fault-injector";

const update: FaultTarget = { verb: "update", resource: "experiments", subresource: undefined, namespace: "default" };
const statusPatch: FaultTarget = { verb: "patch", resource: "experiments", subresource: "status", namespace: "default" };
const get: FaultTarget = { verb: "get", resource: "experiments", subresource: undefined, namespace: "default" };

describe("fault injector", () => {
  it("fails about the asked share of writes, the same ones for the same seed", () => {
    const run = () => {
      const faults = new FaultInjector(42);
      faults.conflicts(0.3);
      return Array.from({ length: 1000 }, () => faults.decide(update).respond === InjectedError.Conflict);
    };
    const first = run();
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(run()).toEqual(first);
  });

  it("leaves reads alone when only writes are targeted", () => {
    const faults = new FaultInjector();
    faults.conflicts(1);
    expect(faults.decide(get).respond).toBeUndefined();
  });

  it("matches subresources only when named", () => {
    const faults = new FaultInjector();
    const main = faults.add({ resources: ["experiments"], respond: InjectedError.InternalError });
    expect(faults.decide(statusPatch).respond).toBeUndefined();
    main.remove();
    faults.add({ resources: ["experiments/status"], respond: InjectedError.Conflict });
    expect(faults.decide(statusPatch).respond).toBe(InjectedError.Conflict);
    expect(faults.decide(update).respond).toBeUndefined();
  });

  it("retires a rule after `times` and counts what it did", () => {
    const faults = new FaultInjector();
    const rule = faults.add({ times: 2, dropConnection: true, latencyMs: 5 });
    const decisions = [faults.decide(get), faults.decide(get), faults.decide(get)];
    expect(decisions.map((d) => [d.dropConnection, d.latencyMs])).toEqual([
      [true, 5],
      [true, 5],
      [false, 0],
    ]);
    expect(rule.triggered).toBe(2);
  });

  it("filters by namespace", () => {
    const faults = new FaultInjector();
    faults.add({ namespaces: ["other"], respond: InjectedError.ServiceUnavailable });
    expect(faults.decide(update).respond).toBeUndefined();
    expect(faults.decide({ ...update, namespace: "other" }).respond).toBe(InjectedError.ServiceUnavailable);
  });
});
