import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issuesFromZod } from "./zod-issues";

function issues(schema: z.ZodType, input: unknown, prefix?: string) {
  const result = schema.safeParse(input);
  return result.success ? [] : issuesFromZod(result.error, input, prefix);
}

describe("issuesFromZod", () => {
  it("puts the prefix before each path and names the document for root problems", () => {
    expect(issues(z.strictObject({ a: z.string() }), { a: 1 }, "spec.")).toEqual([
      { path: "spec.a", message: "must be a string (got 1)", code: "invalid_type" },
    ]);
    expect(issues(z.string(), 5)).toEqual([{ path: "(document)", message: "must be a string (got 5)", code: "invalid_type" }]);
  });

  it("describes the value it got", () => {
    const schema = z.strictObject({ s: z.string(), n: z.number(), b: z.boolean(), l: z.array(z.string()), o: z.strictObject({}) });
    expect(issues(schema, { s: [], n: {}, b: "yes", l: null, o: 3 }).map((i) => i.message)).toEqual([
      "must be a string (got a list)",
      "must be a number (got an object)",
      'must be true or false (got "yes")',
      "must be a list (got null)",
      "must be an object (got 3)",
    ]);
  });

  it("lists the alternatives of a union", () => {
    expect(issues(z.union([z.string(), z.number()]), true)).toEqual([
      { path: "(document)", message: "must be a string or a number (got true)", code: "invalid_type" },
    ]);
  });

  it("words length limits of strings and lists", () => {
    const schema = z.strictObject({ s: z.string().min(3).max(5), l: z.array(z.string()).min(1).max(2) });
    expect(issues(schema, { s: "ab", l: [] }).map((i) => i.message)).toEqual(["must be at least 3 characters long", "must have at least 1 item(s)"]);
    expect(issues(schema, { s: "abcdef", l: ["a", "b", "c"] }).map((i) => i.message)).toEqual([
      "must be at most 5 characters long",
      "must have at most 2 item(s)",
    ]);
  });
});
