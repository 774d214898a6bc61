import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from "node:https";
import { createConfiguration, HttpMethod, ServerConfiguration, type Configuration, type KubeConfig } from "@kubernetes/client-node";
import { KubeError, KubeErrorCode } from "./kube-error";
import { kubeErrorFromResponse, toKubeError } from "./to-kube-error";

/** One request to the API server. */
export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The absolute API path, e.g. `/apis/iter8.tools/v2alpha2/namespaces/default/experiments`. */
  path: string;
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  body?: unknown;
  /** Default `application/json`; patches name their type (`application/json-patch+json`, ...). */
  contentType?: string;
  signal?: AbortSignal;
  /** Overrides the client's request timeout. */
  timeoutMs?: number;
  /** What the request is about, for error messages: `Experiment default/quickstart-exp`. */
  subject: string;
}

/** How often a service account's token file is read again (as client-node and client-go do). */
const TOKEN_FILE_REREAD_MS = 60_000;

/** Credentials headers worked out once; with a token file, its token is added and read again now and then. */
interface Credentials {
  headers: Record<string, string>;
  tokenFile?: string;
  tokenReadAt?: number;
}

/** Settings of {@link KubeApi}. */
export interface KubeApiOptions {
  /** A request that has not been answered after this long is aborted (default 30 s). */
  timeoutMs?: number;
}

/**
 * JSON requests to the API server over client-node's configuration (its authentication, TLS
 * and HTTP library), answering plain JSON. The generated typed APIs convert some fields into
 * `Date` objects and leave MicroTime fields as strings while typing them as `Date`; generic
 * objects, custom resources, leases and events are safer as the JSON the server sent.
 * Every failure is thrown as a {@link KubeError}.
 */
export class KubeApi {
  readonly #kubeConfig: KubeConfig;
  readonly #configuration: Configuration;
  readonly #timeoutMs: number;
  #agent: Promise<HttpAgent | undefined> | undefined;
  /** The server's URL without a trailing slash; request paths are appended to it. */
  readonly #serverUrl: string;
  /** See {@link KubeApi.#authHeaders}; null until worked out, undefined when client-node's path is taken. */
  #credentials: Credentials | undefined | null = null;

  constructor(kubeConfig: KubeConfig, options: KubeApiOptions = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeError(KubeErrorCode.Config, "The kubeconfig has no current cluster; set current-context or pass a context name.");
    this.#kubeConfig = kubeConfig;
    this.#configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kubeConfig } });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#serverUrl = cluster.server.replace(/\/+$/, "");
  }

  /** The kubeconfig requests are authenticated with. */
  get kubeConfig(): KubeConfig {
    return this.#kubeConfig;
  }

