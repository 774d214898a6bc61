// The real kubectl against both servers: `get` prints the server-side Table (the CRDs' printer
// columns, the built-in kinds' columns), `apply` and `create` find what they need in /openapi/v3,
// `explain` renders the CRD's schema, server-side apply conflicts read the same.
import { expect, it } from "vitest";
import { describeOnBothServers, ok, type FidelityTarget } from "./fidelity-target";

const columns = (line: string | undefined) => (line ?? "").trim().split(/\s{2,}/);

describeOnBothServers("kubectl", (target) => {
  const t = (): FidelityTarget => target();
  const k = (args: string[], input?: string) => t().kubectl(["-n", t().namespace, ...args], input === undefined ? {} : { input });
  const experiment = (name: string, spec: Record<string, unknown> = {}) =>
    JSON.stringify({ apiVersion: "iter8.tools/v2alpha2", kind: "Experiment", metadata: { name }, spec: { target: "default/app", strategy: { testingPattern: "Canary" }, ...spec } });

  it("create -f and apply -f (built-in kinds and custom resources), through /openapi/v3", async () => {
    expect(ok(await k(["create", "-f", "-"], experiment("created")))).toBe("experiment.iter8.tools/created created\n");
    const configMap = (value: string) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data: { mode: value } });
    expect(ok(await k(["apply", "-f", "-"], configMap("fast")))).toBe("configmap/applied created\n");
    expect(ok(await k(["apply", "-f", "-"], configMap("slow")))).toBe("configmap/applied configured\n");
    expect(ok(await k(["get", "configmap", "applied", "-o", "jsonpath={.data.mode}"]))).toBe("slow");
    expect(ok(await k(["apply", "-f", "-"], experiment("applied")))).toBe("experiment.iter8.tools/applied created\n");
    expect(ok(await k(["apply", "-f", "-"], experiment("applied", { duration: { maxLoops: 2 } })))).toBe("experiment.iter8.tools/applied configured\n");
    expect(ok(await k(["get", "experiment", "applied", "-o", "jsonpath={.spec.duration.maxLoops}"]))).toBe("2");
    expect(ok(await k(["create", "--dry-run=server", "-f", "-"], experiment("dry")))).toBe("experiment.iter8.tools/dry created (server dry run)\n");
    // The server's 422 as kubectl prints it.
    const refused = await k(["create", "-f", "-"], experiment("refused", { criteria: { objectives: [{ metric: "m", upperLimit: 0.5 }] } }));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('The Experiment "refused" is invalid: ');
    expect(refused.stderr).toContain('spec.criteria.objectives[0].upperLimit: Invalid value: "number": spec.criteria.objectives[0].upperLimit in body must be of type integer,string: "number"');
    // Unknown fields: kubectl asks for Strict validation by default.
    const typo = await k(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "typo" }, dta: {} }));
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toContain('unknown field "dta"');
  });

  it("get prints the CRD's printer columns and the built-in kinds' columns from the server's Table", async () => {
    ok(await k(["create", "-f", "-"], experiment("listed")));
    const experiments = ok(await k(["get", "experiments"])).trimEnd().split("\n");
    expect(columns(experiments[0])).toEqual(["NAME", "TYPE", "TARGET", "STAGE", "COMPLETED ITERATIONS", "MESSAGE"]);
    expect(columns(experiments.find((l) => l.startsWith("listed ")))).toEqual(["listed", "Canary", "default/app"]);
    ok(await k(["create", "configmap", "two-keys", "--from-literal=a=1", "--from-literal=b=2"]));
    const configMaps = ok(await k(["get", "configmap", "two-keys"])).trimEnd().split("\n");
    expect(columns(configMaps[0])).toEqual(["NAME", "DATA", "AGE"]);
    expect(columns(configMaps[1]).slice(0, 2)).toEqual(["two-keys", "2"]);
    expect(columns(configMaps[1])[2]).toMatch(/^\d+s$/);
    ok(await k(["create", "-f", "-"], JSON.stringify({ apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "routing" }, spec: { hosts: ["app"] } })));
    expect(columns(ok(await k(["get", "virtualservices"])).split("\n")[0])).toEqual(["NAME", "AGE"]);
    expect(columns(ok(await t().kubectl(["get", "crd", "experiments.iter8.tools"])).split("\n")[0])).toEqual(["NAME", "SCOPE", "VERSIONS", "CREATED AT"]);
    expect(columns(ok(await t().kubectl(["get", "namespace", t().namespace])).split("\n")[1]).slice(0, 2)).toEqual([t().namespace, "Active"]);
    expect(columns(ok(await k(["get", "configmap", "two-keys", "-o", "wide"])).split("\n")[0])).toEqual(["NAME", "DATA", "AGE"]);
    const jobs = ok(await k(["get", "jobs", "-o", "wide"]));
    expect(jobs === "" || columns(jobs.split("\n")[0]).join(" ") === "NAME STATUS COMPLETIONS DURATION AGE CONTAINERS IMAGES SELECTOR").toBe(true);
  });

  it("explain renders the CRD's schema, and the built-in kinds' fields", async () => {
    const duration = ok(await t().kubectl(["explain", "experiments.spec.duration"]));
    expect(duration).toContain("GROUP:      iter8.tools\nKIND:       Experiment\nVERSION:    v2alpha2\n");
    expect(duration).toMatch(/FIELD: duration <Object>/);
    expect(duration).toMatch(/intervalSeconds\s+<integer>\n\s+Seconds between iterations \(default 20\)\./);
    const experimentFields = ok(await t().kubectl(["explain", "experiments"]));
    expect(experimentFields).toMatch(/metadata\s+<ObjectMeta>/);
    expect(experimentFields).toMatch(/spec\s+<Object> -required-/);
    const configMap = ok(await t().kubectl(["explain", "configmap"]));
    expect(configMap).toContain("KIND:       ConfigMap\nVERSION:    v1\n");
    expect(configMap).toMatch(/data\s+<map\[string\]string>/);
  });

  it("apply --server-side: a conflict with another manager reads the same, --force-conflicts takes the field", async () => {
    const cm = (value: string) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shared" }, data: { owner: value } });
    expect(ok(await k(["apply", "--server-side", "--field-manager=first", "-f", "-"], cm("first")))).toBe("configmap/shared serverside-applied\n");
    const conflict = await k(["apply", "--server-side", "--field-manager=second", "-f", "-"], cm("second"));
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain('error: Apply failed with 1 conflict: conflict with "first": .data.owner');
    ok(await k(["apply", "--server-side", "--field-manager=second", "--force-conflicts", "-f", "-"], cm("second")));
    expect(ok(await k(["get", "configmap", "shared", "-o", "jsonpath={.data.owner}"]))).toBe("second");
  });
});
