import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as TypeScript from "typescript";

/** One `expr; // => value` line of a README snippet: what the README says `expr` is. */
export interface DocumentedValue {
  /** 1-based line in the README. */
  line: number;
  expression: string;
  /** The value as the README writes it (a JavaScript literal). */
  literal: string;
}

/** A TypeScript snippet of a README with the values it documents. */
export interface ReadmeSnippet {
  file: string;
  /** 1-based line of the snippet's first line in the README. */
  line: number;
  source: string;
  documented: DocumentedValue[];
}

/**
 * The first ```` ```ts ```` block after the heading `heading` (e.g. `## Example`) of a README, and
 * its documented values: lines `expr; // => value` (the docs checker's form) and lines
 * `expr; // value` whose comment is a JavaScript literal (`{`, `[`, a string, a number, true,
 * false, null).
 */
export function readmeSnippet(file: string, heading: string): ReadmeSnippet {
  const lines = readFileSync(file, "utf8").split("\n");
  const at = lines.findIndex((l) => l.trim() === heading);
  if (at < 0) throw new Error(`${file} has no heading "${heading}"`);
  const open = lines.findIndex((l, i) => i > at && /^```(ts|typescript)\b/.test(l));
  const close = lines.findIndex((l, i) => i > open && l.startsWith("```"));
  if (open < 0 || close < 0) throw new Error(`${file}: no complete \`\`\`ts block after "${heading}"`);
  const body = lines.slice(open + 1, close);
  const documented: DocumentedValue[] = [];
  body.forEach((text, i) => {
    const m = /^\s*(.+?);\s*\/\/\s*(=>\s*)?(.+?)\s*$/.exec(text);
    if (!m) return;
    const literal = m[3]!;
    if (!m[2] && !(/^([{["'\d-]|true\b|false\b|null\b)/.test(literal) && isExpression(literal))) return;
    documented.push({ line: open + 2 + i, expression: m[1]!, literal });
  });
  return { file, line: open + 2, source: body.join("\n"), documented };
}

/** Whether text parses as one JavaScript expression (`200 true` is prose, `[200, true]` a value). */
function isExpression(text: string): boolean {
  try {
    new Function(`return (${text});`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The snippet as a runnable JavaScript module (`esm`) or CommonJS script (`cjs`, its body in an
 * async function so top-level `await` works): each documented line becomes a call that prints
 * `__DOC__{"line","actual","documented"}` (both after a JSON round trip), for the caller to compare.
 */
export function runnableSnippet(snippet: ReadmeSnippet, format: "esm" | "cjs"): string {
  // Loaded here, not at the top: the other helpers of this package do not need the compiler.
  const ts = createRequire(import.meta.url)("typescript") as typeof TypeScript;
  const lines = snippet.source.split("\n");
  for (const doc of snippet.documented) {
    const index = doc.line - snippet.line;
    const indent = /^\s*/.exec(lines[index]!)![0];
    lines[index] = `${indent}__documented(${doc.line}, ${doc.expression}, (${doc.literal}));`;
  }
  const helper = [
    "function __documented(line: number, actual: unknown, documented: unknown): void {",
    "  const round = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));",
    '  console.log("__DOC__" + JSON.stringify({ line, actual: round(actual), documented: round(documented) }));',
    "}",
  ].join("\n");
  const source = `${lines.join("\n")}\n${helper}\n`;
  const module = format === "esm" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
  const js = ts.transpileModule(source, { compilerOptions: { module, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false }, fileName: "snippet.ts" }).outputText;
  if (format === "esm") return js;
  // require() calls stay valid inside a function; top-level await needs one.
  return `(async () => {\n${js}\n})().catch((err) => { console.error(err); process.exitCode = 1; });\n`;
}
