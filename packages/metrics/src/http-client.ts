import type { lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import { EgressRefusedError, allowAllEgress, guardedLookup, type EgressPolicy, type EgressRefusal } from "./egress-policy";

/** One HTTP request a metric query sends. */
export interface HttpRequest {
  url: string;
  method: "GET" | "POST";
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** Give up (with an `HttpClientError` of kind `timeout`) after this many milliseconds. */
  timeoutMs: number;
  /** Accept any TLS certificate (a metric's explicit `insecureSkipTLSVerify`). */
  insecureSkipTLSVerify?: boolean;
  signal?: AbortSignal;
}

/** The backend's answer, read completely. */
export interface HttpResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/**
 * Sends one request. Implementations throw {@link HttpClientError} when no answer arrives; any
 * HTTP status, including 4xx and 5xx, is an answer and is returned.
 */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** Why no answer arrived. */
export const HttpFailureKind = {
  Timeout: "timeout",
  Unreachable: "unreachable",
  Aborted: "aborted",
  /** The answer was larger than the client's response limit (`detail`); the read was stopped. */
  TooLarge: "too_large",
  /** The egress policy refused the address the URL leads to. */
  Refused: "refused",
} as const;
export type HttpFailureKind = (typeof HttpFailureKind)[keyof typeof HttpFailureKind];

/**
 * A request that got no answer. `detail` is a system error code or a short reason
 * (`ECONNREFUSED`, `CERT_HAS_EXPIRED`) and never contains the URL, which may embed secrets.
 */
export class HttpClientError extends Error {
  override readonly name = "HttpClientError";
  constructor(
    readonly kind: HttpFailureKind,
    readonly detail: string,
    /** For `refused`: the address and its category, and how an operator allows it. */
    readonly refusal?: EgressRefusal & { howToAllow: string },
  ) {
    super(`${kind}: ${detail}`);
  }
}

/**
 * Whether `error` is an {@link HttpClientError}, judged by its shape rather than `instanceof`: a
 * provider package has its own copy of this package when installed apart from the runtime (a
 * peer dependency installed next to it), and the runtime's client throws the runtime's class.
 */
export function isHttpClientError(error: unknown): error is HttpClientError {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { name?: unknown; kind?: unknown; detail?: unknown };
  return e.name === "HttpClientError" && typeof e.detail === "string" && Object.values(HttpFailureKind).includes(e.kind as HttpFailureKind);
}

/** The default largest answer body a metric query reads: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** `10 MiB`, `512 KiB` or `123 bytes`, for messages. */
export function formatByteSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** `detail` is the limit (`10 MiB`). */
function tooLarge(maxBytes: number): HttpClientError {
  return new HttpClientError("too_large", formatByteSize(maxBytes));
}

function refused(error: EgressRefusedError): HttpClientError {
  return new HttpClientError("refused", error.message, { ...error.refusal, howToAllow: error.howToAllow });
}

function systemCode(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { code?: unknown; cause?: unknown };
    if (typeof e.code === "string") return e.code;
    if (e.cause) return systemCode(e.cause);
  }
  return error instanceof Error ? error.name : "unknown error";
}

/** Options of {@link nodeHttpClient}. */
export interface NodeHttpClientOptions {
  /** Sockets per backend host (default 64, as many as queryMetrics runs at once). */
  maxSocketsPerHost?: number;
  /** The largest answer body read, in bytes (default 10 MiB); a larger one is cut off and fails. */
  maxResponseBytes?: number;
  /** Which addresses may be connected to (default: every address). */
  egress?: EgressPolicy;
  /** Name resolution (default `dns.lookup`; tests answer with chosen addresses). */
  resolve?: typeof dnsLookup;
}

/**
 * The default client: Node's `http`/`https` with keep-alive agents, so an iteration's queries to
 * one backend reuse connections. TLS certificates are verified unless a request opts out. The
 * answer is read up to `maxResponseBytes` and abandoned beyond; connections go only to addresses
 * the egress policy allows, checked on the address resolved for the connection itself.
 */
