import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./parse-duration";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["2h45m", 9_900_000],
    ["0", 0],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "5x", "m5", "1m 30s", "-5s", "s"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it("writes durations compactly", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(30_000)).toBe("30s");
    expect(formatDuration(250)).toBe("250ms");
  });
});
