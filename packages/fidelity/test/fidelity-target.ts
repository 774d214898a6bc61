/**
 * The two API servers the fidelity suite runs every test against: testkit's KubeTestServer and a
 * real kube-apiserver from @iter8ts/kube-harness (or the cluster ITER8TS_KUBECONFIG names). Both
 * come with the real kubectl, @kubernetes/client-node and raw HTTP through the same credentials,
 * a namespace of their own and the CRDs testkit preinstalls.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { join } from "node:path";
import { startControlPlane, waitForCrdsEstablished, type ControlPlane, type KubectlOptions, type KubectlResult } from "@iter8ts/kube-harness";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, type TestContext } from "vitest";
import { KubeTestServer, defaultCustomResourceDefinitions } from "@iter8ts/testkit";

/** Which server a target is. */
export type TargetName = "testkit" | "kube-apiserver";

/** An answer to {@link FidelityTarget.request}. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: Record<string, unknown> | undefined;
}

/** A raw request: the body is sent as JSON unless it is a string. */
export interface RawRequest {
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Bearer token instead of the admin's credentials. */
  token?: string;
}

/** One server under test, with its clients. */
export interface FidelityTarget {
  name: TargetName;
  /** True for kube-apiserver. */
  real: boolean;
  kubeconfigPath: string;
  kc: KubeConfig;
  /** A namespace created for this file. */
  namespace: string;
  /** The real kubectl against this server. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** Any HTTP request with the admin's credentials. */
  request(method: string, path: string, options?: RawRequest): Promise<RawResponse>;
  /** kube-harness's access to the real server (undefined for testkit). */
  plane: ControlPlane | undefined;
  /** The test server itself (undefined for kube-apiserver). */
  server: KubeTestServer | undefined;
  /**
   * Forgets the change history, so that resuming from any resourceVersion seen so far answers 410:
   * `compact()` on testkit, an etcd compaction (its HTTP gateway) on a started control plane.
   * False on a cluster whose etcd is out of reach (ITER8TS_KUBECONFIG).
   */
  compact(): Promise<boolean>;
  /** Watch events of `path` (a collection) until the server ends the stream after `timeoutSeconds`. */
  watch(path: string, query: Record<string, string>, timeoutSeconds?: number): Promise<{ status: number; events: WatchEvent[] }>;
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

const TARGETS: readonly TargetName[] = ["testkit", "kube-apiserver"];

async function start(name: TargetName): Promise<{ target: FidelityTarget; close(): Promise<void> }> {
  const namespace = `fidelity-${randomBytes(3).toString("hex")}`;
  let server: KubeTestServer | undefined;
  let plane: ControlPlane;
  if (name === "testkit") {
    server = await KubeTestServer.start({ jobs: false });
    // kube-harness treats any kubeconfig as an external cluster: it brings the built kubectl.
    plane = await startControlPlane({ env: { ...process.env, ITER8TS_KUBECONFIG: server.kubeconfigPath } });
  } else {
    plane = await startControlPlane();
  }
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  const request = rawRequester(kc);
  const target: FidelityTarget = {
    name,
    real: name === "kube-apiserver",
    kubeconfigPath: plane.kubeconfigPath,
    kc,
    namespace,
    kubectl: (args, options) => plane.kubectl(args, options),
    request,
    plane: server ? undefined : plane,
    server,
    compact: async () => {
      if (server) {
        server.compact();
        return true;
      }
      return compactEtcd(plane);
    },
    watch: async (path, query, timeoutSeconds = 1) => {
      const params = new URLSearchParams({ ...query, watch: "true", timeoutSeconds: String(timeoutSeconds) });
      const r = await request("GET", `${path}?${params}`);
      const events = r.text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as WatchEvent);
      return { status: r.status, events };
    },
  };
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  if (!server) await installCrds(target);
  return {
    target,
    close: async () => {
      if (plane.external && !server) await request("DELETE", `/api/v1/namespaces/${namespace}`).catch(() => undefined);
      await plane.stop();
      await server?.close();
    },
  };
}

/** The CRDs testkit preinstalls, on the real server too (server-side apply, then Established). */
async function installCrds(target: FidelityTarget): Promise<void> {
  const list = { apiVersion: "v1", kind: "List", items: defaultCustomResourceDefinitions() };
  const applied = await target.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], { input: JSON.stringify(list) });
  expect(applied.exitCode, applied.stderr).toBe(0);
  const names = list.items.map((c) => `crd/${String((c.metadata as { name: string }).name)}`);
  await waitForCrdsEstablished(target, names);
}

/**
 * Compacts the etcd of a control plane kube-harness started, to its current revision, through
 * etcd's HTTP gateway (kube-apiserver compacts only every 5 minutes). The etcd port comes from
 * its command line, found through the harness's state file.
 */
async function compactEtcd(plane: ControlPlane): Promise<boolean> {
  if (!plane.dir) return false;
  const state = JSON.parse(readFileSync(join(plane.dir, "state.json"), "utf8")) as { components: { name: string; pid: number }[] };
  const etcd = state.components.find((c) => c.name === "etcd");
  if (!etcd) return false;
  const args = readFileSync(`/proc/${etcd.pid}/cmdline`, "utf8").split("\0");
  const port = args[args.indexOf("--client-port") + 1];
  const post = async (api: string, body: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}/v3/kv/${api}`, { method: "POST", body: JSON.stringify(body) });
    return (await response.json()) as { header: { revision: string } };
  };
  const { header } = await post("range", { key: "AA==" });
  await post("compaction", { revision: header.revision, physical: true });
  return true;
}

function rawRequester(kc: KubeConfig): FidelityTarget["request"] {
  return async (method, path, options = {}) => {
    const base = new URL(kc.getCurrentCluster()?.server ?? "");
    const url = new URL(path, base);
    const tls: RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
    if (options.token) {
      // The admin's certificate must not go along (client-node also puts it into an agent).
      delete tls.cert;
      delete tls.key;
      delete tls.agent;
      headers.Authorization = `Bearer ${options.token}`;
    }
    const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = send(url, { ...tls, method, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let json: RawResponse["json"];
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}

/**
 * `describe.each` over both servers: `body` gets a getter for the target, which is started once
 * for the block (a control plane takes about 4 s) and stopped after it.
 */
export function describeOnBothServers(title: string, body: (target: () => FidelityTarget, name: TargetName) => void): void {
  describe.each(TARGETS)(`${title} (%s)`, (name) => {
    let started: Awaited<ReturnType<typeof start>> | undefined;
    beforeAll(async () => {
      started = await start(name);
    }, 10 * 60_000);
    afterAll(async () => {
      await started?.close();
    });
    body(() => {
      if (!started) throw new Error(`the ${name} target did not start`);
      return started.target;
    }, name);
  });
}

/** Expects kubectl to have succeeded, showing what it said when it did not; returns stdout. */
export function ok(result: KubectlResult): string {
  expect(result.exitCode, `kubectl failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

/**
 * Skips the running test, saying why in its report (`meta.skipReason`), which `npm test` lists
 * and requires: a skip without a reason fails the run (scripts/skipped-tests.mjs).
 */
export function skipBecause(ctx: TestContext, reason: string): never {
  (ctx.task.meta as { skipReason?: string }).skipReason = reason;
  ctx.skip(reason);
  throw new Error("unreachable: ctx.skip() ends the test");
}
