import { describe, expect, it } from "vitest";
import { parseGoDuration } from "./go-duration";

describe("parseGoDuration", () => {
  it("reads Go durations as milliseconds", () => {
    expect(parseGoDuration("5s")).toBe(5000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("300ms")).toBe(300);
    expect(parseGoDuration("250us")).toBe(0.25);
    expect(parseGoDuration("0")).toBe(0);
  });
  it("rejects anything else", () => {
    for (const bad of ["5", "-5s", "5 s", "five seconds", "", "1d"]) expect(parseGoDuration(bad), bad).toBeUndefined();
  });
});
