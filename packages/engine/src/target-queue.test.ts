import { describe, expect, it } from "vitest";
import type { Experiment } from "@iter8ts/types";
import { compareQueueOrder, contendersFor, decideTarget, nextInQueue } from "./target-queue";

function exp(
  name: string,
  opts: { init?: string; created?: string; held?: boolean; stage?: "Waiting" | "Running"; completed?: boolean; target?: string; namespace?: string } = {},
): Experiment {
  const e: Experiment = {
    apiVersion: "iter8.tools/v2alpha2",
    kind: "Experiment",
    metadata: { name, namespace: opts.namespace ?? "default", creationTimestamp: opts.created ?? "2021-11-01T00:00:00Z" },
    spec: { target: opts.target ?? "app", strategy: { testingPattern: "Canary" } },
  };
  if (opts.init !== undefined) {
    e.status = {
      initTime: opts.init,
      stage: opts.stage ?? "Waiting",
      conditions: [
        { type: "Completed", status: opts.completed ? "True" : "False" },
        { type: "TargetAcquired", status: opts.held ? "True" : "False" },
      ],
    };
  }
  return e;
}

const T0 = "2021-11-01T10:00:00Z";
const T1 = "2021-11-01T10:00:01Z";

describe("queue order", () => {
  it("orders by init time, then creation time, then namespace/name", () => {
    const list = [
      exp("c", { init: T1 }),
      exp("b", { init: T0, created: "2021-11-01T00:00:05Z" }),
      exp("z", { init: T0, created: "2021-11-01T00:00:01Z" }),
      exp("a", { init: T0, created: "2021-11-01T00:00:05Z", namespace: "prod" }),
      exp("a", { init: T0, created: "2021-11-01T00:00:05Z", namespace: "dev" }),
    ].sort(compareQueueOrder);
    expect(list.map((e) => `${e.metadata.namespace}/${e.metadata.name}`)).toEqual(["default/z", "default/b", "dev/a", "prod/a", "default/c"]);
  });

  it("counts only initialised, unfinished experiments on the same target", () => {
    const list = [exp("new"), exp("done", { init: T0, completed: true }), exp("other", { init: T0, target: "x" }), exp("live", { init: T1 })];
    expect(contendersFor("app", list).map((e) => e.metadata.name)).toEqual(["live"]);
  });
});

describe("decideTarget", () => {
  it("takes a free target only when nobody is ahead", () => {
    const first = exp("first", { init: T0 });
    const second = exp("second", { init: T1 });
    expect(decideTarget(first, [first, second])).toEqual({ kind: "acquire" });
    expect(decideTarget(second, [first, second])).toEqual({ kind: "wait", ahead: 1 });
  });

  it("gives the same answer to both of two experiments initialised in the same second: only one goes", () => {
    const a = exp("a", { init: T0 });
    const b = exp("b", { init: T0 });
    const answers = [decideTarget(a, [a, b]), decideTarget(b, [a, b])].map((d) => d?.kind);
    expect(answers).toEqual(["acquire", "wait"]);
  });

  it("waits behind a holder even if it came first itself", () => {
    const early = exp("early", { init: T0 });
    const holder = exp("holder", { init: T1, held: true, stage: "Running" });
    expect(decideTarget(early, [early, holder])).toEqual({ kind: "wait", holder: { namespace: "default", name: "holder" }, ahead: 0 });
  });

  it("makes a Waiting holder step back for a holder that is running or ahead, never the other way", () => {
    const running = exp("running", { init: T1, held: true, stage: "Running" });
    const late = exp("late", { init: T0, held: true });
    expect(decideTarget(late, [late, running])).toEqual({ kind: "release", holder: { namespace: "default", name: "running" } });
    expect(decideTarget(running, [late, running])).toBeUndefined();
    const a = exp("a", { init: T0, held: true });
    const b = exp("b", { init: T0, held: true });
    expect(decideTarget(b, [a, b])?.kind).toBe("release");
    expect(decideTarget(a, [a, b])).toBeUndefined();
  });
});

describe("nextInQueue", () => {
  it("names the first waiting experiment of each free target", () => {
    const list = [
      exp("finished", { init: T0, held: true, stage: "Running" }),
      exp("next", { init: T1 }),
      exp("later", { init: "2021-11-01T10:00:02Z" }),
      exp("busy-holder", { init: T0, held: true, stage: "Running", target: "busy" }),
      exp("busy-waiter", { init: T1, target: "busy" }),
    ];
    expect(nextInQueue(["app", "busy"], list, { namespace: "default", name: "finished" })).toEqual([{ namespace: "default", name: "next" }]);
  });
});
