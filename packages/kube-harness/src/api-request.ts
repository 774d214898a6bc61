/**
 * Requests to the API server with the harness's own TLS settings and identity: readiness checks,
 * TokenRequests, the Job runner's status writes, and streams (watches).
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { ClusterAccess } from "./cluster-access";

/** Status and body of a request; `status` 0 when the connection failed (not listening yet, reset). */
export interface ApiResult {
  readonly status: number;
  readonly body: string;
}

/** Options of {@link apiRequest}. */
export interface ApiRequestOptions {
  readonly body?: unknown;
  /** Content type of `body`; default `application/json`. */
  readonly contentType?: string;
  /** Default 5 s. */
  readonly timeoutMs?: number;
}

/** The TLS and authentication settings of `access` for node's http(s).request. */
function connectionOptions(access: ClusterAccess, method: string, headers: Record<string, string> = {}): RequestOptions {
  return {
    method,
    ca: access.caData,
    cert: access.clientCertData,
    key: access.clientKeyData,
    headers: { accept: "application/json", ...(access.token ? { authorization: `Bearer ${access.token}` } : {}), ...headers },
  };
}

function send(access: ClusterAccess, method: string, path: string, headers: Record<string, string>, onResponse: (res: IncomingMessage) => void) {
  const url = new URL(path, access.server);
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  return request(url, connectionOptions(access, method, headers), onResponse);
}

/**
 * Sends one request to `access.server` (verifying its certificate against `access.caData`) and
 * reads the whole answer. A refusal is a result, not an exception; so is a failed connection
 * (status 0, the error in `body`).
 */
export function apiRequest(access: ClusterAccess, method: string, path: string, options: ApiRequestOptions = {}): Promise<ApiResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const payload = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return new Promise((resolve) => {
    const req = send(access, method, path, payload === undefined ? {} : { "content-type": options.contentType ?? "application/json" }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", (err) => resolve({ status: 0, body: err.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ status: 0, body: err.message }));
    req.end(payload);
  });
}

/** GETs `path`, for readiness checks. */
export function apiGet(access: ClusterAccess, path: string, timeoutMs = 5_000): Promise<ApiResult> {
  return apiRequest(access, "GET", path, { timeoutMs });
}

/**
 * GETs a streaming `path` (a watch) and hands each line to `onLine` as it arrives. Resolves when
 * the stream ends, cleanly or not, or `signal` aborts it: with the status, 0 when the connection
 * failed, and for a refused stream its body.
 */
export function apiStream(access: ClusterAccess, path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<ApiResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ status: 0, body: "aborted" });
    const req = send(access, "GET", path, {}, (res) => {
      const status = res.statusCode ?? 0;
      let pending = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        pending += chunk;
        if (status !== 200) return;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim()) onLine(line);
        }
      });
      // A reset mid-stream is an end like any other: the caller resumes from what it has seen.
      res.on("error", () => {});
      res.on("close", () => resolve({ status, body: status === 200 ? "" : pending }));
    });
    const abort = () => req.destroy();
    signal.addEventListener("abort", abort, { once: true });
    req.on("close", () => signal.removeEventListener("abort", abort));
    req.on("error", (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}
