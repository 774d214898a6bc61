import { describe, expect, it } from "vitest";
import { SECRET_MASK, SecretMask, secretForms } from "./secret-mask";

const TOKEN = "s3cr3t/to+ken é\"x";

describe("SecretMask", () => {
  it("masks a value as written and in every form a tool prints it", () => {
    const mask = new SecretMask([TOKEN]);
    const b64 = Buffer.from(TOKEN).toString("base64");
    const printed = [
      TOKEN,
      encodeURIComponent(TOKEN),
      encodeURIComponent(TOKEN).toLowerCase().replace(/%[0-9a-f]{2}/g, (e) => e),
      new URLSearchParams({ t: TOKEN }).toString().slice(2),
      JSON.stringify(TOKEN).slice(1, -1),
      JSON.stringify({ token: TOKEN }),
      b64,
      b64.replace(/\+/g, "-").replace(/\//g, "_"),
      Buffer.from(`Basic user:${TOKEN}`).toString("base64"),
      Buffer.from(`xy${TOKEN}zz`).toString("base64"),
      [...TOKEN].reverse().join(""),
    ];
    for (const text of printed) {
      const out = mask.redact(`before ${text} after`);
      expect(out, text).toContain(SECRET_MASK);
      expect(mask.reveals(out), text).toBe(false);
    }
  });

  it("masks each line of a multi-line value and the longer of overlapping values whole", () => {
    const mask = new SecretMask(["line-one\nline-two", "abc", "abc.def*"]);
    expect(mask.redact("got line-two only")).toBe(`got ${SECRET_MASK} only`);
    expect(mask.redact("x abc.def* y abcZ")).toBe(`x ${SECRET_MASK} y ${SECRET_MASK}Z`);
  });

  it("leaves text alone when it holds no value, and ignores values too short to mask", () => {
    const mask = new SecretMask(["", "ab"]);
    expect(mask.empty).toBe(true);
    expect(mask.redact("ab abc")).toBe("ab abc");
    expect(secretForms("ab")).toEqual([]);
    expect(new SecretMask(["hunter22"]).reveals("nothing here")).toBe(false);
  });
});
