import { STATUS_CODES } from "node:http";
import { HttpClientError, type HttpClient } from "./http-client";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Options of {@link fetchOverHttpClient}. */
export interface FetchOverHttpClientOptions {
  /** Give up after this long when the caller passes no signal of its own (default 30 s). */
  timeoutMs?: number;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
}

/**
 * A `fetch` for callers that need only the common part of it (GET/POST, headers, a text body, a
 * signal, redirects), sent through an {@link HttpClient}: so the client's response limit and
 * egress policy apply to every hop, a redirect to a refused address included. The notification
 * tasks of action Jobs use it with the Job's egress policy.
 */
export function fetchOverHttpClient(client: HttpClient, options: FetchOverHttpClientOptions = {}): typeof fetch {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRedirects = options.maxRedirects ?? 5;
  return async (input, init = {}) => {
    let url = input instanceof Request ? input.url : String(input);
    let method = (init.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method !== "GET" && method !== "POST") throw new TypeError(`fetchOverHttpClient sends GET and POST only, not ${method}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined)).forEach((value, name) => (headers[name] = value));
    let body = init.body === undefined || init.body === null ? undefined : typeof init.body === "string" ? init.body : await new Response(init.body).text();
    for (let hop = 0; ; hop++) {
      let answer;
      try {
        answer = await client({ url, method: method as "GET" | "POST", headers, ...(body !== undefined ? { body } : {}), timeoutMs, ...(init.signal ? { signal: init.signal } : {}) });
      } catch (error) {
        if (error instanceof HttpClientError && error.kind === "aborted") throw init.signal?.reason ?? new DOMException("The operation was aborted.", "AbortError");
        // As fetch does: a TypeError whose cause says why.
        throw new TypeError("fetch failed", { cause: error instanceof HttpClientError && error.refusal ? new Error(error.detail) : error });
      }
      const location = answer.headers.location;
      if (REDIRECTS.has(answer.status) && location && (init.redirect ?? "follow") === "follow") {
        if (hop >= maxRedirects) throw new TypeError("fetch failed", { cause: new Error(`more than ${maxRedirects} redirects`) });
        url = new URL(location, url).toString();
        if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          delete headers["content-type"];
        }
        continue;
      }
      const out = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) out.set(name, value);
      // A null-body status cannot carry a body in a Response.
      const nullBody = answer.status === 204 || answer.status === 205 || answer.status === 304;
      return new Response(nullBody ? null : answer.body, { status: answer.status, statusText: STATUS_CODES[answer.status] ?? "", headers: out });
    }
  };
}
