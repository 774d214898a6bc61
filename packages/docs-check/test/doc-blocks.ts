// Reads the fenced code blocks of a Markdown file and the `<!-- docs-check: … -->` markers before
// them, as docs/docs-check.md describes. Pure: text in, blocks out (the runners do the I/O).

/** What the checker does with a block. */
export const BlockKind = { Shell: "shell", Snippet: "snippet", TestFile: "test-file", Other: "other" } as const;
export type BlockKind = (typeof BlockKind)[keyof typeof BlockKind];

/** One command of a shell block (a logical line: `\` continuations joined). */
export interface ShellCommand {
  /** 1-based line in the Markdown file where the command starts. */
  line: number;
  text: string;
  /** Expected output lines, for transcripts (`$ cmd` followed by its output). */
  output?: string[];
  /** Set when a `skip-line` marker matches the command. */
  skipReason?: string;
}

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  kind: BlockKind;
  code: string;
  /** Set by `<!-- docs-check: skip <reason> -->`. */
  skipReason?: string;
  /** Expected output: the next fence, when `<!-- docs-check: output -->` precedes it. */
  output?: string[];
  timeoutSeconds?: number;
  /** Shell blocks only. */
  commands: ShellCommand[];
  /** The text of the nearest heading above the block. */
  section: string;
}

/** `<!-- docs-check: requires FILE#Heading -->`: the documented steps a file assumes were taken. */
export interface Requirement {
  file: string;
  section: string;
  /** Where the marker is. */
  line: number;
}

/** A marker the checker cannot act on; reported as a failure of the doc, with its line. */
export interface MarkerProblem {
  file: string;
  line: number;
  message: string;
}

const MARKER = /^\s*<!--\s*docs-check:\s*(.*?)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

function kindOf(info: string): BlockKind {
  const words = info.trim().split(/\s+/);
  const lang = (words[0] ?? "").toLowerCase();
  if (lang === "sh" || lang === "bash" || lang === "shell") return BlockKind.Shell;
  if (lang === "ts" || lang === "typescript") return words.includes("vitest") ? BlockKind.TestFile : BlockKind.Snippet;
  return BlockKind.Other;
}

interface PendingMarkers {
  skip?: string;
  skipLines: { prefix: string; reason: string }[];
  output: boolean;
  timeout?: number;
}

/** Splits a shell block into its commands; comment-only and blank lines are not commands. */
export function shellCommands(code: string, firstLine: number): ShellCommand[] {
  const lines = code.split("\n");
  const transcript = lines.some((l) => l.startsWith("$ "));
  const commands: ShellCommand[] = [];
  let heredoc: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = firstLine + i;
    if (heredoc !== undefined) {
      // The body of a heredoc belongs to the command that opened it.
      const last = commands[commands.length - 1]!;
      last.text += `\n${raw}`;
      if (raw.trim() === heredoc) heredoc = undefined;
      continue;
    }
    if (transcript) {
      if (raw.startsWith("$ ")) commands.push({ line, text: raw.slice(2), output: [] });
      else if (raw.trim() !== "") commands[commands.length - 1]?.output?.push(raw);
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    let text = raw;
    while (text.endsWith("\\") && i + 1 < lines.length) text = `${text.slice(0, -1)}\n${lines[++i]!}`;
    commands.push({ line, text });
    const here = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(text);
    if (here) heredoc = here[1];
  }
  return commands;
}

function parseMarker(body: string, file: string, line: number, pending: PendingMarkers, problems: MarkerProblem[]): void {
  const [word = "", ...rest] = body.split(/\s+/);
  const argument = rest.join(" ").trim();
  switch (word) {
    case "skip":
      if (!argument) problems.push({ file, line, message: "`docs-check: skip` needs a reason: <!-- docs-check: skip <what this machine lacks> -->" });
      pending.skip = argument || "(no reason given)";
      return;
    case "skip-line": {
      const m = /^"([^"]+)"\s+(.+)$/.exec(argument);
      if (!m) {
        problems.push({ file, line, message: '`docs-check: skip-line` needs the start of the command in double quotes and a reason: <!-- docs-check: skip-line "kubectl logs" <reason> -->' });
        return;
      }
      pending.skipLines.push({ prefix: m[1]!, reason: m[2]! });
      return;
    }
    case "output":
      pending.output = true;
      return;
    case "timeout": {
      const seconds = Number(argument);
      if (!Number.isInteger(seconds) || seconds <= 0) problems.push({ file, line, message: `\`docs-check: timeout\` needs a whole number of seconds, got "${argument}"` });
      else pending.timeout = seconds;
      return;
    }
    default:
      problems.push({ file, line, message: `unknown docs-check marker "${word}": use skip, skip-line, output, timeout or requires (docs/docs-check.md)` });
  }
}

