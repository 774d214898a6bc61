import { describe, expect, it } from "vitest";
import { readFieldPath } from "@iter8ts/resources";
import { loadSample } from "./load-sample";
import { routeWeights } from "./route-weights";

const istio = loadSample("istio");

describe("routeWeights", () => {
  it("writes the weights at the fields the weightObjRefs name, in version order, on copies", () => {
    const routed = routeWeights(istio.objects, istio.experiment, [70, 30]);
    const routing = routed?.objects.find((o) => o.kind === "VirtualService");
    expect(readFieldPath(routing, [..."spec.http".split("."), 0, "route", 0, "weight"])).toEqual({ found: true, value: 70 });
    expect(readFieldPath(routing, [..."spec.http".split("."), 0, "route", 1, "weight"])).toEqual({ found: true, value: 30 });
    expect(routed?.cannotSplit).toBe(false);
    expect(istio.objects.find((o) => o.kind === "VirtualService")).not.toBe(routing);
  });

  it("tells the weights that cannot be a split: a sum other than 100 when every version is referenced, a negative weight", () => {
    expect(routeWeights(istio.objects, istio.experiment, [70, 70])?.cannotSplit).toBe(true);
    expect(routeWeights(istio.objects, istio.experiment, [0, 0])?.cannotSplit).toBe(true);
    expect(routeWeights(istio.objects, istio.experiment, [-10, 110])?.cannotSplit).toBe(true);
    const oneReference = structuredClone(istio.experiment);
    delete oneReference.spec.versionInfo!.baseline.weightObjRef;
    expect(routeWeights(istio.objects, oneReference, [70])?.cannotSplit).toBe(false);
    expect(routeWeights(istio.objects, oneReference, [101])?.cannotSplit).toBe(true);
  });

  it("says nothing when a reference cannot be followed", () => {
    const broken = structuredClone(istio.experiment);
    broken.spec.versionInfo!.baseline.weightObjRef!.fieldPath = ".spec.nothing[3].weight";
    expect(routeWeights(istio.objects, broken, [70, 70])).toBeUndefined();
    broken.spec.versionInfo!.baseline.weightObjRef!.fieldPath = "spec";
    expect(routeWeights(istio.objects, broken, [70, 70])).toBeUndefined();
  });
});
