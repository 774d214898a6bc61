import { describe, expect, it } from "vitest";
import { escapeHtml } from "./escape-html";

describe("escapeHtml", () => {
  it("escapes the five characters that can open markup or close an attribute", () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')"> & more`)).toBe("&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; more");
  });

  it("leaves other text, including non-ASCII, as it is", () => {
    expect(escapeHtml("checkout-v2 · ≤ 250 ms")).toBe("checkout-v2 · ≤ 250 ms");
  });
});