/** The fenced blocks of one Markdown file, with their markers applied. */
export function extractBlocks(file: string, markdown: string): { blocks: DocBlock[]; problems: MarkerProblem[]; requires: Requirement[] } {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  const problems: MarkerProblem[] = [];
  const requires: Requirement[] = [];
  let section = "";
  let pending: PendingMarkers = { skipLines: [], output: false };
  let previous: DocBlock | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const marker = MARKER.exec(text);
    const required = marker && /^requires\s+(\S+?)#(.+)$/.exec(marker[1]!);
    if (required) {
      requires.push({ file: required[1]!, section: required[2]!.trim(), line: i + 1 });
      continue;
    }
    if (marker) {
      parseMarker(marker[1]!, file, i + 1, pending, problems);
      continue;
    }
    const fence = FENCE.exec(text);
    const heading = /^#{1,6}\s+(.*)$/.exec(text);
    if (heading) section = heading[1]!.trim();
    if (!fence) {
      // Markers hold across blank lines only: prose between a marker and a fence drops it.
      if (text.trim() !== "") {
        if (pending.skip !== undefined || pending.skipLines.length || pending.output || pending.timeout) problems.push({ file, line: i + 1, message: "a docs-check marker is not followed by a code fence (only blank lines may come between)" });
        pending = { skipLines: [], output: false };
      }
      continue;
    }
    const indent = fence[1]!.length;
    const ticks = fence[2]!;
    const info = fence[3]!.trim();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j]!;
      if (close.trim().startsWith(ticks) && close.trim().replace(/[`~]/g, "") === "") break;
      body.push(close.slice(Math.min(indent, close.length - close.trimStart().length)));
    }
    const code = body.join("\n");
    if (pending.output) {
      if (!previous || previous.kind === BlockKind.Other) problems.push({ file, line: i + 1, message: "`docs-check: output` must follow a shell block or a snippet" });
      else previous.output = body.filter((l) => l.trim() !== "");
    } else {
      const kind = kindOf(info);
      const block: DocBlock = { file, line: i + 1, info, kind, code, commands: kind === BlockKind.Shell ? shellCommands(code, i + 2) : [], section };
      if (pending.skip !== undefined) block.skipReason = pending.skip;
      if (pending.timeout) block.timeoutSeconds = pending.timeout;
      for (const { prefix, reason } of pending.skipLines) {
        const matched = block.commands.filter((c) => c.text.trimStart().startsWith(prefix));
        if (!matched.length) problems.push({ file, line: i, message: `skip-line "${prefix}" matches no command of the block at line ${i + 1}` });
        for (const c of matched) c.skipReason = reason;
      }
      blocks.push(block);
      previous = block;
    }
    pending = { skipLines: [], output: false };
    i = j;
  }
  return { blocks, problems, requires };
}

/** Escapes a documented output line into a pattern: `…` matches any text. */
function linePattern(line: string): RegExp {
  const parts = line.trim().split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(parts.join(".*"));
}

/**
 * Checks documented output against real output: every documented line appears in order (other
 * lines may come between); `…` inside a line matches any text, a line of only `…` is ignored.
 * Returns the first documented line not found, or undefined when all are.
 */
export function missingOutputLine(documented: readonly string[], actual: string): string | undefined {
  const real = actual.split("\n").map((l) => l.trimEnd());
  let at = 0;
  for (const line of documented) {
    if (line.trim() === "…" || line.trim() === "") continue;
    const pattern = linePattern(line);
    while (at < real.length && !pattern.test(real[at]!)) at++;
    if (at === real.length) return line;
    at++;
  }
  return undefined;
}
