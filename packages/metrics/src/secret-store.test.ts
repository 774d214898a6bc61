import { describe, expect, it } from "vitest";
import { lookupSecret, secretsFromKubernetes } from "./secret-store";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("secretsFromKubernetes", () => {
  it("decodes data, lets stringData win, and defaults the namespace", () => {
    const { store, issues } = secretsFromKubernetes(
      [
        { apiVersion: "v1", kind: "Secret", metadata: { name: "es", namespace: "myns" }, data: { username: b64("produser"), password: b64("old") }, stringData: { password: "t0p-secret" } },
        { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "nr" }, stringData: { apiKey: "k" } }] },
      ],
      "shop",
    );
    expect(issues).toEqual([]);
    expect(store.get("myns", "es")).toEqual({ username: "produser", password: "t0p-secret" });
    expect(lookupSecret(store, "nr", "shop")).toEqual({ key: "shop/nr", data: { apiKey: "k" } });
    expect(lookupSecret(store, "other/nr", "shop").data).toBeUndefined();
  });

  it("reports malformed documents by path, never by value", () => {
    const { issues } = secretsFromKubernetes([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
      { apiVersion: "v1", kind: "Secret", metadata: {} },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "bad" }, data: { token: "not base64 !!" } },
    ]);
    expect(issues.map((i) => i.path)).toEqual(["(document 1).kind", "(document 2).metadata.name", "(document 3).data.token"]);
    expect(JSON.stringify(issues)).not.toContain("not base64 !!");
  });
});
