import { describe, expect, it } from "vitest";
import { parseDocuments } from "./parse-documents";
import { secretValues } from "./secret";

describe("Secrets", () => {
  it("decodes data and lets stringData win, as the API server merges them", () => {
    expect(secretValues({ data: { user: "YWRtaW4=", token: "b2xk", note: "aMOpbGxv" }, stringData: { token: "new" } })).toEqual({
      user: "admin",
      token: "new",
      note: "héllo",
    });
    expect(secretValues({})).toEqual({});
  });

  it("rejects data that is not base64 without echoing the secret value", () => {
    const [doc] = parseDocuments("apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata:\n  password: hunter2!\n");
    expect(doc?.result).toEqual({
      ok: false,
      errors: [{ path: "data.password", code: "invalid_base64", message: "must be base64-encoded; put plain text under stringData instead", line: 5 }],
    });
  });
});
