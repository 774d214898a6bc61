import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";
import { describeObject, type KubeObject, type ObjectKey } from "@iter8ts/resources";
import { E2eError, E2eErrorCode } from "./e2e-error";

/** Where applied objects go: an `InMemoryResourceClient` fits. */
export interface ObjectSink {
  peek(key: ObjectKey): KubeObject | undefined;
  put(object: KubeObject): unknown;
}

/** One `kubectl apply` the stand-in carried out (or refused). */
export interface AppliedManifest {
  /** The files given with `-f`, as the process named them. */
  sources: string[];
  /** `-n` / `--namespace`, when given. */
  namespace?: string;
  /** `kind namespace/name` of each object applied, in order. */
  objects: string[];
  exitCode: number;
  /** What the process printed (kubectl's own wording). */
  output: string;
}

/** A running stand-in; see {@link startKubectlStandIn}. */
export interface KubectlStandIn {
  /** The `kubectl` executable: give it to the tasks package as its `kubectl` dependency. */
  readonly kubectl: string;
  /**
   * Environment for task processes: `PATH` starting with the stand-in's folder (so `bash -c
   * "kubectl apply …"` finds it before any real kubectl) and the address it reports to.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every apply, oldest first. */
  readonly applied: readonly AppliedManifest[];
  /** Stops the loopback endpoint and removes the executable. */
  close(): Promise<void>;
}

const ADDRESS_VARIABLE = "ITER8TS_KUBECTL_STAND_IN";
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass"]);
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// The process side: reads the files kubectl would read and sends them to the test process,
// which owns the objects. Plain CommonJS, so that it runs with no package around it.
const CLIENT_SOURCE = String.raw`"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
function fail(message) { process.stderr.write("error: " + message + "\n"); process.exit(1); }
const args = process.argv.slice(2);
let namespace;
let recursive = false;
const files = [];
const verbs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "-n" || a === "--namespace") namespace = args[++i];
  else if (a.startsWith("--namespace=")) namespace = a.slice("--namespace=".length);
  else if (a === "-f" || a === "--filename") files.push(args[++i]);
  else if (a.startsWith("--filename=")) files.push(a.slice("--filename=".length));
  else if (a === "-R" || a === "--recursive") recursive = true;
  else if (a.startsWith("-")) fail("the kubectl stand-in does not support " + a + "; it runs kubectl apply [-n NAMESPACE] -f FILE");
  else verbs.push(a);
}
if (verbs.length !== 1 || verbs[0] !== "apply") fail("the kubectl stand-in only runs kubectl apply [-n NAMESPACE] -f FILE, not: kubectl " + args.join(" "));
if (files.length === 0 || files.some((f) => !f)) fail("must specify one of -f and -k");
const documents = [];
function read(p) {
  if (/^https?:\/\//.test(p)) fail("the kubectl stand-in cannot download " + p + "; point the finish action at local manifests");
  if (p === "-") { documents.push({ source: "-", text: fs.readFileSync(0, "utf8") }); return; }
  let stat;
  try { stat = fs.statSync(p); } catch { fail("the path \"" + p + "\" does not exist"); }
  if (!stat.isDirectory()) { documents.push({ source: p, text: fs.readFileSync(p, "utf8") }); return; }
  for (const e of fs.readdirSync(p, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const full = path.join(p, e.name);
    if (e.isDirectory()) { if (recursive) read(full); }
    else if (/\.(ya?ml|json)$/.test(e.name)) documents.push({ source: full, text: fs.readFileSync(full, "utf8") });
  }
}
files.forEach(read);
const address = process.env.${ADDRESS_VARIABLE};
if (!address) fail("${ADDRESS_VARIABLE} is not set; the kubectl stand-in cannot reach its cluster");
const request = http.request(address, { method: "POST", headers: { "content-type": "application/json" } }, (response) => {
  let body = "";
  response.setEncoding("utf8");
  response.on("data", (chunk) => { body += chunk; });
  response.on("end", () => {
    let answer;
    try { answer = JSON.parse(body); } catch { fail("the cluster stand-in answered " + response.statusCode + ": " + body); }
    if (answer.stdout) process.stdout.write(answer.stdout);
    if (answer.stderr) process.stderr.write(answer.stderr);
    process.exit(answer.exitCode);
  });
});
request.on("error", (error) => fail("cannot reach the cluster stand-in: " + error.message));
request.end(JSON.stringify({ namespace, files, documents }));
`;

interface ApplyRequest {
  namespace?: string;
  files: string[];
  documents: { source: string; text: string }[];
}

