/**
 * A Kubernetes API server on 127.0.0.1 for tests: discovery, CRUD with real resourceVersions and
 * conflicts, the status subresource, JSON/merge/strategic patches, selectors, paginated lists,
 * resumable watches with 410 Gone, CRDs, Pod logs and a Job executor — plus fault injection and
 * restarts, so code written against @kubernetes/client-node can be tested against it unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  ApiStatusError,
  StatusReason,
  badRequest,
  forbiddenValue,
  invalid,
  methodNotAllowed,
  pathNotFound,
  requestEntityTooLarge,
  unsupportedMediaType,
  type FieldError,
  type KubeStatus,
} from "./api-status-error";
import { builtinResourceTypes } from "./builtin-resources";
import { defaultCustomResourceDefinitions, type SchemaLookup } from "./custom-resources";
import { FaultInjector, injectedErrorStatus, type Verb } from "./fault-injector";
import { JobExecutor, type JobExecutorOptions } from "./job-executor";
import { isJsonObject, type JsonObject } from "./json-value";
import { metaString as metaStringOf } from "./kube-object";
import { kubeconfigYaml } from "./kubeconfig-yaml";
import { openApiV2Document, openApiV3Document, openApiV3Index } from "./openapi-documents";
import { ObjectStore } from "./object-store";
import { ProtobufBodyError, decodeProtobufBody } from "./protobuf-body";
import {
  ResourceApi,
  type DeleteOptions,
  type FieldValidation,
  type ListOptions,
  type PropagationPolicy,
  type WatchHandle,
  type WriteOptions,
} from "./resource-api";
import { ResourceRegistry } from "./resource-registry";
import type { ResourceType } from "./resource-type";
import { tableRequested, toTable, type IncludeObject, type TableOptions } from "./table-output";

/** Settings of a {@link KubeTestServer}. */
export interface KubeTestServerOptions {
  /** Port to listen on (default: any free port); kept across restarts. */
  port?: number;
  /** Namespaces that exist from the start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: readonly string[];
  /** Install the CRDs of Iter8 and of the traffic objects it patches (default true). */
  installCustomResourceDefinitions?: boolean;
  /** Refuse namespaced writes into missing or terminating namespaces, like a real cluster (default true). */
  enforceNamespaces?: boolean;
  /**
   * How long a deleted namespace stays Terminating before the namespace controller empties it,
   * and how often it looks again while finalizers hold content, in ms (default 100).
   */
  namespaceControllerDelayMs?: number;
  /** Changes kept for watch resumes; older resourceVersions get 410 Gone (default 1000). */
  watchHistoryLimit?: number;
  /** Interval of BOOKMARK events for watches that allow them, in ms (default 1000). */
  bookmarkIntervalMs?: number;
  /** Largest request body accepted, in bytes (default 3 MiB, as the real server). */
  maxRequestBytes?: number;
  /** Seed of the fault injector's random choices (default fixed). */
  seed?: number;
  /** Clock for timestamps (default: the system clock). */
  now?: () => Date;
  /**
   * Extra validation of custom kinds after their CRD's schema (default none, as on a real server;
   * `iter8SchemaLookup` adds the zod schemas of @iter8ts/types for Experiments and Metrics).
   */
  schemaLookup?: SchemaLookup;
  /** Run Jobs (default: on, spawning each container's command); `false` leaves Jobs alone. */
  jobs?: JobExecutorOptions | false;
  /** How many requests {@link KubeTestServer.requests} remembers (default 1000). */
  requestLogLimit?: number;
}

/** How a restart treats the stored objects. */
export interface RestartOptions {
  /** Keep objects and history, as an API server restart over the same etcd does (default true). */
  keepState?: boolean;
  /** How long the port stays closed, in ms (default 0). */
  downtimeMs?: number;
}

/** One request the server answered (or dropped). */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** For resource requests: the verb, resource, subresource, namespace and name. */
  verb?: Verb;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  /** HTTP status; 0 when the connection was dropped on purpose. */
  status: number;
  /** The injected fault, if one applied. */
  fault?: string;
}