export function nodeHttpClient(options: NodeHttpClientOptions = {}): HttpClient {
  const maxSockets = options.maxSocketsPerHost ?? 64;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const egress = options.egress ?? allowAllEgress;
  const lookup = options.resolve ? guardedLookup(egress, options.resolve) : guardedLookup(egress);
  const plain = new http.Agent({ keepAlive: true, maxSockets, lookup } as http.AgentOptions);
  const secure = new https.Agent({ keepAlive: true, maxSockets, lookup } as https.AgentOptions);
  const insecure = new https.Agent({ keepAlive: true, maxSockets, rejectUnauthorized: false, lookup } as https.AgentOptions);

  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        reject(new HttpClientError("unreachable", "invalid URL"));
        return;
      }
      const isHttps = url.protocol === "https:";
      if (!isHttps && url.protocol !== "http:") {
        reject(new HttpClientError("unreachable", `unsupported protocol ${url.protocol}`));
        return;
      }
      // An address in the URL is connected to without a lookup, so it is checked here.
      const literal = egress.check(url.hostname);
      if (literal) {
        reject(refused(new EgressRefusedError(literal, egress.howToAllow(literal.category))));
        return;
      }
      const lib = isHttps ? https : http;
      const agent = isHttps ? (request.insecureSkipTLSVerify ? insecure : secure) : plain;
      let settled = false;
      let req: http.ClientRequest | undefined;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
      };
      const fail = (error: HttpClientError) => {
        if (settled) return;
        finish();
        req?.destroy();
        reject(error);
      };
      const onAbort = () => fail(new HttpClientError("aborted", "the query was cancelled"));
      const timer = setTimeout(
        () => fail(new HttpClientError("timeout", `no complete answer within ${request.timeoutMs} ms`)),
        request.timeoutMs,
      );
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
      try {
        req = lib.request(url, { method: request.method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          let received = 0;
          const declared = Number(res.headers["content-length"]);
          if (Number.isFinite(declared) && declared > maxBytes) return fail(tooLarge(maxBytes));
          res.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxBytes) return fail(tooLarge(maxBytes));
            chunks.push(chunk);
          });
          res.on("error", (error) => fail(new HttpClientError("unreachable", systemCode(error))));
          res.on("end", () => {
            if (settled) return;
            finish();
            const out: Record<string, string | undefined> = {};
            for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(", ") : v;
            resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString("utf8") });
          });
        });
      } catch (error) {
        // Node refuses some requests before sending them, e.g. a header value with a newline.
        finish();
        reject(new HttpClientError("unreachable", `invalid request (${systemCode(error)})`));
        return;
      }
      req.on("error", (error) => fail(error instanceof EgressRefusedError ? refused(error) : new HttpClientError("unreachable", systemCode(error))));
      if (request.signal) {
        if (request.signal.aborted) return onAbort();
        request.signal.addEventListener("abort", onAbort, { once: true });
      }
      req.end(request.body);
    });
}

/**
 * Adapts a WHATWG `fetch` (the global one, or a test double) to {@link HttpClient}. `fetch`
 * cannot switch TLS verification per request, so a request that asks to skip it is refused
 * rather than silently verified or silently not.
 */
export function fetchHttpClient(fetchFn: typeof fetch, options: { maxResponseBytes?: number } = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return async (request) => {
    if (request.insecureSkipTLSVerify && request.url.startsWith("https:")) {
      throw new HttpClientError("unreachable", "insecureSkipTLSVerify needs the default Node HTTP client, not fetch");
    }
    const signals = [AbortSignal.timeout(request.timeoutMs)];
    if (request.signal) signals.push(request.signal);
    let res: Response;
    try {
      res = await fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any(signals),
      });
      const body = await readCapped(res, maxBytes);
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      return { status: res.status, headers, body };
    } catch (error) {
      if (error instanceof HttpClientError) throw error;
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError") throw new HttpClientError("timeout", `no complete answer within ${request.timeoutMs} ms`);
      if (name === "AbortError") throw new HttpClientError("aborted", "the query was cancelled");
      throw new HttpClientError("unreachable", systemCode(error));
    }
  };
}

/** The body of a fetch Response as text, reading no more than `maxBytes`. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
