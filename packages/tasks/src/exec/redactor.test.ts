import { describe, expect, it } from "vitest";
import { Redactor } from "./redactor";

describe("Redactor", () => {
  it("masks secret values, their base64 form and each line of multi-line values", () => {
    const r = new Redactor();
    r.add("s3cr3t-token");
    r.add("line-one\nline-two");
    r.add("");
    expect(r.redact("token=s3cr3t-token b64=czNjcjN0LXRva2Vu")).toBe("token=[redacted] b64=[redacted]");
    expect(r.redact("got line-two only")).toBe("got [redacted] only");
    expect(r.redact("nothing here")).toBe("nothing here");
  });

  it("masks the longer of overlapping values whole, and treats regex characters literally", () => {
    const r = new Redactor();
    r.add("abc");
    r.add("abc.def*");
    expect(r.redact("x abc.def* y abcZ")).toBe("x [redacted] y [redacted]Z");
  });
});
