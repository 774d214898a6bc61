import { chmod, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { folderWith } from "./__fixtures__/local-files";
import { diskDocumentFiles, MemoryDocumentFiles } from "./document-files";

describe("diskDocumentFiles", () => {
  it("replaces a file's content and leaves no temporary file behind", async () => {
    const dir = await folderWith({ "a.yaml": "kind: A\n" });
    await diskDocumentFiles.write(join(dir, "a.yaml"), "kind: B\n");
    expect(await readFile(join(dir, "a.yaml"), "utf8")).toBe("kind: B\n");
    expect(await readdir(dir)).toEqual(["a.yaml"]);
  });

  it("keeps the file's permission bits", async () => {
    const dir = await folderWith({ "a.yaml": "kind: A\n" });
    await chmod(join(dir, "a.yaml"), 0o600);
    await diskDocumentFiles.write(join(dir, "a.yaml"), "kind: B\n");
    expect((await stat(join(dir, "a.yaml"))).mode & 0o777).toBe(0o600);
  });

  it("rejects and removes its temporary file when the target cannot be replaced", async () => {
    const dir = await folderWith({ "a.yaml": "kind: A\n" });
    // A folder where the file should go: the rename fails after the new text was written.
    await mkdir(join(dir, "b.yaml"));
    await expect(diskDocumentFiles.write(join(dir, "b.yaml"), "kind: B\n")).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["a.yaml", "b.yaml"]);
    expect(await readFile(join(dir, "a.yaml"), "utf8")).toBe("kind: A\n");
  });

  it("keeps every concurrent writer's text whole: the file is always one of them", async () => {
    const dir = await folderWith({ "a.yaml": "x".repeat(100_000) });
    const path = join(dir, "a.yaml");
    const texts = ["a", "b", "c", "d"].map((c) => c.repeat(100_000));
    const reads: string[] = [];
    await Promise.all([...texts.map((t) => diskDocumentFiles.write(path, t)), ...texts.map(async () => reads.push(await readFile(path, "utf8")))]);
    for (const text of [...reads, await readFile(path, "utf8")]) {
      expect(text).toHaveLength(100_000);
      expect(new Set(text).size).toBe(1);
    }
  });
});

describe("MemoryDocumentFiles", () => {
  it("copies files from another source and fails like a missing file for others", async () => {
    const source = new MemoryDocumentFiles({ "a.yaml": "kind: A\n" });
    const copy = await MemoryDocumentFiles.copyOf(source, ["a.yaml"]);
    await copy.write("a.yaml", "kind: B\n");
    expect(await source.read("a.yaml")).toBe("kind: A\n");
    expect(await copy.read("a.yaml")).toBe("kind: B\n");
    await expect(copy.read("b.yaml")).rejects.toMatchObject({ code: "ENOENT" });
  });
});
