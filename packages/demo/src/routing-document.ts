import { parseAllDocuments, stringify } from "yaml";
import { DemoError, DemoErrorCode } from "./demo-error";

/** One weighted destination of `spec.http[0].route`. */
export interface Route {
  /** A loopback host: `127.0.0.1`, `localhost` or `::1`. */
  host: string;
  port: number;
  /** The destination's `subset`, used as the version's label when the version cannot say. */
  subset?: string;
  /** The weight as written; see {@link RoutingTable.shares} for the traffic share. */
  weight: number;
}

/** What the router follows: the routes of a VirtualService's first HTTP rule. */
export interface RoutingTable {
  name: string;
  namespace?: string;
  routes: Route[];
  /** Each route's share of traffic, in [0, 1], same order as `routes`. */
  shares: number[];
  /** Things that did not stop the router but that the user may want to fix. */
  warnings: string[];
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The label telemetry uses for a route whose version gave no answer. */
export function routeLabel(route: Route): string {
  return route.subset ?? `${route.host}:${route.port}`;
}

/**
 * Reads an Istio `networking.istio.io` VirtualService (YAML or JSON, possibly among other
 * documents) into the routes of `spec.http[0]`. As in Istio, a lone route without a weight gets
 * all traffic and a missing weight elsewhere counts as 0. Weights that do not add up to 100 are
 * used in proportion, with a warning.
 *
 * @param source What to call the document in messages (usually its path).
 * @throws DemoError `routing_invalid` naming the field at fault and what to write instead.
 */
export function parseRoutingDocument(text: string, source = "the routing document"): RoutingTable {
  const fail = (path: string, message: string): never => {
    throw new DemoError(DemoErrorCode.RoutingInvalid, `${source}: ${path ? `${path}: ` : ""}${message}`);
  };
  const docs = parseAllDocuments(text);
  const services: Record<string, unknown>[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) fail("", `is not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`);
    const value: unknown = doc.toJS();
    if (isRecord(value) && value.kind === "VirtualService") services.push(value);
  }
  const warnings: string[] = [];
  const service = services[0];
  if (!service) return fail("", "holds no VirtualService; write one with apiVersion networking.istio.io/v1alpha3 and kind VirtualService");
  if (services.length > 1) warnings.push(`${source} holds ${services.length} VirtualServices; the router follows the first`);
  if (typeof service.apiVersion !== "string" || !service.apiVersion.startsWith("networking.istio.io/")) {
    fail("apiVersion", `must be a networking.istio.io version such as networking.istio.io/v1alpha3 (got ${JSON.stringify(service.apiVersion)})`);
  }
  const metadata = isRecord(service.metadata) ? service.metadata : {};
  if (typeof metadata.name !== "string" || metadata.name === "") fail("metadata.name", "is required");
  const spec = isRecord(service.spec) ? service.spec : fail("spec", "is required");
  const http = Array.isArray(spec.http) && spec.http.length > 0 ? spec.http : fail("spec.http", "must list at least one HTTP rule");
  if (http.length > 1) warnings.push(`${source}: only spec.http[0] is followed; later rules are ignored`);
  const rule = isRecord(http[0]) ? http[0] : fail("spec.http[0]", "must be an object with a route list");
  const rawRoutes = Array.isArray(rule.route) && rule.route.length > 0 ? rule.route : fail("spec.http[0].route", "must list at least one destination");

  const routes = rawRoutes.map((raw, i): Route => {
    const at = `spec.http[0].route[${i}]`;
    const entry = isRecord(raw) ? raw : fail(at, "must be an object with destination and weight");
    const destination = isRecord(entry.destination) ? entry.destination : fail(`${at}.destination`, "is required");
    const host = destination.host;
    if (typeof host !== "string" || !LOOPBACK.has(host)) {
      fail(`${at}.destination.host`, `must be a loopback host (127.0.0.1, localhost or ::1); the demo router forwards only on this machine (got ${JSON.stringify(host)})`);
    }
    const portNumber = isRecord(destination.port) ? destination.port.number : undefined;
    if (typeof portNumber !== "number" || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
      fail(`${at}.destination.port.number`, `must be a port number between 1 and 65535 (got ${JSON.stringify(portNumber)})`);
    }
    let weight = entry.weight;
    if (weight === undefined || weight === null) weight = rawRoutes.length === 1 ? 100 : 0;
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      fail(`${at}.weight`, `must be a whole number between 0 and 100 (got ${JSON.stringify(weight)})`);
    }
    const subset = destination.subset;
    if (subset !== undefined && (typeof subset !== "string" || subset === "")) fail(`${at}.destination.subset`, "must be a non-empty string");
    const route: Route = { host: host as string, port: portNumber as number, weight: weight as number };
    if (typeof subset === "string") route.subset = subset;
    return route;
  });

  const total = routes.reduce((s, r) => s + r.weight, 0);
  if (total === 0) fail("spec.http[0].route", "every weight is 0, so no version could serve; give at least one route a positive weight");
  if (total !== 100) warnings.push(`${source}: weights add up to ${total}, not 100; traffic is split in proportion`);
  const table: RoutingTable = {
    name: metadata.name as string,
    routes,
    shares: routes.map((r) => r.weight / total),
    warnings,
  };
  if (typeof metadata.namespace === "string") table.namespace = metadata.namespace;
  return table;
}

/** A VirtualService as YAML, routing `spec.http[0]` to the given loopback destinations. */
export function routingDocumentYaml(service: { name: string; namespace?: string; routes: readonly Route[] }): string {
  return stringify({
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "VirtualService",
    metadata: { name: service.name, ...(service.namespace ? { namespace: service.namespace } : {}) },
    spec: {
      hosts: [service.name],
      http: [
        {
          route: service.routes.map((r) => ({
            destination: { host: r.host, ...(r.subset ? { subset: r.subset } : {}), port: { number: r.port } },
            weight: r.weight,
          })),
        },
      ],
    },
  });
}
