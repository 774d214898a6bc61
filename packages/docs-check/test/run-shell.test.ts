import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractBlocks } from "./doc-blocks";
import { shellFileSession } from "./run-shell";

const work = mkdtempSync(join(tmpdir(), "docs-check-shell-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("shellFileSession", () => {
  it("carries the working directory and the variables a block sets (exported or not) to the next block, and skips marked commands", async () => {
    const md = ["```sh", "cd /tmp", "dir=/x/y", "export MODE=fast", "```", '<!-- docs-check: skip-line "false" it would fail -->', "```sh", "false", 'echo "$PWD $dir $MODE"', "```"].join("\n");
    const { blocks } = extractBlocks("doc.md", md);
    const session = shellFileSession({ root: work, workDir: work, name: "doc", env: { PATH: process.env.PATH ?? "" } });
    expect((await session.run(blocks[0]!)).exitCode).toBe(0);
    const second = await session.run(blocks[1]!);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe("/tmp /x/y fast\n");
  });

  it("fails a block at its first failing command, and stops what it left in the background", async () => {
    const { blocks } = extractBlocks("doc.md", ["```sh", "sleep 30 &", "echo $! > background.pid", "false", "echo never", "```"].join("\n"));
    const result = await shellFileSession({ root: work, workDir: work, name: "fail", env: { PATH: process.env.PATH ?? "" } }).run(blocks[0]!);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    const pid = Number(readFileSync(join(work, "background.pid"), "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Gone, or a zombie waiting for whoever adopted it to reap it: no longer running either way.
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
    expect(["gone", "Z", "X"]).toContain(state);
  });
});
