import { describe, expect, it } from "vitest";
import { BoundedOutput } from "./bounded-output";

describe("BoundedOutput", () => {
  it("keeps everything within the bound", () => {
    const out = new BoundedOutput(100);
    out.append(Buffer.from("hello "));
    out.append(Buffer.from("world"));
    expect(out.truncated).toBe(false);
    expect(out.toString()).toBe("hello world");
  });

  it("keeps the start and the end and says how much was dropped", () => {
    const out = new BoundedOutput(10);
    for (const c of "abcdefghijklmnopqrstuvwxyz") out.append(Buffer.from(c));
    expect(out.truncated).toBe(true);
    expect(out.toString()).toBe("abcde\n[… 16 bytes of output dropped …]\nvwxyz");
  });

  it("drops from large chunks too", () => {
    const out = new BoundedOutput(8);
    out.append(Buffer.from("0123456789".repeat(100)));
    expect(out.toString()).toBe("0123\n[… 992 bytes of output dropped …]\n6789");
  });
});