  /**
   * client-node makes a new agent for every request, so every call would open (and for HTTPS,
   * handshake) a new connection. One keep-alive agent with the same TLS settings is reused
   * instead; clusters reached through a proxy keep client-node's agents.
   */
  async #keepAliveAgent(): Promise<HttpAgent | undefined> {
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (!cluster || cluster.proxyUrl) return undefined;
    if (cluster.server.startsWith("http:")) return new HttpAgent({ keepAlive: true });
    const options: AgentOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const tls: AgentOptions = { keepAlive: true };
    for (const field of ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const) {
      if (options[field] !== undefined) Object.assign(tls, { [field]: options[field] });
    }
    if (cluster.skipTLSVerify) tls.rejectUnauthorized = false;
    if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
    return new HttpsAgent(tls);
  }

  /** Sends a request and parses the JSON answer. */
  async request<T>(request: KubeRequest): Promise<T> {
    const text = await this.requestText(request);
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new KubeError(KubeErrorCode.BadResponse, `${request.subject}: the API server answered with something that is not JSON`, { cause: error });
    }
  }

  /**
   * The credentials' headers, worked out here when client-node would only repeat the same work
   * for every request — decoding or re-reading the CA, certificate and key and making an HTTP
   * agent that is never used, which costs more CPU than the request's own headers: for a fixed
   * token, user name and password or client certificate (which the keep-alive agent carries),
   * and for a service account's token file (in a cluster), read again once it is a minute old
   * as client-node and client-go do. Undefined for anything else — an exec plugin, OIDC, a
   * cloud's auth provider, an authenticator added to the kubeconfig — which then goes through
   * client-node for every request.
   */
  #authHeaders(): Record<string, string> | undefined {
    if (this.#credentials === null) this.#credentials = this.#workOutCredentials();
    const credentials = this.#credentials;
    if (!credentials?.tokenFile) return credentials?.headers;
    const now = Date.now();
    if (credentials.tokenReadAt === undefined || now - credentials.tokenReadAt > TOKEN_FILE_REREAD_MS) {
      const token = readFileSync(credentials.tokenFile, "utf8");
      credentials.tokenReadAt = now;
      credentials.headers = { ...credentials.headers };
      if (token) credentials.headers.Authorization = `Bearer ${token}`;
    }
    return credentials.headers;
  }

  #workOutCredentials(): Credentials | undefined {
    const cluster = this.#kubeConfig.getCurrentCluster();
    const user = this.#kubeConfig.getCurrentUser();
    const custom = (this.#kubeConfig as unknown as { custom_authenticators?: unknown }).custom_authenticators;
    if (!cluster || cluster.proxyUrl || !Array.isArray(custom) || custom.length > 0 || user?.exec) return undefined;
    const provider = user?.authProvider as { name?: string; config?: Record<string, string | undefined> } | undefined;
    const tokenFile = provider?.name === "tokenFile" && !provider.config?.["cmd-path"] ? provider.config?.tokenFile : undefined;
    if (provider && !tokenFile) return undefined;
    const headers: Record<string, string> = {};
    if (user?.username) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
    if (user?.impersonateUser != null) headers["Impersonate-User"] = user.impersonateUser;
    // As in client-node, a token of the user's own wins over the token file's.
    if (user?.token) headers.Authorization = `Bearer ${user.token}`;
    return tokenFile && !user?.token ? { headers, tokenFile } : { headers };
  }

  /** Sends a request and returns the answer as text (pod logs are not JSON). */
  async requestText(request: KubeRequest): Promise<string> {
    // One controller and one timer per request, both let go when it ends: AbortSignal.timeout and
    // AbortSignal.any cost several times more per request (node 20), which adds up at hundreds a second.
    const abort = new AbortController();
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const timer = setTimeout(() => abort.abort(new DOMException(`The operation was aborted due to timeout after ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
    const onCallerAbort = () => abort.abort(request.signal?.reason);
    if (request.signal?.aborted) onCallerAbort();
    else request.signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      const agent = await (this.#agent ??= this.#keepAliveAgent());
      const fixed = agent ? this.#authHeaders() : undefined;
      let status: number;
      let text: string;
      if (agent && fixed) {
        const url = new URL(this.#serverUrl + request.path);
        for (const [name, value] of Object.entries(request.query ?? {})) {
          if (value !== undefined) url.searchParams.set(name, String(value));
        }
        const headers: Record<string, string> = { ...fixed, Accept: "application/json, */*;q=0.8" };
        const body = request.body === undefined ? undefined : JSON.stringify(request.body);
        if (body !== undefined) headers["Content-Type"] = request.contentType ?? "application/json";
        ({ status, text } = await sendOverAgent({ url, method: request.method, headers, body, signal: abort.signal }, agent));
      } else {
        const context = this.#configuration.baseServer.makeRequestContext(request.path, HttpMethod[request.method]);
        for (const [name, value] of Object.entries(request.query ?? {})) {
          if (value !== undefined) context.setQueryParam(name, String(value));
        }
        context.setHeaderParam("Accept", "application/json, */*;q=0.8");
        if (request.body !== undefined) {
          context.setHeaderParam("Content-Type", request.contentType ?? "application/json");
          context.setBody(JSON.stringify(request.body));
        }
        context.setSignal(abort.signal);
        await this.#configuration.authMethods.default?.applySecurityAuthentication(context);
        if (agent) {
          const body = context.getBody();
          ({ status, text } = await sendOverAgent(
            { url: new URL(context.getUrl()), method: context.getHttpMethod(), headers: context.getHeaders(), body: typeof body === "string" ? body : undefined, signal: abort.signal },
            agent,
          ));
        } else {
          const response = await this.#configuration.httpApi.send(context).toPromise();
          status = response.httpStatusCode;
          text = await response.body.text();
        }
      }
      if (status >= 200 && status < 300) return text;
      throw kubeErrorFromResponse(request.subject, status, text);
    } catch (error) {
      if (request.signal?.aborted && !(error instanceof KubeError)) {
        throw new KubeError(KubeErrorCode.Aborted, `${request.subject}: the request was cancelled`, { cause: error });
      }
      throw toKubeError(error, request.subject);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onCallerAbort);
    }
  }
}

/** A request ready to send: the whole URL, the headers with the credentials, the body. */
interface PreparedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal;
}

/**
 * Sends a prepared request (URL, headers with the credentials, body, signal) with node's own
 * HTTP client on the keep-alive agent. client-node sends through node-fetch, whose Request,
 * Headers and stream objects cost about three times the CPU of the exchange itself (0.21 against
 * 0.06 ms per GET on loopback, server included): most of what a controller running a thousand
 * experiments spends.
 */
function sendOverAgent(prepared: PreparedRequest, agent: HttpAgent, retryOnStaleSocket = true): Promise<{ status: number; text: string }> {
  const { url, signal } = prepared;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = send(url, { method: prepared.method, headers: prepared.headers, agent, signal }, (res) => {
      answered = true;
      res.setEncoding("utf8");
      let text = "";
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A server (or a proxy in front of it) may close an idle keep-alive connection just as a
      // request goes out on it; the request was then never read, so it is sent once more on a
      // new connection instead of failing (Go's HTTP client does the same).
      if (retryOnStaleSocket && req.reusedSocket && !answered && !signal?.aborted && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
        sendOverAgent(prepared, agent, false).then(resolve, reject);
        return;
      }
      reject(error);
    });
    req.end(prepared.body);
  });
}
