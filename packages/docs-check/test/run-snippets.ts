// Type-checks TypeScript snippets as written (one tsc program for all of them) and runs them with
// Node the way a project that added the packages would: `@iter8ts/*` resolve through this
// workspace's node_modules to the packages' built code.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type * as TypeScript from "typescript";
import { BlockKind, type DocBlock } from "./doc-blocks";
import { runProcess, type ShellResult } from "./run-shell";

const require = createRequire(import.meta.url);

export interface PreparedSnippet {
  block: DocBlock;
  /** The snippet as written (type-checked). */
  source: string;
  /** What Node runs: `expr; // => value` lines turned into comparisons. */
  runnable: string;
}

const EXPECTATION = /^(\s*)(.*?);?\s*\/\/\s*=>\s*(.+?)\s*$/;

/** The compiled form's check of a documented value, hoisted to the end of the module. */
const EXPECT_FUNCTION = `
function __docsCheckExpect(actual, expected, line) {
  const canon = (v) => JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
  const a = canon(actual);
  const e = canon(expected);
  if (a !== e) throw new Error("documented value at line " + line + " is " + e + " but the snippet gives " + a);
}
`;

/** Rewrites `expr; // => value` lines; `docLine` is the Markdown line of the snippet's first line. */
export function withExpectations(source: string, docLine: number): string {
  let rewritten = false;
  const lines = source.split("\n").map((line, i) => {
    const m = EXPECTATION.exec(line);
    if (!m || !m[2]!.trim() || m[2]!.trim().startsWith("//")) return line;
    rewritten = true;
    return `${m[1]}__docsCheckExpect(${m[2]}, ${m[3]}, ${docLine + i});`;
  });
  return lines.join("\n") + (rewritten ? EXPECT_FUNCTION : "");
}

export function snippetFileName(block: DocBlock, root: string): string {
  const slug = relative(root, block.file).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${slug}-L${block.line}${block.kind === BlockKind.TestFile ? ".test.ts" : ".ts"}`;
}

/** Writes the snippets and a tsconfig into `dir` (emptied first). */
export function prepareSnippets(blocks: readonly DocBlock[], dir: string, root: string): Map<string, PreparedSnippet> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const prepared = new Map<string, PreparedSnippet>();
  for (const block of blocks) {
    const name = snippetFileName(block, root);
    writeFileSync(join(dir, name), block.code + "\n");
    prepared.set(name, { block, source: block.code, runnable: withExpectations(block.code, block.line + 1) });
  }
  const base = relative(dir, join(root, "tsconfig.base.json"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: base, compilerOptions: { noEmit: true, types: ["node"] }, include: ["*.ts"] }, null, 2));
  writeFileSync(
    join(dir, "vitest.config.mjs"),
    `const conditions = ["@iter8ts/source", "import", "module", "default"];
export default { resolve: { conditions }, ssr: { resolve: { conditions } }, test: { include: ["*.test.ts"], exclude: [], testTimeout: 600000, hookTimeout: 600000 } };
`,
  );
  return prepared;
}

/**
 * Type errors per snippet file name, from one program over all snippets. Syntax and semantic
 * errors are asked for file by file: `tsc` skips every semantic check once any file has a syntax
 * error, which would let one broken snippet hide the undefined names of all the others.
 */
export function typecheckSnippets(dir: string): Map<string, string[]> {
  const ts = require("typescript") as typeof TypeScript;
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(`snippets' tsconfig: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    },
  });
  if (!config) throw new Error(`cannot read ${join(dir, "tsconfig.json")}`);
  const program = ts.createProgram(config.fileNames, config.options);
  const errors = new Map<string, string[]>();
  for (const fileName of config.fileNames) {
    const source = program.getSourceFile(fileName);
    if (!source) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    if (!diagnostics.length) continue;
    errors.set(
      fileName.replace(/^.*\//, ""),
      diagnostics.map((d) => {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
        return `line ${line}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      }),
    );
  }
  return errors;
}

/** Runs one snippet with Node (or, for a test file, with vitest) from `dir`. */
export async function runSnippet(name: string, snippet: PreparedSnippet, dir: string, root: string, env: NodeJS.ProcessEnv): Promise<ShellResult> {
  const timeoutMs = (snippet.block.timeoutSeconds ?? 120) * 1000;
  if (snippet.block.kind === BlockKind.TestFile) {
    const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
    return runProcess(process.execPath, [vitest, "run", "--root", dir, "--config", join(dir, "vitest.config.mjs"), name], { cwd: dir, env, timeoutMs });
  }
  const ts = require("typescript") as typeof TypeScript;
  const js = ts.transpileModule(snippet.runnable, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: name,
  }).outputText;
  const file = join(dir, name.replace(/\.ts$/, ".mjs"));
  writeFileSync(file, js);
  return runProcess(process.execPath, [file], { cwd: root, env, timeoutMs });
}
