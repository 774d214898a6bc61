// A consumer that already uses zod shares its copy with our packages: zod is a peer dependency
// with a caret range, so npm installs it once, where exact pins used to nest two more copies
// (issue 17: a 12 MB install became 26 MB).
import { beforeAll, expect, it } from "vitest";
import { freshProject, packAll, type PackedSet } from "../src/index";

let packed: PackedSet;
beforeAll(async () => {
  packed = await packAll();
});

it("installs one zod for a consumer with its own zod and @iter8ts/analytics, and the consumer's schemas and ours work together", async () => {
  const range = packed.get("@iter8ts/analytics").manifest.peerDependencies?.zod;
  expect(range, "@iter8ts/analytics must take zod as a peer dependency").toMatch(/^\^4\.\d+\.\d+$/);
  const floor = range!.slice(1);
  const project = await freshProject({ packed, install: ["@iter8ts/analytics"], registry: { zod: floor }, label: "own-zod" });
  const copies = Object.entries(project.lockedPackages()).filter(([path]) => /(^|\/)node_modules\/zod$/.test(path));
  expect(copies.map(([path, entry]) => `${path}@${entry.version}`)).toEqual([`node_modules/zod@${floor}`]);
  // The consumer's zod object and the one @iter8ts/types uses are the same module.
  const script = `
    const { z } = await import("zod");
    const { ExperimentSchema } = await import("@iter8ts/types");
    const Wrapped = z.object({ experiment: ExperimentSchema });
    console.log(ExperimentSchema instanceof z.ZodType, typeof Wrapped.safeParse({}).success);`;
  const ran = await project.node(["--input-type=module", "-e", script]);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stdout.trim()).toBe("true boolean");
});
