import { describe, expect, it } from "vitest";
import { displayWidth, wrapText } from "./wrap-text";

describe("wrapText", () => {
  it("keeps text that fits on one line", () => {
    expect(wrapText("mean-latency (milliseconds)", 30)).toEqual({ lines: ["mean-latency (milliseconds)"], limit: 30 });
  });

  it("balances lines instead of filling them greedily", () => {
    // Greedy filling gives "aaa bb" / "cc" / "ddddd"; the balanced layout leaves less free space.
    expect(wrapText("aaa bb cc ddddd", 6).lines).toEqual(["aaa", "bb cc", "ddddd"]);
  });

  it("breaks a reward label the way Iter8 users have always seen it", () => {
    expect(wrapText("books-purchased (higher better)", 30).lines).toEqual(["books-purchased (higher", "better)"]);
  });

  it("never breaks a word: a longer word raises the limit", () => {
    const word = "iter8-knative/95th-percentile-tail-latency";
    expect(wrapText(`${word} (milliseconds)`, 30)).toEqual({ lines: [word, "(milliseconds)"], limit: word.length });
  });

  it("treats newlines as spaces and keeps an empty cell as one empty line", () => {
    expect(wrapText("a\nb", 30).lines).toEqual(["a b"]);
    expect(wrapText("", 30).lines).toEqual([""]);
  });
});

describe("displayWidth", () => {
  it("counts characters, wide ones twice, combining marks not at all", () => {
    expect(displayWidth("latency")).toBe(7);
    expect(displayWidth("µs")).toBe(2);
    expect(displayWidth("延迟")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
  });
});
