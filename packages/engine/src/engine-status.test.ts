import { describe, expect, it } from "vitest";
import type { ExperimentStatus } from "@iter8ts/types";
import { readEngineStatus } from "./engine-status";

describe("readEngineStatus", () => {
  it("keeps well-formed engine fields and the Iter8 fields", () => {
    const status = {
      stage: "Running",
      runId: "abc",
      actions: [{ action: "start", handler: "Start", runId: "abc-start", state: "Succeeded", attempts: 1 }],
      retry: { step: "Iteration", attempts: 2, lastError: "x", nextAttemptTime: "2021-11-01T00:00:00Z" },
      decisions: [{ iteration: 1, loop: 1, time: "t", outcome: "Continued", reason: "r" }],
    } as ExperimentStatus;
    expect(readEngineStatus(status)).toEqual(status);
  });

  it("drops hand-edited entries of the wrong shape instead of failing", () => {
    const status = {
      stage: "Running",
      runId: 7,
      actions: [{ action: "start", state: "Exploded" }, "junk", { action: "loop", handler: "Loop", runId: "r", state: "Running" }],
      retry: { step: "Teleport", attempts: 1, nextAttemptTime: "t" },
      decisions: "none",
    } as unknown as ExperimentStatus;
    expect(readEngineStatus(status)).toEqual({
      stage: "Running",
      actions: [{ action: "loop", handler: "Loop", runId: "r", state: "Running", attempts: 0 }],
    });
  });

  it("does not change the stored object", () => {
    const status: ExperimentStatus = { stage: "Waiting" };
    readEngineStatus(status).stage = "Running";
    expect(status.stage).toBe("Waiting");
  });
});

describe("readEngineStatus on a status an API server returned", () => {
  it("keeps the stored key order of nested objects, so an untouched status serialises as read", () => {
    // The API server sorts keys; the schema's order (value, sampleSize, error) differs.
    const stored = JSON.parse(
      '{"decisions":[{"iteration":1,"loop":1,"outcome":"Continued","reason":"r","time":"t","values":{"default/m":{"v1":{"error":"e","sampleSize":3,"value":null}}},"winner":{"found":false}}],"stage":"Running"}',
    ) as ExperimentStatus;
    expect(JSON.stringify(readEngineStatus(stored))).toBe(JSON.stringify(stored));
  });
});
