import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

/** Kinds of addresses a tenant's URL must not reach unless the install allows them. */
export const AddressCategory = {
  /** 127.0.0.0/8, ::1, and the unspecified 0.0.0.0/8 and :: (which connect to this host). */
  Loopback: "loopback",
  /** 169.254.0.0/16 and fe80::/10: the cloud metadata address (169.254.169.254) lives here. */
  LinkLocal: "link-local",
  /** The Kubernetes API server's own addresses. */
  ApiServer: "apiserver",
  /** 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7: where in-cluster backends live; not refused. */
  Private: "private",
} as const;
export type AddressCategory = (typeof AddressCategory)[keyof typeof AddressCategory];

const WORDS: readonly AddressCategory[] = Object.values(AddressCategory);
/** The categories refused unless allowed. */
const REFUSED: readonly AddressCategory[] = [AddressCategory.Loopback, AddressCategory.LinkLocal, AddressCategory.ApiServer];

/** A parsed `--egress-allow` value: category words and CIDRs. */
export interface EgressAllow {
  readonly words: ReadonlySet<AddressCategory>;
  readonly cidrs: readonly string[];
}

/** Why an egress allow-list was refused; the message quotes the bad entry and lists what is accepted. */
export class EgressAllowError extends Error {
  override readonly name = "EgressAllowError";
}

/**
 * Parses an allow-list: a comma-separated list of CIDRs (`10.0.0.0/8`, `fd00::/8`, a bare
 * address) and the words `loopback`, `link-local`, `apiserver`, `private`. Empty allows nothing
 * extra.
 * @throws EgressAllowError naming the entry that is neither.
 */
export function parseEgressAllow(text: string): EgressAllow {
  const words = new Set<AddressCategory>();
  const cidrs: string[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    if ((WORDS as readonly string[]).includes(entry.toLowerCase())) {
      words.add(entry.toLowerCase() as AddressCategory);
      continue;
    }
    const [address, bits, extra] = entry.split("/");
    const family = isIP(address ?? "");
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!family || extra !== undefined || !(prefix >= 0 && prefix <= (family === 6 ? 128 : 32))) {
      throw new EgressAllowError(`"${entry}" is neither a CIDR (such as 10.0.0.0/8 or fd00::/8) nor one of ${WORDS.join(", ")}`);
    }
    cidrs.push(`${address}/${prefix}`);
  }
  return { words, cidrs };
}

/** The refusal of one address. */
export interface EgressRefusal {
  address: string;
  category: AddressCategory;
}

/** Decides which addresses outgoing requests may connect to. */
export interface EgressPolicy {
  /** The refusal of `address` (an IP), or undefined when it may be reached. */
  check(address: string): EgressRefusal | undefined;
  /** How an operator allows a refused category, for messages (`--egress-allow loopback`). */
  howToAllow(category: AddressCategory): string;
}

/** Every address may be reached (local mode: a laptop's Prometheus is on loopback). */
export const allowAllEgress: EgressPolicy = {
  check: () => undefined,
  howToAllow: () => "",
};

/** Settings of {@link createEgressPolicy}. */
export interface EgressPolicyOptions {
  /** What the install allows (default: nothing extra). */
  allow?: EgressAllow;
  /** The API server's IP addresses (from the kubeconfig and `KUBERNETES_SERVICE_HOST`). */
  apiServerAddresses?: readonly string[];
  /** The setting that allows more, as named in messages (default `--egress-allow`). */
  flag?: string;
}

/** `::ffff:127.0.0.1` is 127.0.0.1: an IPv4-mapped address is judged as the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } | undefined {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return { address: mapped[1]!, family: "ipv4" };
  const family = isIP(bare);
  if (family === 4) return { address: bare, family: "ipv4" };
  if (family === 6) return { address: bare, family: "ipv6" };
  return undefined;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split("/");
    const ip = unmapped(address!);
    if (!ip) continue;
    list.addSubnet(ip.address, Number(bits ?? (ip.family === "ipv6" ? 128 : 32)), ip.family);
  }
  return list;
}

const CATEGORY_RANGES: Record<Exclude<AddressCategory, "apiserver">, BlockList> = {
  loopback: blockList(["127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128"]),
  "link-local": blockList(["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"]),
  private: blockList(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]),
};

/**
 * The egress policy of the controller and of action Jobs: loopback, link-local (the cloud
 * metadata address included) and the API server's addresses are refused unless allowed by word
 * or by a CIDR that contains them. The check is on the address actually connected to (see
 * {@link guardedLookup}), so a name that resolves differently on the second lookup gains nothing.
 */
export function createEgressPolicy(options: EgressPolicyOptions = {}): EgressPolicy {
  const allow = options.allow ?? { words: new Set(), cidrs: [] };
  const allowed = blockList(allow.cidrs);
  const apiServer = blockList((options.apiServerAddresses ?? []).filter((a) => unmapped(a)));
  const flag = options.flag ?? "--egress-allow";
  const inCategory = (category: AddressCategory, ip: { address: string; family: "ipv4" | "ipv6" }) =>
    category === AddressCategory.ApiServer ? apiServer.check(ip.address, ip.family) : CATEGORY_RANGES[category].check(ip.address, ip.family);
  return {
    check(address) {
      const ip = unmapped(address);
      if (!ip) return undefined;
      if (allowed.check(ip.address, ip.family)) return undefined;
      for (const category of REFUSED) {
        if (!allow.words.has(category) && inCategory(category, ip)) return { address: ip.address, category };
      }
      return undefined;
    },
    howToAllow: (category) => `${flag} ${category}`,
  };
}

/** A lookup refused by the egress policy; `http` reports it as the request's error. */
export class EgressRefusedError extends Error {
  override readonly name = "EgressRefusedError";
  readonly code = "EGRESS_REFUSED";
  constructor(
    readonly refusal: EgressRefusal,
    readonly howToAllow: string,
  ) {
    super(`${refusal.address} is ${describeCategory(refusal.category)}, refused by the egress policy (allow it with ${howToAllow})`);
  }
}

/** The text of an address category in messages. */
export function describeCategory(category: AddressCategory): string {
  switch (category) {
    case AddressCategory.Loopback:
      return "a loopback address";
    case AddressCategory.LinkLocal:
      return "a link-local address (the cloud metadata address is one)";
    case AddressCategory.ApiServer:
      return "an address of the Kubernetes API server";
    case AddressCategory.Private:
      return "a private address";
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` (through an http Agent) that resolves as usual and then refuses
 * the connection when any resolved address is refused by the policy. The socket connects only to
 * what this returned, so the address checked is the address used.
 */
export function guardedLookup(policy: EgressPolicy, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      for (const entry of addresses) {
        const refusal = policy.check(entry.address);
        if (refusal) return callback(new EgressRefusedError(refusal, policy.howToAllow(refusal.category)) as unknown as NodeJS.ErrnoException, "", 0);
      }
      if ((options as LookupAllOptions).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

/** The IP addresses a host name or address stands for (an IP is itself); none when it cannot be resolved. */
export async function resolveAddresses(host: string, resolve: typeof dnsLookup = dnsLookup): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return [bare];
  return new Promise((done) => resolve(bare, { all: true }, (error, addresses) => done(error ? [] : addresses.map((a) => a.address))));
}
