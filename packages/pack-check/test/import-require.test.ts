// The installed tarballs used as a consumer's plain JavaScript uses them: `import` and
// `require` of every entry point load the matching build and see the same exports, and the parts
// that find files at run time (metrics' jq worker) work from both builds.
import { beforeAll, describe, expect, it } from "vitest";
import { entrySpecifiers, libraryConsumer, packAll, publicPackages, type FreshProject } from "../src/index";

const libraries = publicPackages().filter((p) => p.manifest.exports !== undefined);
const entries = libraries.flatMap((p) => entrySpecifiers(p.manifest));
let project: FreshProject;

beforeAll(async () => {
  project = await libraryConsumer(await packAll());
});

async function printed(args: string[]): Promise<string> {
  const result = await project.node(args);
  expect(result.code, `node ${args.join(" ")} in ${project.dir}:\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

describe.each(entries)("%s", (specifier) => {
  it("loads with import (the .js build) and require (the .cjs build) with the same named exports", async () => {
    const spec = JSON.stringify(specifier);
    const esm = JSON.parse(
      await printed(["--input-type=module", "-e", `const m = await import(${spec}); console.log(JSON.stringify({ file: import.meta.resolve(${spec}), keys: Object.keys(m).sort() }))`]),
    ) as { file: string; keys: string[] };
    const cjs = JSON.parse(await printed(["-e", `const m = require(${spec}); console.log(JSON.stringify({ file: require.resolve(${spec}), keys: Object.keys(m).sort() }))`])) as {
      file: string;
      keys: string[];
    };
    expect(esm.file).toMatch(/\/node_modules\/@iter8ts\/[^/]+\/dist\/[^/]+\.js$/);
    expect(cjs.file).toMatch(/\/node_modules\/@iter8ts\/[^/]+\/dist\/[^/]+\.cjs$/);
    expect(esm.keys.length).toBeGreaterThan(0);
    expect(cjs.keys).toEqual(esm.keys);
  });
});

describe("metrics' jq worker (a spawned process that finds jq-wasm from the package's own location)", () => {
  const program = (load: string) => `
    const { ExpressionPool, JqEvaluator } = ${load};
    const pool = new ExpressionPool({ size: 1 });
    const jq = new JqEvaluator({ pool, fastPath: false });
    const text = JSON.stringify({ data: { result: [{ value: [0, "2.5"] }, { value: [0, "4"] }] } });
    jq.evaluate("[.data.result[].value[1] | tonumber] | add", text, JSON.parse(text))
      .then(async (outcome) => { await pool.close(); console.log(JSON.stringify(outcome)); });`;

  it("runs jq from the ESM build", async () => {
    expect(JSON.parse(await printed(["--input-type=module", "-e", program(`await import("@iter8ts/metrics")`)]))).toEqual({ kind: "number", value: 6.5 });
  });

  it("runs jq from the CommonJS build", async () => {
    expect(JSON.parse(await printed(["-e", program(`require("@iter8ts/metrics")`)]))).toEqual({ kind: "number", value: 6.5 });
  });
});

describe("third-party modules our packages load on first use (createRequire from import.meta.url, shimmed in the CommonJS build)", () => {
  const program = (load: (pkg: string) => string) => `
    (async () => {
      const { readDocuments } = ${load("@iter8ts/types")};
      const { normalQuantile } = ${load("@iter8ts/analytics")};
      const { renderGoTemplate, TemplateDelimiters } = ${load("@iter8ts/tasks")};
      console.log(JSON.stringify({
        yaml: readDocuments("a: 1\\n---\\nb: [2, 3]\\n"),
        jstat: Math.round(normalQuantile(0.975) * 1e4) / 1e4,
        handlebars: await renderGoTemplate("hello {{ .name }}", { name: "canary" }, { name: "the test template", delimiters: TemplateDelimiters.Braces }),
      }));
    })();`;
  const expected = { yaml: { ok: true, value: [{ a: 1 }, { b: [2, 3] }] }, jstat: 1.96, handlebars: "hello canary" };

  it("yaml, jstat and handlebars load from the ESM build", async () => {
    expect(JSON.parse(await printed(["--input-type=module", "-e", program((pkg) => `await import(${JSON.stringify(pkg)})`)]))).toEqual(expected);
  });

  it("yaml, jstat and handlebars load from the CommonJS build", async () => {
    expect(JSON.parse(await printed(["-e", program((pkg) => `require(${JSON.stringify(pkg)})`)]))).toEqual(expected);
  });
});