/** Which watches {@link KubeTestServer.dropWatches} ends. */
export interface DropWatchesOptions {
  /** Only watches of this resource (plural), e.g. `experiments`. */
  resource?: string;
  /** Reset the connections instead of ending the streams cleanly. */
  abort?: boolean;
}

/** Misuse of the test server's own API. */
export const KubeTestServerErrorCode = {
  UnknownKind: "UnknownKind",
  AlreadyRunning: "AlreadyRunning",
  ListenFailed: "ListenFailed",
} as const;
export type KubeTestServerErrorCode = (typeof KubeTestServerErrorCode)[keyof typeof KubeTestServerErrorCode];

/** An error in how a test used the server (not an API answer; those are {@link ApiStatusError}s). */
export class KubeTestServerError extends Error {
  override readonly name = "KubeTestServerError";
  readonly code: KubeTestServerErrorCode;

  constructor(code: KubeTestServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

interface ActiveWatch {
  type: ResourceType;
  handle: WatchHandle;
  response: ServerResponse;
  close(abort: boolean): void;
}

interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** The deprecated `/watch/` path form was used. */
  watchPath: boolean;
}

/**
 * A path no API group serves: kube-apiserver's fallback handler answers it in plain text, not with
 * a Status (only built-in group versions answer unknown resources with a 404 Status).
 */
class NotServed extends Error {
  override readonly name = "NotServed";
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const WRITE_MEDIA = ["application/json", "application/yaml"];
const PROTOBUF = "application/vnd.kubernetes.protobuf";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(requestEntityTooLarge(`limit is ${limit}`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

/** Decodes a create or update body; `kind` is what the URL expects, for the server's wording. */
function parseWriteBody(contentType: string | undefined, raw: Buffer, kind: string): unknown {
  const media = (contentType ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "";
  if (media === PROTOBUF) {
    try {
      return decodeProtobufBody(raw);
    } catch (e) {
      if (e instanceof ProtobufBodyError) throw unsupportedMediaType(WRITE_MEDIA);
      throw e;
    }
  }
  if (!WRITE_MEDIA.includes(media) && media !== "") throw unsupportedMediaType([...WRITE_MEDIA, PROTOBUF]);
  const text = raw.toString("utf8");
  try {
    return media === "application/yaml" ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    // Go's decoder says "unexpected end of JSON input" for a cut-off body; other messages are JavaScript's.
    const at = /at position (\d+)/.exec(why)?.[1];
    const cutOff = /end of (JSON )?input/i.test(why) || (at !== undefined && Number(at) >= text.trimEnd().length);
    const said = cutOff ? "unexpected end of JSON input" : why;
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${said} (${text.slice(0, 256)})`);
  }
}

function fieldValidationOf(value: string | null): FieldValidation | undefined {
  if (value === null || value === "") return undefined;
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  throw badRequest(`fieldValidation must be one of Strict, Warn or Ignore, got "${value}"`);
}

function integerParam(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** The test server. Create it with {@link KubeTestServer.start}. */
export class KubeTestServer {
  /** Fault rules applied to resource requests. */
  readonly faults: FaultInjector;
  /** Path of a kubeconfig file pointing at this server (no auth, plain HTTP). */
  readonly kubeconfigPath: string;

  private readonly store: ObjectStore;
  private readonly registry = new ResourceRegistry();
  private readonly api: ResourceApi;
  private readonly jobs: JobExecutor | undefined;
  private readonly watches = new Set<ActiveWatch>();
  private readonly sockets = new Set<Socket>();
  private readonly log: RequestRecord[] = [];
  private readonly tempDir: string;
  private server: Server | undefined;
  private boundPort: number;

  private constructor(private readonly options: KubeTestServerOptions) {
    this.faults = new FaultInjector(options.seed);
    this.store = new ObjectStore(options.watchHistoryLimit ?? 1000);
    this.api = new ResourceApi(this.store, this.registry, {
      now: options.now ?? (() => new Date()),
      schemaLookup: options.schemaLookup ?? (() => undefined),
      enforceNamespaces: options.enforceNamespaces ?? true,
      namespaceControllerDelayMs: options.namespaceControllerDelayMs ?? 100,
    });
    this.boundPort = options.port ?? 0;
    this.tempDir = mkdtempSync(join(tmpdir(), "iter8ts-kube-"));
    this.kubeconfigPath = join(this.tempDir, "kubeconfig");
    if (options.jobs !== false) {
      this.jobs = new JobExecutor(this.api, this.store, this.registry, options.jobs ?? {}, () => ({
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: String(this.boundPort),
        KUBECONFIG: this.kubeconfigPath,
      }));
    }
    this.seed();
  }

  /** Starts a server with a fresh cluster state and waits until it listens. */
  static async start(options: KubeTestServerOptions = {}): Promise<KubeTestServer> {
    const server = new KubeTestServer(options);
    try {
      await server.listen();
    } catch (e) {
      await server.close();
      throw e;
    }
    server.jobs?.start();
    return server;
  }

  /** The fresh cluster: built-in resources, the initial namespaces and the installed CRDs. */
  private seed(): void {
    for (const t of builtinResourceTypes()) this.registry.add(t);
    const nsType = this.requireType("v1", "Namespace");
    for (const name of this.options.namespaces ?? DEFAULT_NAMESPACES) {
      this.api.create(nsType, "", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    if (this.options.installCustomResourceDefinitions ?? true) {
      const crdType = this.requireType("apiextensions.k8s.io/v1", "CustomResourceDefinition");
      for (const crd of defaultCustomResourceDefinitions()) this.api.create(crdType, "", crd);
    }
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** The port (the same after restarts). */
  get port(): number {
    return this.boundPort;
  }

  /** Whether the server accepts connections right now. */
  get running(): boolean {
    return this.server !== undefined;
  }

  /** The latest resourceVersion of the cluster. */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  private listen(): Promise<void> {
    if (this.server) return Promise.reject(new KubeTestServerError(KubeTestServerErrorCode.AlreadyRunning, `the test server is already listening on ${this.url}`));
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once("error", (e) =>
        reject(
          new KubeTestServerError(
            KubeTestServerErrorCode.ListenFailed,
            `the test server cannot listen on 127.0.0.1:${this.boundPort} (${e.message}); pass port 0 to take any free port`,
            { cause: e },
          ),
        ),
      );
      server.listen(this.boundPort, "127.0.0.1", () => {
        server.removeAllListeners("error");
        this.boundPort = (server.address() as AddressInfo).port;
        this.server = server;
        writeFileSync(this.kubeconfigPath, kubeconfigYaml(this.url));
        resolve();
      });
    });
  }

  /** Stops listening and cuts every connection (watches included); objects are kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const w of [...this.watches]) w.close(true);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port after {@link KubeTestServer.stop}. */
  async resume(): Promise<void> {
    await this.listen();
  }

  /**
   * Restarts the server on the same port. With `keepState: false` the cluster comes back empty
   * (fresh namespaces and CRDs, running Jobs killed), and every resourceVersion clients hold is
   * too old, so their watches get 410 Gone.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    await this.stop();
    if (options.keepState === false) {
      this.jobs?.killAll();
      this.store.clear();
      this.registry.clear();
      this.seed();
      // Seeding wrote new versions; nothing before this point can be resumed from.
      this.store.compact();
    }
    if (options.downtimeMs) await sleep(options.downtimeMs);
    await this.listen();
  }

  /** Stops the server for good: connections, Jobs and the temporary kubeconfig. */
  async close(): Promise<void> {
    await this.stop();
    await this.jobs?.shutdown();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** Forgets the change history, so any watch resuming from an existing resourceVersion gets 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /** Ends active watches (all, or of one resource); returns how many were ended. */
  dropWatches(options: DropWatchesOptions = {}): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (options.resource && w.type.plural !== options.resource) continue;
      w.close(options.abort ?? false);
      n++;
    }
    return n;
  }

  /** How many watches are open (all, or of one resource). */
  activeWatches(resource?: string): number {
    return [...this.watches].filter((w) => resource === undefined || w.type.plural === resource).length;
  }

  /** The requests answered so far (oldest first, bounded). */
  requests(): readonly RequestRecord[] {
    return [...this.log];
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.log.length = 0;
  }

  // ---- direct object access (no faults, no HTTP) ----------------------------------------------

  private requireType(apiVersion: string, kind: string): ResourceType {
    const t = this.registry.findKind(apiVersion, kind);
    if (!t) throw new KubeTestServerError(KubeTestServerErrorCode.UnknownKind, `${kind} in ${apiVersion} is not served; install its CRD first`);
    return t;
  }

  private typeOf(obj: JsonObject): ResourceType {
    return this.requireType(String(obj.apiVersion ?? ""), String(obj.kind ?? ""));
  }

  private namespaceOf(type: ResourceType, obj: JsonObject): string {
    const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
    return type.namespaced ? String(meta.namespace ?? "default") : "";
  }

  /** Creates an object as a client would (validation included); throws {@link ApiStatusError}. */
  create(obj: JsonObject, options: WriteOptions = {}): JsonObject {
    const type = this.typeOf(obj);
    return this.api.create(type, this.namespaceOf(type, obj), obj, options).object;
  }

  /** Reads an object; throws a 404 {@link ApiStatusError} when absent. */
  get(apiVersion: string, kind: string, name: string, namespace = "default"): JsonObject {
    return this.api.get(this.requireType(apiVersion, kind), namespace, name);
  }

  /** Reads an object, or undefined when absent. */
  find(apiVersion: string, kind: string, name: string, namespace = "default"): JsonObject | undefined {
    const type = this.requireType(apiVersion, kind);
    const obj = this.store.get(type.storage, type.namespaced ? namespace : "", name);
    return obj ? this.api.present(type, obj) : undefined;
  }

  /** Lists objects of a kind (one namespace, or all when `namespace` is undefined). */
  list(apiVersion: string, kind: string, namespace?: string, options: ListOptions = {}): JsonObject[] {
    const type = this.requireType(apiVersion, kind);
    const list = this.api.list(type, namespace, options);
    const items = Array.isArray(list.items) ? list.items.filter(isJsonObject) : [];
    return items.map((i) => ({ apiVersion: type.apiVersion, kind: type.kind, ...i }));
  }

  /** Replaces an object (its resourceVersion is checked like a PUT). */
  replace(obj: JsonObject, options: WriteOptions = {}): JsonObject {
    const type = this.typeOf(obj);
    const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
    return this.api.update(type, this.namespaceOf(type, obj), String(meta.name ?? ""), obj, options).object;
  }

  /** Replaces an object's status through the status subresource (or the object, for kinds without one). */
  replaceStatus(obj: JsonObject, options: WriteOptions = {}): JsonObject {
    const type = this.typeOf(obj);
    const meta = isJsonObject(obj.metadata) ? obj.metadata : {};
    return this.api.update(type, this.namespaceOf(type, obj), String(meta.name ?? ""), obj, options, type.statusSubresource ? "status" : undefined).object;
  }

  /** Deletes an object; returns what the DELETE would answer. */
  delete(apiVersion: string, kind: string, name: string, namespace = "default", options: DeleteOptions = {}): JsonObject | KubeStatus {
    return this.api.delete(this.requireType(apiVersion, kind), namespace, name, options).body;
  }

  /** The log of a Job pod's container, as `GET .../pods/<pod>/log` answers it. */
  podLog(namespace: string, pod: string, container?: string): string | undefined {
    const found = this.jobs?.logsOf(namespace, pod, container);
    return found && "log" in found ? found.log : undefined;
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private record(entry: RequestRecord): void {
    this.log.push(entry);
    const limit = this.options.requestLogLimit ?? 1000;
    if (this.log.length > limit) this.log.splice(0, this.log.length - limit);
  }

  private sendJson(res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | string[]> = { "Content-Type": "application/json", "Cache-Control": "no-cache, private" };
    if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(code, headers);
    res.end(`${JSON.stringify(body)}\n`);
  }

  private sendError(res: ServerResponse, error: ApiStatusError): void {
    if (error.httpCode === 429 && !res.headersSent) res.setHeader("Retry-After", "1");
    this.sendJson(res, error.httpCode, error.status);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const entry: RequestRecord = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
      status: 0,
    };
    res.on("close", () => {
      entry.status = res.headersSent ? res.statusCode : entry.status;
      this.record(entry);
    });
    try {
      const segments = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
      if (this.serveNonResource(segments, req, res)) return;
      const route = this.route(segments);
      const verb = this.verbOf(req.method ?? "GET", route, url.searchParams);
      Object.assign(entry, {
        verb,
        resource: route.type.plural,
        ...(route.subresource ? { subresource: route.subresource } : {}),
        ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        ...(route.name !== undefined ? { name: route.name } : {}),
      });
      const fault = this.faults.decide({ verb, resource: route.type.plural, subresource: route.subresource, namespace: route.namespace });
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.dropConnection) {
        entry.fault = "dropConnection";
        req.socket.destroy();
        return;
      }
      if (fault.respond) {
        entry.fault = fault.respond;
        this.sendError(res, injectedErrorStatus(fault.respond, { group: route.type.group, resource: route.type.plural, name: route.name }));
        return;
      }
      const body = ["POST", "PUT", "PATCH", "DELETE"].includes(req.method ?? "") ? await readBody(req, this.options.maxRequestBytes ?? 3 * 1024 * 1024) : Buffer.alloc(0);
      this.dispatch(verb, route, url.searchParams, req, res, body);
    } catch (e) {
      if (e instanceof NotServed) {
        if (!res.headersSent) res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
        res.end("404 page not found\n");
        return;
      }
      this.sendError(res, ResourceApi.toStatusError(e));
    }
  }

  /** Discovery, version and health endpoints; returns false for resource paths. */
  private serveNonResource(segments: string[], req: IncomingMessage, res: ServerResponse): boolean {
    const [root, group, version] = segments;
    if (root === "healthz" || root === "livez" || root === "readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return true;
    }
    if (root === "openapi") return this.serveOpenApi(segments, req, res);
    if (root === "version" && segments.length === 1) {
      // The release whose answers testkit follows (checked by the fidelity suite against it).
      this.sendJson(res, 200, {
        major: "1",
        minor: "37",
        gitVersion: "v1.37.2",
        gitCommit: "iter8ts-testkit",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "go1.26",
        compiler: "gc",
        platform: "linux/amd64",
      });
      return true;
    }
    const discovery = (doc: unknown) => {
      if ((req.method ?? "GET") !== "GET") throw methodNotAllowed();
      if (doc === undefined) throw pathNotFound();
      this.sendJson(res, 200, doc);
      return true;
    };
    if (root === "api") {
      if (segments.length === 1) return discovery(this.registry.coreVersions(`127.0.0.1:${this.boundPort}`));
      if (segments.length === 2) return discovery(this.registry.resourceList("", group ?? ""));
      return false;
    }
    if (root === "apis") {
      if (segments.length === 1) return discovery(this.registry.apiGroupList());
      if (segments.length >= 2 && this.registry.apiGroup(group ?? "") === undefined) throw new NotServed();
      if (segments.length === 2) return discovery(this.registry.apiGroup(group ?? ""));
      if (segments.length === 3) return discovery(this.registry.resourceList(group ?? "", version ?? ""));
      return false;
    }
    throw new NotServed();
  }

  /** `/openapi/v3`, `/openapi/v3/<group version>` and `/openapi/v2` (JSON only). */
  private serveOpenApi(segments: string[], req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.method ?? "GET") !== "GET") throw methodNotAllowed();
    const [, version, root, ...rest] = segments;
    if (version === "v3" && root === undefined) {
      this.sendJson(res, 200, openApiV3Index(this.registry));
      return true;
    }
    if (version === "v3" && (root === "api" || root === "apis")) {
      const [group, groupVersion] = root === "api" ? ["", rest[0] ?? ""] : [rest[0] ?? "", rest[1] ?? ""];
      const doc = rest.length === (root === "api" ? 1 : 2) ? openApiV3Document(this.registry, group, groupVersion) : undefined;
      if (!doc) throw new NotServed();
      this.sendJson(res, 200, doc);
      return true;
    }
    if (version === "v2" && root === undefined) {
      // Only JSON: clients that insist on the protobuf form (kubectl's v2 fallback) are told so.
      const accept = req.headers.accept ?? "";
      if (accept !== "" && !/application\/json|\*\/\*/.test(accept)) {
        throw new ApiStatusError(406, StatusReason.NotAcceptable, "only the following media types are accepted: application/json");
      }
      this.sendJson(res, 200, openApiV2Document(this.registry));
      return true;
    }
    throw new NotServed();
  }

  private route(segments: string[]): ResourceRoute {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api") {
      group = "";
      version = segments[1] ?? "";
      rest = segments.slice(2);
    } else {
      group = segments[1] ?? "";
      version = segments[2] ?? "";
      rest = segments.slice(3);
    }
    if (!this.registry.hasGroupVersion(group, version)) throw new NotServed();
    // Group versions of CRDs are served by the apiextensions server, which has no 404 Status.
    const builtin = this.registry.forGroupVersion(group, version).some((t) => !t.custom);
    const watchPath = rest[0] === "watch";
    if (watchPath) rest = rest.slice(1);
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3 && this.registry.find(group, version, rest[2] ?? "")?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    const type = this.registry.find(group, version, plural ?? "");
    if (!type) throw builtin ? pathNotFound() : new NotServed();
    if (extra.length > 0) throw pathNotFound();
    if (subresource !== undefined) {
      const allowed = (subresource === "status" && type.statusSubresource) || (subresource === "log" && type.kind === "Pod" && type.group === "");
      if (!allowed) throw pathNotFound();
    }
    if (watchPath && subresource !== undefined) throw pathNotFound();
    return { type, namespace, name, subresource, watchPath };
  }

  private verbOf(method: string, route: ResourceRoute, query: URLSearchParams): Verb {
    const watch = route.watchPath || query.get("watch") === "true" || query.get("watch") === "1";
    switch (method) {
      case "GET":
        if (route.watchPath) return "watch";
        return route.name !== undefined ? "get" : watch ? "watch" : "list";
      case "POST":
        return "create";
      case "PUT":
        return "update";
      case "PATCH":
        return "patch";
      case "DELETE":
        return route.name !== undefined ? "delete" : "deletecollection";
      default:
        throw methodNotAllowed();
    }
  }

  private writeOptions(query: URLSearchParams, req: IncomingMessage): WriteOptions {
    const fieldManager = query.get("fieldManager");
    const fieldValidation = fieldValidationOf(query.get("fieldValidation"));
    const userAgent = req.headers["user-agent"];
    return {
      dryRun: query.get("dryRun") === "All",
      ...(fieldManager ? { fieldManager } : {}),
      ...(fieldValidation ? { fieldValidation } : {}),
      ...(userAgent ? { userAgent } : {}),
      ...(query.get("force") === "true" ? { force: true } : {}),
    };
  }

  private listOptions(query: URLSearchParams): ListOptions {
    const options: ListOptions = {};
    const limit = integerParam(query.get("limit"), "limit");
    if (limit !== undefined) options.limit = limit;
    for (const key of ["labelSelector", "fieldSelector", "continue", "resourceVersion", "resourceVersionMatch"] as const) {
      const v = query.get(key);
      if (v !== null) options[key] = v;
    }
    return options;
  }

  private deleteOptions(query: URLSearchParams, body: Buffer): DeleteOptions {
    const parsed = body.toString("utf8").trim() ? parseWriteBody("application/json", body, "DeleteOptions") : {};
    const b = isJsonObject(parsed) ? parsed : {};
    const policy = query.get("propagationPolicy") ?? (typeof b.propagationPolicy === "string" ? b.propagationPolicy : undefined);
    if (policy !== undefined && policy !== "Orphan" && policy !== "Background" && policy !== "Foreground") {
      throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    const orphan = query.get("orphanDependents") ?? (typeof b.orphanDependents === "boolean" ? String(b.orphanDependents) : null);
    const pre = isJsonObject(b.preconditions) ? b.preconditions : undefined;
    const dryRun = query.get("dryRun") === "All" || (Array.isArray(b.dryRun) && b.dryRun.includes("All"));
    return {
      dryRun,
      ...(policy ? { propagationPolicy: policy as PropagationPolicy } : {}),
      ...(orphan !== null ? { orphanDependents: orphan === "true" } : {}),
      ...(pre
        ? {
            preconditions: {
              ...(typeof pre.uid === "string" ? { uid: pre.uid } : {}),
              ...(typeof pre.resourceVersion === "string" ? { resourceVersion: pre.resourceVersion } : {}),
            },
          }
        : {}),
    };
  }

  private dispatch(verb: Verb, route: ResourceRoute, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const { type, name, subresource } = route;
    const namespace = route.namespace ?? "";
    const status = subresource === "status" ? "status" : undefined;
    if (type.namespaced && route.namespace === undefined && (!["list", "watch"].includes(verb) || name !== undefined)) {
      // Only listing and watching work across namespaces.
      throw verb === "create" || verb === "deletecollection" ? methodNotAllowed() : pathNotFound();
    }
    switch (verb) {
      case "get": {
        if (subresource === "log") return this.servePodLog(namespace, name ?? "", query, res);
        const object = this.api.get(type, namespace, name ?? "");
        const table = this.tableOptions(req, query);
        if (!table) return this.sendJson(res, 200, object);
        return this.sendJson(res, 200, toTable(type, [object], { resourceVersion: metaStringOf(object, "resourceVersion") }, table));
      }
      case "list": {
        if (query.get("sendInitialEvents") !== null) {
          throw invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [forbiddenValue("sendInitialEvents", "sendInitialEvents is forbidden for list")]);
        }
        const list = this.api.list(type, route.namespace, this.listOptions(query));
        const table = this.tableOptions(req, query);
        if (!table) return this.sendJson(res, 200, list);
        const items = (Array.isArray(list.items) ? list.items.filter(isJsonObject) : []).map((i) => ({ apiVersion: type.apiVersion, kind: type.kind, ...i }));
        return this.sendJson(res, 200, toTable(type, items, isJsonObject(list.metadata) ? list.metadata : {}, table));
      }
      case "watch":
        return this.serveWatch(route, query, req, res);
      case "create": {
        const result = this.api.create(type, namespace, parseWriteBody(req.headers["content-type"], body, type.kind), this.writeOptions(query, req));
        return this.sendJson(res, 201, result.object, result.warnings);
      }
      case "update": {
        const result = this.api.update(type, namespace, name ?? "", parseWriteBody(req.headers["content-type"], body, type.kind), this.writeOptions(query, req), status);
        return this.sendJson(res, result.created ? 201 : 200, result.object, result.warnings);
      }
      case "patch": {
        const result = this.api.patch(type, namespace, name ?? "", req.headers["content-type"] ?? "", body.toString("utf8"), this.writeOptions(query, req), status);
        return this.sendJson(res, result.created ? 201 : 200, result.object, result.warnings);
      }
      case "delete": {
        const result = this.api.delete(type, namespace, name ?? "", this.deleteOptions(query, body));
        return this.sendJson(res, result.code, result.body);
      }
      case "deletecollection":
        return this.sendJson(res, 200, this.api.deleteCollection(type, route.namespace, this.listOptions(query), this.deleteOptions(query, body)));
    }
  }

  /** Table output settings when the client asked for a Table (`kubectl get`), else undefined. */
  private tableOptions(req: IncomingMessage, query: URLSearchParams): TableOptions | undefined {
    const version = tableRequested(req.headers.accept);
    if (!version) return undefined;
    const include = query.get("includeObject");
    if (include !== null && include !== "" && include !== "None" && include !== "Object" && include !== "PartialObjectMetadata") {
      throw badRequest(`includeObject: Unsupported value: "${include}": supported values: "None", "Object", "PartialObjectMetadata"`);
    }
    return { version, include: (include || "PartialObjectMetadata") as IncludeObject, now: (this.options.now ?? (() => new Date()))() };
  }

  private servePodLog(namespace: string, pod: string, query: URLSearchParams, res: ServerResponse): void {
    this.api.get(this.requireType("v1", "Pod"), namespace, pod);
    const container = query.get("container") ?? undefined;
    const found = this.jobs?.logsOf(namespace, pod, container);
    if (found === undefined) throw badRequest(`container "${container ?? ""}" in pod "${pod}" is waiting to start: ContainerCreating`);
    if ("choices" in found) throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${found.choices.join(" ")}]`);
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(found.log);
  }

  private serveWatch(route: ResourceRoute, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const timeoutSeconds = integerParam(query.get("timeoutSeconds"), "timeoutSeconds");
    const bookmarks = query.get("allowWatchBookmarks") === "true";
    const sendInitialEvents = query.get("sendInitialEvents") === "true";
    const listOptionErrors: FieldError[] = [];
    const match = query.get("resourceVersionMatch") ?? "";
    if (query.get("sendInitialEvents") !== null && match !== "NotOlderThan") {
      listOptionErrors.push(forbiddenValue("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    }
    if (match !== "" && query.get("sendInitialEvents") === null) {
      listOptionErrors.push(forbiddenValue("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    }
    if (listOptionErrors.length > 0) throw invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", listOptionErrors);
    const timers: NodeJS.Timeout[] = [];
    let open = true;
    const startStream = () => {
      if (res.headersSent) return;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
    };
    const finish = (abort: boolean) => {
      if (!open) return;
      open = false;
      for (const t of timers) clearInterval(t);
      watcher.handle.stop();
      this.watches.delete(watcher);
      if (abort) res.destroy();
      else {
        startStream();
        res.end();
      }
    };
    const watcher: ActiveWatch = { type: route.type, handle: { stop: () => undefined }, response: res, close: finish };
    const listOptions = this.listOptions(query);
    if (route.name !== undefined) {
      // `/watch/.../<name>` watches one object: the same as a field selector on its name.
      const byName = `metadata.name=${route.name}`;
      listOptions.fieldSelector = listOptions.fieldSelector ? `${listOptions.fieldSelector},${byName}` : byName;
    }
    const options = {
      ...listOptions,
      // The end of the initial events is marked with a bookmark only for clients that take bookmarks.
      ...(sendInitialEvents ? { sendInitialEvents, initialEventsEndBookmark: bookmarks } : {}),
    };
    const table = this.tableOptions(req, query);
    let headersSent = false;
    watcher.handle = this.api.watch(route.type, route.namespace, options, {
      event: (type, object) => {
        if (!open) return;
        startStream();
        let sent: unknown = object;
        if (table && (type === "ADDED" || type === "MODIFIED" || type === "DELETED")) {
          // Like kube-apiserver: one Table per event, the column definitions only in the first.
          sent = toTable(route.type, [object as JsonObject], { resourceVersion: metaStringOf(object as JsonObject, "resourceVersion") }, { ...table, noHeaders: headersSent });
          headersSent = true;
        }
        res.write(`${JSON.stringify({ type, object: sent })}\n`);
      },
      end: () => setImmediate(() => finish(false)),
    });
    if (!open) return;
    startStream();
    this.watches.add(watcher);
    req.on("close", () => finish(false));
    res.on("close", () => finish(false));
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) timers.push(setTimeout(() => finish(false), timeoutSeconds * 1000));
    if (bookmarks) {
      timers.push(
        setInterval(() => {
          if (open) res.write(`${JSON.stringify({ type: "BOOKMARK", object: this.api.bookmark(route.type, this.store.resourceVersion) })}\n`);
        }, this.options.bookmarkIntervalMs ?? 1000),
      );
    }
  }
}

