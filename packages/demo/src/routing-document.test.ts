import { describe, expect, it } from "vitest";
import { DemoError } from "./demo-error";
import { parseRoutingDocument, routeLabel, routingDocumentYaml } from "./routing-document";

const service = (routes: string) => `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: sample-app
  namespace: demo
spec:
  hosts: [sample-app]
  http:
  - route:
${routes}`;

const route = (port: number, weight?: number, extra = "") =>
  `    - destination:\n        host: 127.0.0.1\n${extra}        port:\n          number: ${port}\n${weight === undefined ? "" : `      weight: ${weight}\n`}`;

function errorOf(text: string): DemoError {
  try {
    parseRoutingDocument(text, "routing.yaml");
  } catch (error) {
    if (error instanceof DemoError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("parseRoutingDocument", () => {
  it("reads the weighted destinations of spec.http[0]", () => {
    const table = parseRoutingDocument(service(route(4001, 80, "        subset: v1\n") + route(4002, 20)));
    expect(table.name).toBe("sample-app");
    expect(table.namespace).toBe("demo");
    expect(table.routes).toEqual([
      { host: "127.0.0.1", port: 4001, subset: "v1", weight: 80 },
      { host: "127.0.0.1", port: 4002, weight: 20 },
    ]);
    expect(table.shares).toEqual([0.8, 0.2]);
    expect(table.warnings).toEqual([]);
    expect(table.routes.map(routeLabel)).toEqual(["v1", "127.0.0.1:4002"]);
  });

  it("gives a lone route all traffic and treats other missing weights as 0, as Istio does", () => {
    expect(parseRoutingDocument(service(route(4001))).shares).toEqual([1]);
    expect(parseRoutingDocument(service(route(4001, 100) + route(4002))).shares).toEqual([1, 0]);
  });

  it("splits in proportion when weights do not add up to 100, and says so", () => {
    const table = parseRoutingDocument(service(route(4001, 30) + route(4002, 30)), "routing.yaml");
    expect(table.shares).toEqual([0.5, 0.5]);
    expect(table.warnings).toEqual(["routing.yaml: weights add up to 60, not 100; traffic is split in proportion"]);
  });

  it("finds the VirtualService among other documents", () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n---\n${service(route(4001, 100))}`;
    expect(parseRoutingDocument(text).routes[0]!.port).toBe(4001);
  });

  it("names the field at fault", () => {
    expect(errorOf(service(route(4001, 100).replace("127.0.0.1", "example.com"))).message).toBe(
      'routing.yaml: spec.http[0].route[0].destination.host: must be a loopback host (127.0.0.1, localhost or ::1); the demo router forwards only on this machine (got "example.com")',
    );
    expect(errorOf(service(route(4001, 100) + route(4002, 150))).message).toContain("spec.http[0].route[1].weight: must be a whole number between 0 and 100 (got 150)");
    expect(errorOf(service(route(4001, 0) + route(4002, 0))).message).toContain("every weight is 0");
    expect(errorOf(service(route(4001, 100)).replace("number: 4001", 'number: "${DEMO_V1_PORT}"')).message).toContain(
      'spec.http[0].route[0].destination.port.number: must be a port number between 1 and 65535 (got "${DEMO_V1_PORT}")',
    );
    expect(errorOf("apiVersion: v1\nkind: Service\n").message).toContain("holds no VirtualService");
    expect(errorOf("kind: VirtualService\napiVersion: v1\n").message).toContain("apiVersion: must be a networking.istio.io version");
    expect(errorOf("kind: [unclosed").code).toBe("routing_invalid");
  });

  it("writes documents it reads back unchanged", () => {
    const routes = [
      { host: "127.0.0.1", port: 4001, subset: "v1", weight: 25 },
      { host: "127.0.0.1", port: 4002, subset: "v2", weight: 75 },
    ];
    const table = parseRoutingDocument(routingDocumentYaml({ name: "sample-app", namespace: "demo", routes }));
    expect(table.routes).toEqual(routes);
    expect(table.namespace).toBe("demo");
  });
});
