import { applyJsonPatch } from "@iter8ts/resources";
import { describe, expect, it } from "vitest";
import { statusPatch } from "./status-patch";

const wrap = (status: object) => ({ status: structuredClone(status) });

describe("statusPatch", () => {
  it("sends a history that dropped its oldest entry and gained one as a remove and an add, never the kept entries", () => {
    const previous = { stage: "Running", completedIterations: 2, decisions: [{ iteration: 1 }, { iteration: 2 }], analysis: { a: 1 } };
    const next = { stage: "Running", completedIterations: 3, decisions: [{ iteration: 2 }, { iteration: 3 }], analysis: { a: 2 }, message: "m" };
    const operations = statusPatch(previous, next);
    expect(operations).toEqual([
      { op: "replace", path: "/status/completedIterations", value: 3 },
      { op: "remove", path: "/status/decisions/0" },
      { op: "add", path: "/status/decisions/-", value: { iteration: 3 } },
      { op: "replace", path: "/status/analysis", value: { a: 2 } },
      { op: "add", path: "/status/message", value: "m" },
    ]);
    expect(applyJsonPatch(wrap(previous), operations)).toEqual(wrap(next));
  });

  it("removes dropped fields, replaces an array that changed in the middle, and sends nothing for an equal status", () => {
    const previous = { retry: { attempts: 1 }, decisions: [{ iteration: 1 }, { iteration: 2 }], "a/b~c": 1 };
    const next = { decisions: [{ iteration: 1 }, { iteration: 5 }], "a/b~c": 2 };
    const operations = statusPatch(previous, next);
    expect(operations).toEqual([
      { op: "replace", path: "/status/decisions", value: [{ iteration: 1 }, { iteration: 5 }] },
      { op: "replace", path: "/status/a~1b~0c", value: 2 },
      { op: "remove", path: "/status/retry" },
    ]);
    expect(applyJsonPatch(wrap(previous), operations)).toEqual(wrap(next));
    expect(statusPatch(next, structuredClone(next))).toEqual([]);
  });
});
