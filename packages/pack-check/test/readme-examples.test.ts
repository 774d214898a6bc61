// The README examples run against the installed tarballs, from an ES module and from a CommonJS
// script, and every value a README documents (`expr; // => value`) is what the code gives.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { libraryConsumer, packAll, publicPackages, readmeSnippet, runnableSnippet, type FreshProject } from "../src/index";

/** Public packages whose README example documents values; analytics' must (its Canary example). */
const examples = publicPackages()
  .filter((p) => p.manifest.exports !== undefined)
  .map((p) => {
    try {
      return { name: p.name, snippet: readmeSnippet(join(p.dir, "README.md"), "## Example") };
    } catch {
      return undefined; // no "## Example" with a ts block: nothing documented to compare
    }
  })
  .filter((e) => e !== undefined && e.snippet.documented.length > 0) as { name: string; snippet: ReturnType<typeof readmeSnippet> }[];

let project: FreshProject;
beforeAll(async () => {
  project = await libraryConsumer(await packAll());
});

it("the analytics README documents its Canary example's results", () => {
  const analytics = examples.find((e) => e.name === "@iter8ts/analytics");
  expect(analytics, "packages/analytics/README.md ## Example must document values with `expr; // => value`").toBeDefined();
  expect(analytics!.snippet.documented.map((d) => d.expression)).toEqual(
    expect.arrayContaining(["analysis.versionAssessments.data", "analysis.winnerAssessment.data", "analysis.weights.data"]),
  );
});

describe.each(examples.map((e) => [e.name, e] as const))("%s README example", (name, { snippet }) => {
  for (const format of ["esm", "cjs"] as const) {
    it(`gives the documented values when run as ${format === "esm" ? "an ES module" : "CommonJS"} against the installed tarball`, async () => {
      const dir = project.subproject(`readme-${name.split("/")[1]}-${format}`, { type: format === "esm" ? "module" : "commonjs" });
      writeFileSync(join(dir, "example.js"), runnableSnippet(snippet, format));
      const ran = await project.node(["example.js"], dir);
      expect(ran.code, `${snippet.file}:${snippet.line} run as ${format} in ${dir}:\n${ran.stdout}${ran.stderr}`).toBe(0);
      const seen = ran.stdout
        .split("\n")
        .filter((l) => l.startsWith("__DOC__"))
        .map((l) => JSON.parse(l.slice("__DOC__".length)) as { line: number; actual: unknown; documented: unknown });
      expect(seen.map((s) => s.line)).toEqual(snippet.documented.map((d) => d.line));
      for (const s of seen) expect(s.actual, `${snippet.file}:${s.line}`).toEqual(s.documented);
    });
  }
});
