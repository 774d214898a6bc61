import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProtobufBodyError, decodeProtobufBody } from "./protobuf-body";

// Bodies kubectl v1.37.2 sent for `kubectl create configmap|namespace|secret|serviceaccount`.
const recorded = JSON.parse(readFileSync(new URL("./__fixtures__/kubectl-create-protobuf.json", import.meta.url), "utf8")) as Record<string, string>;
const body = (kind: string) => Buffer.from(recorded[kind] ?? "", "base64");

describe("decodeProtobufBody", () => {
  it("reads what kubectl's generator commands send", () => {
    expect(decodeProtobufBody(body("ConfigMap"))).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "fast", level: "3" } });
    expect(decodeProtobufBody(body("Namespace"))).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" }, spec: {} });
    expect(decodeProtobufBody(body("Secret"))).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "token" }, data: { key: Buffer.from("s3cret").toString("base64") } });
    expect(decodeProtobufBody(body("ServiceAccount"))).toEqual({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner" } });
  });

  it("refuses what is not the envelope", () => {
    expect(() => decodeProtobufBody(Buffer.from('{"kind":"ConfigMap"}'))).toThrow(ProtobufBodyError);
  });
});
