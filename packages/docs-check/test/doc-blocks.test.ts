import { describe, expect, it } from "vitest";
import { BlockKind, extractBlocks, missingOutputLine, shellCommands } from "./doc-blocks";
import { withExpectations } from "./run-snippets";

describe("extractBlocks", () => {
  it("finds shell blocks and snippets, with the markers before them", () => {
    const md = [
      "# Title",
      "",
      "<!-- docs-check: skip needs Docker -->",
      "```sh",
      "docker build .",
      "```",
      "",
      '<!-- docs-check: skip-line "kubectl logs" Pods never run on the test control plane -->',
      "<!-- docs-check: timeout 300 -->",
      "",
      "```bash",
      "# a comment is not a command",
      "kubectl apply -f x.yaml \\",
      "  -f y.yaml",
      "kubectl logs -l app=x",
      "```",
      "",
      "```ts",
      'console.log("hi");',
      "```",
      "<!-- docs-check: output -->",
      "```text",
      "hi",
      "```",
      "```yaml",
      "a: 1",
      "```",
    ].join("\n");
    const { blocks, problems } = extractBlocks("doc.md", md);
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.kind, b.skipReason])).toEqual([
      [4, BlockKind.Shell, "needs Docker"],
      [11, BlockKind.Shell, undefined],
      [18, BlockKind.Snippet, undefined],
      [25, BlockKind.Other, undefined],
    ]);
    expect(blocks[1]!.timeoutSeconds).toBe(300);
    expect(blocks[1]!.commands.map((c) => [c.line, c.text, c.skipReason])).toEqual([
      [13, "kubectl apply -f x.yaml \n  -f y.yaml", undefined],
      [15, "kubectl logs -l app=x", "Pods never run on the test control plane"],
    ]);
    expect(blocks[2]!.output).toEqual(["hi"]);
  });

  it("reports a skip without a reason, an unknown marker and a marker that precedes prose", () => {
    const md = ["<!-- docs-check: skip -->", "```sh", "true", "```", "<!-- docs-check: later -->", "<!-- docs-check: skip x -->", "prose", "```sh", "true", "```"].join("\n");
    const { blocks, problems } = extractBlocks("doc.md", md);
    expect(problems.map((p) => p.line)).toEqual([1, 5, 7]);
    expect(problems[0]!.message).toContain("needs a reason");
    expect(blocks[1]!.skipReason).toBeUndefined();
  });

  it("reads indented fences inside list items, and ts vitest as a test file", () => {
    const { blocks } = extractBlocks("doc.md", ["- item", "", "  ```sh", "  echo one", "  ```", "```ts vitest", 'import { it } from "vitest";', "```"].join("\n"));
    expect(blocks.map((b) => [b.kind, b.code])).toEqual([
      [BlockKind.Shell, "echo one"],
      [BlockKind.TestFile, 'import { it } from "vitest";'],
    ]);
  });
});

describe("shellCommands", () => {
  it("keeps heredoc bodies with their command and reads transcripts", () => {
    expect(shellCommands("cat <<EOF\nkubectl nope\nEOF\necho done", 1).map((c) => c.text)).toEqual(["cat <<EOF\nkubectl nope\nEOF", "echo done"]);
    expect(shellCommands("$ echo hi\nhi\n$ true", 10)).toEqual([
      { line: 10, text: "echo hi", output: ["hi"] },
      { line: 12, text: "true", output: [] },
    ]);
  });
});

describe("missingOutputLine", () => {
  it("matches documented lines in order, with … as any text", () => {
    const real = "start 12:01\nnoise\nport 4312 ready\nend\n";
    expect(missingOutputLine(["start …", "…", "port … ready", "end"], real)).toBeUndefined();
    expect(missingOutputLine(["end", "start …"], real)).toBe("start …");
    expect(missingOutputLine(["port 9 ready"], real)).toBe("port 9 ready");
  });
});

describe("withExpectations", () => {
  it("turns `expr; // => value` into a comparison and leaves prose comments alone", () => {
    const out = withExpectations("const a = 1 + 1;\na; // => 2\nb; // the answer", 20);
    expect(out).toContain("__docsCheckExpect(a, 2, 21);");
    expect(out).toContain("b; // the answer");
    expect(withExpectations("x; // plain", 1)).toBe("x; // plain");
  });
});
