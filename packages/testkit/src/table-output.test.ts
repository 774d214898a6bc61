import { describe, expect, it } from "vitest";
import { builtinResourceTypes } from "./builtin-resources";
import { defaultCustomResourceDefinitions, resourceTypesFromCrd } from "./custom-resources";
import { humanDuration, tableRequested, toTable } from "./table-output";

const now = new Date("2024-05-01T12:00:00Z");
const created = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("Table output", () => {
  it("prints ages like apimachinery's HumanDuration", () => {
    expect([5, 119, 125, 600, 3 * 3600, 5 * 3600 + 60, 30 * 3600, 3 * 86400 + 3600, 400 * 86400, 3 * 365 * 86400 + 86400].map((s) => humanDuration(s * 1000))).toEqual([
      "5s",
      "119s",
      "2m5s",
      "10m",
      "3h",
      "5h1m",
      "30h",
      "3d1h",
      "400d",
      "3y1d",
    ]);
    expect(humanDuration(-5000)).toBe("<invalid>");
  });

  it("answers Table only to clients that ask for it", () => {
    expect(tableRequested("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")).toBe("v1");
    expect(tableRequested("application/json")).toBeUndefined();
    expect(tableRequested(undefined)).toBeUndefined();
  });

  it("uses a CRD's printer columns, typed, and the objects' metadata as rows' objects", () => {
    const crd = defaultCustomResourceDefinitions().find((c) => (c.metadata as { name: string }).name === "experiments.iter8.tools");
    const [type] = resourceTypesFromCrd(crd ?? {}, () => undefined);
    const exp = {
      apiVersion: "iter8.tools/v2alpha2",
      kind: "Experiment",
      metadata: { name: "e", namespace: "default", creationTimestamp: created(30) },
      spec: { target: "default/app", strategy: { testingPattern: "Canary" } },
      status: { stage: "Running", completedIterations: 3 },
    };
    const table = toTable(type!, [exp], { resourceVersion: "7" }, { version: "v1", include: "PartialObjectMetadata", now });
    expect((table.columnDefinitions as { name: string; type: string }[]).map((c) => [c.name, c.type])).toEqual([
      ["Name", "string"],
      ["type", "string"],
      ["target", "string"],
      ["stage", "string"],
      ["completed iterations", "integer"],
      ["message", "string"],
    ]);
    expect(table.rows).toEqual([{ cells: ["e", "Canary", "default/app", "Running", 3, null], object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: exp.metadata } }]);
  });

  it("prints the built-in kinds' columns, Age for a CRD without printer columns", () => {
    const configMaps = builtinResourceTypes().find((t) => t.kind === "ConfigMap");
    const cm = { metadata: { name: "c", creationTimestamp: created(150) }, data: { a: "1" }, binaryData: { b: "AA==" } };
    expect(toTable(configMaps!, [cm], {}, { version: "v1", include: "None", now }).rows).toEqual([{ cells: ["c", 2, "2m30s"] }]);
    const vs = defaultCustomResourceDefinitions().find((c) => (c.metadata as { name: string }).name === "virtualservices.networking.istio.io");
    const [vsType] = resourceTypesFromCrd(vs ?? {}, () => undefined);
    const table = toTable(vsType!, [{ metadata: { name: "r", creationTimestamp: created(45) } }], {}, { version: "v1", include: "None", now, noHeaders: true });
    expect(table.columnDefinitions).toBeNull();
    expect(table.rows).toEqual([{ cells: ["r", "45s"] }]);
  });
});
