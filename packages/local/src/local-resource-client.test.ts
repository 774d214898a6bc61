import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExperimentSchema } from "@iter8ts/types";
import { ResourceWeightWriter } from "@iter8ts/weights";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { experimentFolder, experimentYaml, ROUTING_SHAPES, type RoutingShape } from "./__fixtures__/local-files";
import { diskDocumentFiles } from "./document-files";
import { LocalDocuments } from "./local-documents";
import { LocalResourceClient } from "./local-resource-client";

async function clientOver(dir: string): Promise<LocalResourceClient> {
  return new LocalResourceClient(await LocalDocuments.open(diskDocumentFiles, [join(dir, "routing.yaml")]));
}

function weightsIn(text: string, shape: RoutingShape): number[] {
  const doc = parse(text) as { spec: Record<string, unknown> };
  if (shape === "VirtualService") return (doc.spec.http as { route: { weight: number }[] }[])[0]!.route.map((r) => r.weight);
  if (shape === "KnativeService") return (doc.spec.traffic as { percent: number }[]).map((t) => t.percent);
  return (doc.spec.predictors as { traffic: number }[]).map((p) => p.traffic);
}

describe("LocalResourceClient", () => {
  it.each(Object.keys(ROUTING_SHAPES) as RoutingShape[])("writes weight patches into a %s on disk at the weightObjRef's fieldPath", async (shape) => {
    const dir = await experimentFolder({ shape });
    const writer = new ResourceWeightWriter(await clientOver(dir));
    const experiment = ExperimentSchema.parse(parse(experimentYaml({ shape })));
    expect(await writer.observe(experiment)).toEqual([
      { name: "cart-v1", value: 100 },
      { name: "cart-v2", value: 0 },
    ]);
    await writer.apply(experiment, [
      { name: "cart-v1", value: 70 },
      { name: "cart-v2", value: 30 },
    ]);
    const text = await readFile(join(dir, "routing.yaml"), "utf8");
    expect(weightsIn(text, shape)).toEqual([70, 30]);
    // Only the weights changed: the rest of the document reads as it did.
    expect(text.replace(/(weight|percent|traffic): \d+/g, "$1: N")).toBe(ROUTING_SHAPES[shape].text.replace(/(weight|percent|traffic): \d+/g, "$1: N"));
    expect(await writer.observe(experiment)).toEqual([
      { name: "cart-v1", value: 70 },
      { name: "cart-v2", value: 30 },
    ]);
  });

  it("rejects a patch planned from a version the file no longer has as a conflict, and changes nothing", async () => {
    const dir = await experimentFolder();
    const client = await clientOver(dir);
    const key = { apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", namespace: "shop", name: "cart" };
    const seen = await client.get(key);
    const edited = ROUTING_SHAPES.VirtualService.text.replace("host: cart-v2", "host: cart-v2-fixed");
    await writeFile(join(dir, "routing.yaml"), edited);
    const patch = [
      { op: "test" as const, path: "/metadata/resourceVersion", value: seen.metadata.resourceVersion },
      { op: "replace" as const, path: "/spec/http/0/route/1/weight", value: 50 },
    ];
    await expect(client.patch(key, patch)).rejects.toMatchObject({ code: "conflict" });
    expect(await readFile(join(dir, "routing.yaml"), "utf8")).toBe(edited);
  });

  it("keeps metadata.resourceVersion as the file had it (absent here) after a patch", async () => {
    const dir = await experimentFolder();
    const client = await clientOver(dir);
    const key = { kind: "VirtualService", namespace: "shop", name: "cart" };
    const patched = await client.patch(key, [{ op: "replace", path: "/spec/http/0/route/1/weight", value: 5 }]);
    expect(patched.metadata.resourceVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(await readFile(join(dir, "routing.yaml"), "utf8")).not.toContain("resourceVersion");
  });

  it("says which object is missing and how to add it", async () => {
    const client = await clientOver(await experimentFolder());
    await expect(client.get({ kind: "VirtualService", namespace: "shop", name: "checkout" })).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringMatching(/VirtualService shop\/checkout is not among the documents \(.*routing\.yaml\); add the file that defines it/),
    });
  });

  it("lists objects by kind, namespace and labels", async () => {
    const dir = await experimentFolder({}, {});
    await writeFile(
      join(dir, "routing.yaml"),
      `${ROUTING_SHAPES.VirtualService.text}---\napiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: other\n  namespace: shop\n  labels:\n    app: other\n`,
    );
    const client = await clientOver(dir);
    expect((await client.list({ kind: "VirtualService", namespace: "shop" })).items.map((o) => o.metadata.name)).toEqual(["cart", "other"]);
    expect((await client.list({ kind: "VirtualService", labelSelector: "app=other" })).items.map((o) => o.metadata.name)).toEqual(["other"]);
    expect((await client.list({ kind: "VirtualService", labelSelector: "app!=other" })).items.map((o) => o.metadata.name)).toEqual(["cart"]);
    expect((await client.list({ kind: "VirtualService", labelSelector: "app in (other, shop)" })).items.map((o) => o.metadata.name)).toEqual(["other"]);
    await expect(client.list({ kind: "VirtualService", labelSelector: "app in ()" })).rejects.toMatchObject({ name: "ResourceError", code: "invalid" });
    expect((await client.list({ kind: "VirtualService", namespace: "default" })).items).toEqual([]);
  });
});
