import net from "node:net";
import tls from "node:tls";

/** Response status a load request gets when no response arrived (refused, reset, timed out). */
export const NO_RESPONSE = -1;

/**
 * Serialises one HTTP/1.1 request once, so that every repetition of it writes the same bytes.
 */
export function encodeRequest(url: URL, method: string, headers: Readonly<Record<string, string>>, body: Buffer | undefined): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!has("host")) lines.push(`Host: ${url.host}`);
  if (!has("user-agent")) lines.push("User-Agent: iter8ts-load");
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new TypeError(`header ${JSON.stringify(k)} contains a line break`);
    lines.push(`${k}: ${v}`);
  }
  if (body && !has("content-length")) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return body ? Buffer.concat([head, body]) : head;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
}

/**
 * Checks the deadlines of all connections with a request in flight on one interval, instead of
 * arming and clearing a timer per request (which costs more than the request itself at tens of
 * thousands of requests per second). Timeouts fire within one tick of their deadline.
 */
class TimeoutSweeper {
  private readonly waiting = new Set<KeepAliveConnection>();
  private interval: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly tickMs: number) {}

  add(connection: KeepAliveConnection): void {
    this.waiting.add(connection);
    this.interval ??= setInterval(() => this.sweep(), this.tickMs);
  }

  remove(connection: KeepAliveConnection): void {
    this.waiting.delete(connection);
    if (this.waiting.size === 0 && this.interval) {
      clearInterval(this.interval);
      this.interval = undefined;
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.waiting) c.expireIfOverdue(now);
  }
}

const sweepers = new Map<number, TimeoutSweeper>();
function sweeperFor(timeoutMs: number): TimeoutSweeper {
  const tick = Math.max(5, Math.min(100, Math.round(timeoutMs / 10)));
  let s = sweepers.get(tick);
  if (!s) sweepers.set(tick, (s = new TimeoutSweeper(tick)));
  return s;
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * One keep-alive HTTP/1.1 connection that sends a prepared request and reads the response just
 * far enough to know its status and where it ends (Content-Length, chunked, or connection close).
 * Much less work per request than Node's full HTTP client, which matters when the load generator
 * itself must not be the bottleneck. Reconnects when the server closes the connection.
 */
export class KeepAliveConnection {
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private state = State.Head;
  private remaining = 0;
  private status = 0;
  private closeAfter = false;
  private pending: ((status: number) => void) | undefined;
  private deadline = 0;
  private readonly sweeper: TimeoutSweeper;
  private expectBody = true;

  /**
   * @param timeoutMs a request without a complete response by then counts as {@link NO_RESPONSE}
   * @param insecureSkipTLSVerify accept any certificate (for apps under test with self-signed ones)
   */
  constructor(
    private readonly url: URL,
    private readonly timeoutMs: number,
    private readonly insecureSkipTLSVerify = false,
  ) {
    this.sweeper = sweeperFor(timeoutMs);
  }

  /**
   * Sends the request bytes; resolves with the response status, or {@link NO_RESPONSE}.
   * @param expectBody false for HEAD requests, whose responses announce a body they do not carry
   */
  send(request: Buffer, expectBody = true): Promise<number> {
    return new Promise<number>((resolve) => {
      this.pending = resolve;
      this.state = State.Head;
      this.expectBody = expectBody;
      this.deadline = performance.now() + this.timeoutMs;
      this.sweeper.add(this);
      const socket = this.socket ?? this.connect();
      socket.write(request);
    });
  }

  /** Gives up on the request in flight if its deadline has passed (called by the sweeper). */
  expireIfOverdue(now: number): void {
    if (this.pending && now >= this.deadline) this.fail();
  }

  /** Closes the connection. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): net.Socket {
    const port = Number(this.url.port) || (this.url.protocol === "https:" ? 443 : 80);
    const host = this.url.hostname.replace(/^\[|\]$/g, "");
    const socket =
      this.url.protocol === "https:"
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: !this.insecureSkipTLSVerify })
        : net.connect({ host, port });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    const lost = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // A body delimited by the connection's end is complete when the connection ends.
      if (this.pending && this.state === State.UntilClose) this.complete();
      else this.fail();
    };
    socket.on("error", lost);
    socket.on("close", lost);
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    return socket;
  }

  private fail(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    this.finish(NO_RESPONSE);
  }

  private complete(): void {
    if (this.closeAfter) this.close();
    this.finish(this.status);
  }

  private finish(status: number): void {
    this.sweeper.remove(this);
    const resolve = this.pending;
    this.pending = undefined;
    this.buffer = Buffer.alloc(0);
    resolve?.(status);
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      switch (this.state) {
        case State.Head: {
          const end = this.buffer.indexOf(HEAD_END);
          if (end < 0) return;
          const head = this.buffer.toString("latin1", 0, end);
          this.buffer = this.buffer.subarray(end + 4);
          if (!this.readHead(head)) return this.fail();
          continue;
        }
        case State.Length: {
          const take = Math.min(this.remaining, this.buffer.length);
          this.remaining -= take;
          this.buffer = this.buffer.subarray(take);
          if (this.remaining > 0) return;
          return this.complete();
        }
        case State.ChunkSize: {
          const end = this.buffer.indexOf(CRLF);
          if (end < 0) return;
          const size = parseInt(this.buffer.toString("latin1", 0, end).split(";")[0]!.trim(), 16);
          if (!Number.isFinite(size) || size < 0) return this.fail();
          this.buffer = this.buffer.subarray(end + 2);
          this.remaining = size;
          this.state = size === 0 ? State.Trailer : State.ChunkData;
          continue;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, this.buffer.length);
          this.remaining -= take;
          this.buffer = this.buffer.subarray(take);
          if (this.remaining > 0) return;
          this.state = State.ChunkDataEnd;
          continue;
        }
        case State.ChunkDataEnd: {
          if (this.buffer.length < 2) return;
          this.buffer = this.buffer.subarray(2);
          this.state = State.ChunkSize;
          continue;
        }
        case State.Trailer: {
          // Trailer fields end with an empty line; without trailers that line comes at once.
          const end = this.buffer.indexOf(CRLF);
          if (end < 0) return;
          this.buffer = this.buffer.subarray(end + 2);
          if (end === 0) return this.complete();
          continue;
        }
        case State.UntilClose:
          this.buffer = Buffer.alloc(0);
          return;
      }
    }
  }

  /** Reads the status line and the framing headers; false when the head is not HTTP. */
  private readHead(head: string): boolean {
    const lines = head.split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!m) return false;
    const status = Number(m[2]);
    if (status >= 100 && status < 200) {
      // An interim response (100 Continue): the real one follows.
      this.state = State.Head;
      return true;
    }
    let length: number | undefined;
    let chunked = false;
    let close = m[1] === "0";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") chunked = value.split(",").some((v) => v.trim() === "chunked");
      else if (name === "connection") close = value.includes("close") ? true : value.includes("keep-alive") ? false : close;
    }
    this.status = status;
    this.closeAfter = close;
    if (!this.expectBody || status === 204 || status === 304) {
      this.state = State.Length;
      this.remaining = 0;
    } else if (chunked) {
      this.state = State.ChunkSize;
    } else if (length !== undefined && Number.isFinite(length)) {
      this.state = State.Length;
      this.remaining = length;
    } else {
      this.state = State.UntilClose;
      this.closeAfter = true;
    }
    return true;
  }
}
