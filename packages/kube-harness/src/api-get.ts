/** One GET against the API server with the harness's own TLS settings, for readiness checks. */
import { request } from "node:https";
import type { ClusterAccess } from "./cluster-access";

/** Status and body of a GET; `status` 0 when the connection failed (not listening yet). */
export interface ApiGetResult {
  readonly status: number;
  readonly body: string;
}

/** GETs `path` on `access.server`, verifying its certificate against `access.caData`. */
export function apiGet(access: ClusterAccess, path: string, timeoutMs = 5_000): Promise<ApiGetResult> {
  return new Promise((resolve) => {
    const req = request(
      new URL(path, access.server),
      {
        method: "GET",
        ca: access.caData,
        cert: access.clientCertData,
        key: access.clientKeyData,
        headers: access.token ? { authorization: `Bearer ${access.token}` } : {},
        timeout: timeoutMs,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", (err) => resolve({ status: 0, body: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}
