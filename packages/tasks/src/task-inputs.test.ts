import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseTaskInputs } from "./task-inputs";

const schema = z.strictObject({
  URL: z.string(),
  authType: z.enum(["Basic", "Bearer"]).optional(),
  headers: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  ignoreFailure: z.boolean().default(true),
});

describe("parseTaskInputs", () => {
  it("matches keys ignoring case at every level, and keeps map keys as written", () => {
    const result = parseTaskInputs(schema, { url: "http://x", AUTHTYPE: "Bearer", Headers: [{ NAME: "a", Value: "b" }], labels: { Mixed: "v" } });
    expect(result).toEqual({
      ok: true,
      value: { URL: "http://x", authType: "Bearer", headers: [{ name: "a", value: "b" }], labels: { Mixed: "v" }, ignoreFailure: true },
    });
  });

  it("reports problems with their field paths", () => {
    const result = parseTaskInputs(schema, { headers: [{ name: 1 }], extra: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: "with.URL", message: "is required (a string)" }),
          expect.objectContaining({ path: "with.headers[0].name", message: "must be a string (got 1)" }),
          expect.objectContaining({ path: "with.headers[0].value", message: "is required (a string)" }),
          expect.objectContaining({ path: "with.extra", message: "is not a known field; check its spelling and indentation" }),
        ]),
      );
    }
  });

  it("reports keys named like Object's own properties as unknown fields", () => {
    const input = JSON.parse('{"URL": "http://x", "constructor": 1, "__proto__": {"a": 1}, "toString": "x"}') as unknown;
    const result = parseTaskInputs(schema, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => [i.path, i.message])).toEqual(
        expect.arrayContaining([
          ["with.constructor", "is not a known field; check its spelling and indentation"],
          ["with.__proto__", "is not a known field; check its spelling and indentation"],
          ["with.toString", "is not a known field; check its spelling and indentation"],
        ]),
      );
      expect(result.issues.every((i) => !i.message.includes("native code"))).toBe(true);
    }
  });

  it("refuses the same key twice in different cases", () => {
    const result = parseTaskInputs(schema, { url: "a", URL: "b" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toContain("keys are matched ignoring case");
  });

  it("treats missing inputs as an empty object", () => {
    expect(parseTaskInputs(z.strictObject({ a: z.number().default(1) }), undefined)).toEqual({ ok: true, value: { a: 1 } });
  });
});
