import type { ExperimentStore, StatusWriteResult } from "@iter8ts/engine";
import { describe, expect, it } from "vitest";
import { trackOwnWrites } from "./own-writes";

function storeAnswering(results: StatusWriteResult[]): ExperimentStore {
  return {
    getExperiment: async () => undefined,
    listExperiments: async () => [],
    getMetric: async () => undefined,
    writeStatus: async () => results.shift() ?? { kind: "conflict" },
  };
}

const key = { namespace: "team-a", name: "canary" };

describe("trackOwnWrites", () => {
  it("knows the resourceVersion of the latest own status write of each experiment", async () => {
    const store = trackOwnWrites(storeAnswering([{ kind: "written", resourceVersion: "10" }, { kind: "written", resourceVersion: "12" }]));
    await store.writeStatus(key, {}, "9");
    expect(store.isOwnWrite(key, "10")).toBe(true);
    expect(store.isOwnWrite({ namespace: "team-b", name: "canary" }, "10")).toBe(false);
    await store.writeStatus(key, {}, "11");
    expect(store.isOwnWrite(key, "10")).toBe(false);
    expect(store.isOwnWrite(key, "12")).toBe(true);
    expect(store.isOwnWrite(key, undefined)).toBe(false);
    store.forget(key);
    expect(store.isOwnWrite(key, "12")).toBe(false);
  });

  it("claims nothing after a write that conflicted or found no experiment", async () => {
    const store = trackOwnWrites(storeAnswering([{ kind: "written", resourceVersion: "10" }, { kind: "conflict" }, { kind: "written", resourceVersion: "14" }, { kind: "notFound" }]));
    await store.writeStatus(key, {}, "9");
    await store.writeStatus(key, {}, "9");
    expect(store.isOwnWrite(key, "10")).toBe(false);
    await store.writeStatus(key, {}, "13");
    await store.writeStatus(key, {}, "14");
    expect(store.isOwnWrite(key, "14")).toBe(false);
  });
});
