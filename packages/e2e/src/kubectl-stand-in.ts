import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describeObject, type KubeObject, type ObjectKey } from "@iter8ts/resources";
import { applyMergePatch, installKubectl, writeKubeconfig, type InstalledKubectl } from "@iter8ts/testkit";
import { E2eError, E2eErrorCode } from "./e2e-error";

/** Where applied objects go: an `InMemoryResourceClient` fits. */
export interface ObjectSink {
  peek(key: ObjectKey): KubeObject | undefined;
  put(object: KubeObject): unknown;
}

/** One object a `kubectl apply` went through, in kubectl's words. */
export interface AppliedObject {
  /** `Kind namespace/name`. */
  object: string;
  outcome: "created" | "configured" | "unchanged";
}

/** A running stand-in; see {@link startKubectlStandIn}. */
export interface KubectlStandIn {
  /** The `kubectl` executable: give it to the tasks package as its `kubectl` dependency. */
  readonly kubectl: string;
  /**
   * Environment for task processes: `PATH` starting with the stand-in's folder (so `bash -c
   * "kubectl apply …"` finds it before any real kubectl) and the `KUBECONFIG` of its API.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every object applied, oldest first. */
  readonly applied: readonly AppliedObject[];
  /** Stops the API and removes the executable and the kubeconfig. */
  close(): Promise<void>;
}

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass"]);
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A kind the stand-in's API serves, as a cluster serves the kinds of its installed CRDs. */
export interface ServedKind {
  apiVersion: string;
  kind: string;
}

function pluralOf(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) request.destroy(new Error("the request is too large"));
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

/**
 * The few calls of the Kubernetes API that `kubectl apply` makes (discovery, get, create and JSON
 * merge patch), served over objects held in this process.
 */
function kubeApi(sink: ObjectSink, kinds: readonly ServedKind[], applied: AppliedObject[]) {
  const served = [...kinds, { apiVersion: "v1", kind: "Namespace" }];
  let lastRead: AppliedObject | undefined;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? "/", "http://stand-in").pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const groupLength = path[0] === "api" ? 2 : 3;
    const apiVersion = path.slice(1, groupLength).join("/");
    const rest = path.slice(groupLength);
    if (path[0] !== "api" && path[0] !== "apis") return send(404, { message: "the kubectl stand-in serves only /api and /apis" });
    if (rest.length === 0 && request.method === "GET") {
      const resources = served.filter((k) => k.apiVersion === apiVersion).map((k) => ({ name: pluralOf(k.kind), kind: k.kind, namespaced: !CLUSTER_SCOPED.has(k.kind) }));
      return send(resources.length > 0 ? 200 : 404, { kind: "APIResourceList", groupVersion: apiVersion, resources });
    }
    const namespace = rest[0] === "namespaces" && rest.length >= 3 ? rest[1] : undefined;
    const [plural, name] = namespace === undefined ? rest : rest.slice(2);
    const kind = served.find((k) => k.apiVersion === apiVersion && pluralOf(k.kind) === plural)?.kind;
    if (kind === undefined) return send(404, { message: `the server could not find the requested resource ${rest.join("/")}` });
    const key: ObjectKey = { apiVersion, kind, name: name ?? "", ...(namespace !== undefined ? { namespace } : {}) };
    const stored = name === undefined ? undefined : sink.peek(key);
    const record = (outcome: AppliedObject["outcome"]) => {
      const object = describeObject(key);
      // kubectl reads each object before it writes it: a write completes the record of that read.
      if (outcome !== "unchanged" && lastRead?.object === object) lastRead.outcome = outcome;
      else applied.push({ object, outcome });
      lastRead = outcome === "unchanged" ? applied.at(-1) : undefined;
    };
    if (request.method === "GET" && name !== undefined) {
      if (!stored) return send(404, { kind: "Status", status: "Failure", reason: "NotFound", message: `${plural} "${name}" not found` });
      record("unchanged");
      return send(200, stored);
    }
    if (request.method === "POST" && name === undefined) {
      const object = JSON.parse(await readBody(request)) as KubeObject;
      key.name = object.metadata.name;
      if (sink.peek(key)) return send(409, { kind: "Status", status: "Failure", reason: "AlreadyExists", message: `${plural} "${key.name}" already exists` });
      sink.put(object);
      record("created");
      return send(201, sink.peek(key));
    }
    if (request.method === "PATCH" && stored && request.headers["content-type"] === "application/merge-patch+json") {
      const patched = applyMergePatch(stored, JSON.parse(await readBody(request))) as KubeObject;
      if (!isDeepStrictEqual(patched, stored)) sink.put(patched);
      record("configured");
      return send(200, sink.peek(key));
    }
    return send(405, { message: `the kubectl stand-in does not serve ${request.method} ${request.url}` });
  };
}

/**
 * Starts the kubectl stand-in of @iter8ts/testkit (`kubectl apply [-n NS] -f FILE|DIR|- [-R]`,
 * kubectl's own three-way merge) against objects held in this process (an
 * `InMemoryResourceClient`), so finish actions that promote a version with `kubectl apply -f …`
 * run for real (a real shell, a real process, the API calls kubectl makes) in tests, with no
 * cluster and no kubectl binary. `kinds` are the kinds its API serves besides Namespace (a
 * manifest of another kind fails, as on a cluster without that CRD).
 *
 * @throws E2eError `stand_in_failed` when the executable or the API cannot be set up.
 */
export async function startKubectlStandIn(sink: ObjectSink, kinds: readonly ServedKind[]): Promise<KubectlStandIn> {
  const applied: AppliedObject[] = [];
  const handle = kubeApi(sink, kinds, applied);
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: (error as Error).message }));
    });
  });
  let dir: string | undefined;
  let kubectl: InstalledKubectl | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(join(tmpdir(), "iter8ts-kubectl-api-"));
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`, join(dir, "kubeconfig"));
    kubectl = await installKubectl();
    const folder = dir;
    const installed = kubectl;
    return {
      kubectl: join(installed.folder, "kubectl"),
      env: { PATH: `${installed.folder}:${SYSTEM_PATH}`, KUBECONFIG: kubeconfig },
      applied,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await installed.remove();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    server.close();
    await kubectl?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw new E2eError(E2eErrorCode.StandInFailed, `the kubectl stand-in could not start: ${(error as Error).message}`, { cause: error });
  }
}
