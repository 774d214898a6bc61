import { describe, expect, it } from "vitest";
import { createEgressPolicy, guardedLookup, parseEgressAllow, resolveAddresses } from "./egress-policy";

describe("parseEgressAllow", () => {
  it("reads words and CIDRs, and names an entry that is neither", () => {
    const allow = parseEgressAllow(" loopback, link-local ,10.1.0.0/16,fd00::/8, 192.0.2.7,,");
    expect([...allow.words]).toEqual(["loopback", "link-local"]);
    expect(allow.cidrs).toEqual(["10.1.0.0/16", "fd00::/8", "192.0.2.7/32"]);
    expect(parseEgressAllow("").words.size).toBe(0);
    expect(() => parseEgressAllow("loopback,everything")).toThrow('"everything" is neither a CIDR (such as 10.0.0.0/8 or fd00::/8) nor one of loopback, link-local, apiserver, private');
    expect(() => parseEgressAllow("10.0.0.0/33")).toThrow('"10.0.0.0/33" is neither');
  });
});

describe("createEgressPolicy", () => {
  const policy = createEgressPolicy({ apiServerAddresses: ["10.96.0.1", "172.18.0.2"] });

  it("refuses loopback, link-local (the metadata address included) and the API server; allows the rest", () => {
    const category = (a: string) => policy.check(a)?.category;
    expect(["127.0.0.1", "127.9.9.9", "0.0.0.0", "::1", "::", "::ffff:127.0.0.1", "[::1]"].map(category)).toEqual(Array(7).fill("loopback"));
    expect(["169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254"].map(category)).toEqual(Array(4).fill("link-local"));
    expect(["10.96.0.1", "172.18.0.2", "::ffff:10.96.0.1"].map(category)).toEqual(Array(3).fill("apiserver"));
    expect(["10.0.0.5", "192.168.1.10", "8.8.8.8", "2001:db8::1", "fd12::1"].map(category)).toEqual(Array(5).fill(undefined));
    expect(policy.check("169.254.169.254")).toEqual({ address: "169.254.169.254", category: "link-local" });
    expect(policy.howToAllow("loopback")).toBe("--egress-allow loopback");
  });

  it("allows a category by word and an address by CIDR", () => {
    const allowing = createEgressPolicy({ allow: parseEgressAllow("loopback,apiserver,169.254.169.0/24"), apiServerAddresses: ["10.96.0.1"], flag: "ITER8_EGRESS_ALLOW" });
    expect(allowing.check("127.0.0.1")).toBeUndefined();
    expect(allowing.check("10.96.0.1")).toBeUndefined();
    expect(allowing.check("169.254.169.254")).toBeUndefined();
    expect(allowing.check("169.254.1.1")).toEqual({ address: "169.254.1.1", category: "link-local" });
    expect(allowing.howToAllow("link-local")).toBe("ITER8_EGRESS_ALLOW link-local");
  });
});

describe("guardedLookup", () => {
  const fake = (addresses: string[]) =>
    ((_h: string, _o: unknown, cb: (e: null, a: Array<{ address: string; family: number }>) => void) => cb(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })))) as never;

  it("refuses a name when any address it resolves to is refused, and passes the others through", async () => {
    const policy = createEgressPolicy();
    const run = (addresses: string[], all: boolean) =>
      new Promise<unknown>((resolve) => guardedLookup(policy, fake(addresses))("svc.example", { all } as never, (error, address, family) => resolve(error ?? { address, family })));
    expect(await run(["8.8.8.8", "169.254.169.254"], true)).toMatchObject({ name: "EgressRefusedError", refusal: { address: "169.254.169.254", category: "link-local" } });
    expect(await run(["10.0.0.9"], false)).toEqual({ address: "10.0.0.9", family: 4 });
    expect(await run(["10.0.0.9"], true)).toEqual({ address: [{ address: "10.0.0.9", family: 4 }], family: undefined });
  });

  it("resolveAddresses keeps an IP and resolves a name", async () => {
    expect(await resolveAddresses("[::1]")).toEqual(["::1"]);
    expect(await resolveAddresses("api.example", fake(["10.0.0.1"]))).toEqual(["10.0.0.1"]);
  });
});
