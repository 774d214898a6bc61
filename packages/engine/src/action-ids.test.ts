import { describe, expect, it } from "vitest";
import { actionRunId, handlerName } from "./action-ids";

describe("action names", () => {
  it("keeps the original handler names: <namespace>-<name>-<action>[-<loop>]", () => {
    const key = { namespace: "default", name: "myexp" };
    expect(handlerName(key, "start")).toBe("default-myexp-start");
    expect(handlerName(key, "finish")).toBe("default-myexp-finish");
    expect(handlerName(key, "loop", 2)).toBe("default-myexp-loop-2");
  });

  it("makes run ids unique per incarnation, so a re-created experiment never reuses an old run", () => {
    expect(actionRunId("3f9a1c", "loop", 2)).toBe("3f9a1c-loop-2");
    expect(actionRunId("3f9a1c", "finish")).not.toBe(actionRunId("77b0e2", "finish"));
  });
});