/** `virtualservice.networking.istio.io/bookinfo`, as kubectl names what it applied. */
function resourceName(object: KubeObject): string {
  const slash = object.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : object.apiVersion.slice(0, slash);
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ""}/${object.metadata.name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the objects of an apply request and places them in their namespaces as kubectl does;
 * returns them, or kubectl's message for the first one it would refuse. Nothing is applied
 * unless every object is acceptable, so a refused apply changes nothing.
 */
function readObjects(request: ApplyRequest): { objects: KubeObject[] } | { error: string } {
  const objects: KubeObject[] = [];
  for (const { source, text } of request.documents) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) return { error: `error parsing ${source}: ${doc.errors[0]?.message.split("\n")[0]}` };
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      const items = isObject(value) && value.kind === "List" && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
      for (const item of items) {
        if (!isObject(item) || typeof item.apiVersion !== "string" || typeof item.kind !== "string" || !isObject(item.metadata) || typeof item.metadata.name !== "string") {
          return { error: `error validating "${source}": an object needs apiVersion, kind and metadata.name` };
        }
        const object = structuredClone(item) as KubeObject;
        delete object.metadata.resourceVersion;
        if (CLUSTER_SCOPED.has(object.kind)) delete object.metadata.namespace;
        else {
          const own = object.metadata.namespace;
          if (own !== undefined && request.namespace !== undefined && own !== request.namespace) {
            return {
              error: `the namespace from the provided object "${own}" does not match the namespace "${request.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
            };
          }
          object.metadata.namespace = own ?? request.namespace ?? "default";
        }
        objects.push(object);
      }
    }
  }
  if (objects.length === 0) return { error: "no objects passed to apply" };
  return { objects };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) request.destroy(new Error("the apply request is too large"));
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

/**
 * Starts a stand-in for `kubectl apply` that applies manifests to objects held in this process
 * (an `InMemoryResourceClient`), so finish actions that promote a version with
 * `kubectl apply -f …` run for real (a real shell, a real process) in tests, with no cluster and
 * no kubectl binary. The executable forwards what it read to a loopback endpoint of this
 * process; an applied object replaces the stored one (the outcome of `kubectl apply` when the
 * manifest is the whole object, as promotion manifests are).
 *
 * Supported: `kubectl apply [-n|--namespace NS] -f|--filename FILE|DIR|- [-R]`. Anything else,
 * and URLs, fail with kubectl-like messages and exit status 1.
 *
 * @throws E2eError `stand_in_failed` when the executable or the endpoint cannot be set up.
 */
export async function startKubectlStandIn(sink: ObjectSink): Promise<KubectlStandIn> {
  const applied: AppliedManifest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      let answer: { stdout: string; stderr: string; exitCode: number };
      let parsed: ApplyRequest | undefined;
      try {
        parsed = JSON.parse(await readBody(request)) as ApplyRequest;
        const read = readObjects(parsed);
        if ("error" in read) answer = { stdout: "", stderr: `error: ${read.error}\n`, exitCode: 1 };
        else {
          const lines = read.objects.map((object) => {
            const key: ObjectKey = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
            if (object.metadata.namespace !== undefined) key.namespace = object.metadata.namespace;
            const before = sink.peek(key);
            const same = before !== undefined && isDeepStrictEqual({ ...before, metadata: { ...before.metadata, resourceVersion: undefined } }, { ...object, metadata: { ...object.metadata, resourceVersion: undefined } });
            if (!same) sink.put(object);
            return `${resourceName(object)} ${before === undefined ? "created" : same ? "unchanged" : "configured"}\n`;
          });
          answer = { stdout: lines.join(""), stderr: "", exitCode: 0 };
          applied.push({
            sources: parsed.files,
            ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}),
            objects: read.objects.map((o) => describeObject({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}) })),
            exitCode: 0,
            output: answer.stdout,
          });
        }
      } catch (error) {
        answer = { stdout: "", stderr: `error: ${(error as Error).message}\n`, exitCode: 1 };
      }
      if (answer.exitCode !== 0) {
        applied.push({
          sources: parsed?.files ?? [],
          ...(parsed?.namespace !== undefined ? { namespace: parsed.namespace } : {}),
          objects: [],
          exitCode: answer.exitCode,
          output: answer.stderr,
        });
      }
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    })();
  });
  let dir: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    dir = await mkdtemp(join(tmpdir(), "iter8ts-kubectl-"));
    const script = join(dir, "kubectl.cjs");
    const kubectl = join(dir, "kubectl");
    await writeFile(script, CLIENT_SOURCE);
    await writeFile(kubectl, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
    await chmod(kubectl, 0o755);
    const { port } = server.address() as AddressInfo;
    const folder = dir;
    return {
      kubectl,
      env: { PATH: `${folder}:${SYSTEM_PATH}`, [ADDRESS_VARIABLE]: `http://127.0.0.1:${port}/apply` },
      applied,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    throw new E2eError(E2eErrorCode.StandInFailed, `the kubectl stand-in could not start: ${(error as Error).message}`, { cause: error });
  }
}
