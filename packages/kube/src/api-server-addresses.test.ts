import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { apiServerAddresses } from "./api-server-addresses";

function config(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server }],
    users: [{ name: "u" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return kc;
}

describe("apiServerAddresses", () => {
  it("takes the kubeconfig's server and the in-cluster service host, resolving names", async () => {
    expect(await apiServerAddresses(config("https://10.0.0.1:6443"), "10.96.0.1")).toEqual(["10.0.0.1", "10.96.0.1"]);
    expect(await apiServerAddresses(config("https://[fd00::1]:6443"))).toEqual(["fd00::1"]);
    expect(await apiServerAddresses(config("https://localhost:6443"))).toContain("127.0.0.1");
  });
});
