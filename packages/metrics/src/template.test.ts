import { describe, expect, it } from "vitest";
import { interpolate } from "./template";

describe("interpolate", () => {
  it("replaces $name and ${name}, and turns $$ into a literal $", () => {
    const r = interpolate("rate(x{version='$name'}[${elapsedTime}s]) costs $$5", { name: "v2", elapsedTime: "60" });
    expect(r).toEqual({ text: "rate(x{version='v2'}[60s]) costs $5", unresolved: [] });
  });

  it("keeps a $ that does not start a placeholder, as Python's string.Template does", () => {
    const r = interpolate('{job=~"api$"} $1 ${not closed $ end', {});
    expect(r).toEqual({ text: '{job=~"api$"} $1 ${not closed $ end', unresolved: [] });
  });

  it("takes the longest identifier after $, so $names is not $name followed by s", () => {
    expect(interpolate("$names ${name}s", { name: "a" })).toEqual({ text: "$names as", unresolved: ["names"] });
  });

  it("lists every placeholder without a value once, in order of appearance", () => {
    const r = interpolate("$b $a ${b} $c", { c: "x" });
    expect(r.unresolved).toEqual(["b", "a"]);
    expect(r.text).toBe("$b $a ${b} x");
  });

  it("does not treat inherited object keys as values", () => {
    expect(interpolate("$constructor", {}).unresolved).toEqual(["constructor"]);
  });
});
