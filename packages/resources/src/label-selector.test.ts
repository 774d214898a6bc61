import { describe, expect, it } from "vitest";
import { LabelSelectorError, matchesLabelSelector, parseLabelSelector } from "./label-selector";

const web = { app: "web", tier: "frontend", version: "3" };
const matches = (selector: string, labels: Record<string, string> = web) => matchesLabelSelector(parseLabelSelector(selector), labels);

describe("label selectors", () => {
  it("matches everything when empty", () => {
    expect(matches("")).toBe(true);
    expect(matches("  ", {})).toBe(true);
  });

  it("supports equality with =, == and !=", () => {
    expect(matches("app=web")).toBe(true);
    expect(matches("app==web,tier=frontend")).toBe(true);
    expect(matches("app=db")).toBe(false);
    expect(matches("app!=db")).toBe(true);
    expect(matches("app!=web")).toBe(false);
  });

  it("lets != and notin match objects without the label, unlike = and in", () => {
    expect(matches("track!=canary")).toBe(true);
    expect(matches("track notin (canary)")).toBe(true);
    expect(matches("track=canary")).toBe(false);
    expect(matches("track in (canary, stable)")).toBe(false);
  });

  it("supports set-based requirements, existence and absence", () => {
    expect(matches("tier in (frontend, backend)")).toBe(true);
    expect(matches("tier notin (frontend,backend)")).toBe(false);
    expect(matches("app,!legacy")).toBe(true);
    expect(matches("!app")).toBe(false);
    expect(matches("env in (a,b),app=web")).toBe(false);
  });

  it("compares integers with > and <", () => {
    expect(matches("version>2")).toBe(true);
    expect(matches("version<3")).toBe(false);
    expect(matches("app>1")).toBe(false);
  });

  it("accepts prefixed keys", () => {
    expect(matches("iter8/experimentName=exp", { "iter8/experimentName": "exp" })).toBe(true);
  });

  it("refuses text the API server refuses", () => {
    expect(() => parseLabelSelector("app in ()")).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector("app in (a")).toThrow("unable to parse requirement: found '', expected: ',', ')' or identifier");
    expect(() => parseLabelSelector("a==b=c")).toThrow("found '=', expected: ',' or 'end of string'");
    expect(() => parseLabelSelector("a b")).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector("-bad=x")).toThrow(/invalid label key/);
    expect(() => parseLabelSelector("app=has space")).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector("version>two")).toThrow(/must be an integer/);
  });
});
