// The installed tarballs used from TypeScript, in the four module settings consumers have:
// nodenext in an ESM project and in a CommonJS project, bundler, and node10. Every runtime export
// of every entry point must be declared (the consumer imports each by name), the declarations
// must be real types rather than `any`, and the emitted JavaScript must run: nodenext approving a
// require that then fails at run time is the bug this guards against.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { entrySpecifiers, libraryConsumer, packAll, publicPackages, type FreshProject } from "../src/index";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const libraries = publicPackages().filter((p) => p.manifest.exports !== undefined);
let project: FreshProject;
/** Runtime export names of every entry point, as the installed ESM build has them. */
let exportsOf: Record<string, string[]>;

beforeAll(async () => {
  project = await libraryConsumer(await packAll());
  const specs = JSON.stringify(libraries.flatMap((p) => entrySpecifiers(p.manifest)));
  const listed = await project.node(["--input-type=module", "-e", `const out = {}; for (const s of ${specs}) out[s] = Object.keys(await import(s)); console.log(JSON.stringify(out));`]);
  expect(listed.code, listed.stderr).toBe(0);
  exportsOf = JSON.parse(listed.stdout) as Record<string, string[]>;
});

/**
 * A consumer that imports every runtime export of the given entry points by name, checks one of
 * each is typed (a `@ts-expect-error` that fails when the declarations are `any`), and prints how
 * many entry points it loaded.
 */
function consumerSource(specifiers: readonly string[]): string {
  const lines: string[] = [];
  const uses: string[] = [];
  specifiers.forEach((spec, i) => {
    const names = exportsOf[spec] ?? [];
    expect(names.length, `${spec} has no runtime exports`).toBeGreaterThan(0);
    lines.push(`import { ${names.map((n) => `${n} as e${i}_${n}`).join(", ")} } from ${JSON.stringify(spec)};`);
    lines.push(`// @ts-expect-error: a typed export is not a symbol (no error here means ${spec}'s types are missing or any)`);
    lines.push(`export const probe${i}: symbol = e${i}_${names[0]};`);
    uses.push(`[${names.map((n) => `typeof e${i}_${n}`).join(", ")}].length`);
  });
  lines.push(`const loaded: number[] = [${uses.join(", ")}];`);
  lines.push(`console.log(loaded.length);`);
  return lines.join("\n") + "\n";
}

interface Mode {
  name: string;
  packageType: "module" | "commonjs";
  compilerOptions: Record<string, unknown>;
  /** node10 ignores exports maps: only the main entry points are reachable. */
  mainEntriesOnly?: boolean;
  /** Emit and run the output with Node. */
  run: boolean;
}

const MODES: Mode[] = [
  { name: "nodenext, ESM project", packageType: "module", compilerOptions: { module: "nodenext", moduleResolution: "nodenext" }, run: true },
  { name: "nodenext, CommonJS project", packageType: "commonjs", compilerOptions: { module: "nodenext", moduleResolution: "nodenext" }, run: true },
  { name: "bundler", packageType: "module", compilerOptions: { module: "esnext", moduleResolution: "bundler", noEmit: true }, run: false },
  { name: "node10", packageType: "commonjs", compilerOptions: { module: "commonjs", moduleResolution: "node10" }, mainEntriesOnly: true, run: true },
];

describe.each(MODES.map((m) => [m.name, m] as const))("TypeScript, %s", (name, mode) => {
  it("type-checks an import of every runtime export and the emitted code runs", async () => {
    const specifiers = libraries.flatMap((p) => (mode.mainEntriesOnly ? [p.name] : entrySpecifiers(p.manifest)));
    const dir = project.subproject(`ts-${name.replace(/[^a-z0-9]+/gi, "-")}`, { type: mode.packageType });
    writeFileSync(join(dir, "consumer.ts"), consumerSource(specifiers));
    const tsconfig = {
      // esModuleInterop as `tsc --init` sets it (zod's CommonJS declarations need it under node10);
      // skipLibCheck off, so our declarations are checked too.
      compilerOptions: { target: "es2022", strict: true, esModuleInterop: true, skipLibCheck: false, types: ["node"], outDir: "out", rootDir: ".", ...mode.compilerOptions },
      files: ["consumer.ts"],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    const checked = await project.node([tsc, "-p", "tsconfig.json"], dir);
    // Errors in the consumer or in our declarations fail; errors inside third-party declarations
    // (client-node's isomorphic-ws wants @types/ws) are the consumer's to silence with
    // skipLibCheck, as most projects do, and are not ours to fix.
    const errors = `${checked.stdout}${checked.stderr}`.split("\n").filter((l) => /error TS\d+/.test(l));
    const ours = errors.filter((l) => !/^(\.\.\/)*node_modules\//.test(l) || /node_modules\/@iter8ts\//.test(l));
    expect(ours, `tsc (${name}) in ${dir}:\n${checked.stdout}${checked.stderr}`).toEqual([]);
    if (errors.length === 0) expect(checked.code).toBe(0);
    if (!mode.run) return;
    const ran = await project.node([join("out", "consumer.js")], dir);
    expect(ran.code, `node out/consumer.js (${name}) in ${dir}:\n${ran.stdout}${ran.stderr}`).toBe(0);
    expect(ran.stdout.trim()).toBe(String(specifiers.length));
  });
});
