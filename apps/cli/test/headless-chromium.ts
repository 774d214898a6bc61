// Drives a headless Chromium over the DevTools protocol on a pipe (fds 3 and 4; no port, no
// WebSocket), so a test can open a page, ask the rendered DOM questions, see every request the
// page made, and take a screenshot.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Readable, Writable } from "node:stream";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The Chromium executable: /usr/bin/chromium (Debian's package), else the first on PATH, else null. */
export function findChromium(path = process.env.PATH ?? ""): string | null {
  for (const dir of ["/usr/bin", ...path.split(delimiter).filter((d) => d !== "")]) {
    for (const name of CANDIDATES) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // Not here; keep looking.
      }
    }
  }
  return null;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** What a page looked like and did. */
export interface PageVisit<T> {
  /** The value of `expression`, evaluated in the loaded page. */
  value: T;
  /** Every URL the page asked for, the page itself included. */
  requests: string[];
  /** A full-page PNG. */
  screenshot: Buffer;
}

/**
 * Opens `url` in a fresh headless Chromium (own profile, no network services, no sandbox since
 * tests run as root in containers), evaluates `expression` once the page has loaded, takes a
 * full-page screenshot `width` pixels wide, and closes the browser. Everything must be over within
 * `timeoutMs`, or the browser is killed and the promise rejects.
 */
export async function visitPage<T>(
  executable: string,
  url: string,
  expression: string,
  options: { width?: number; timeoutMs?: number } = {},
): Promise<PageVisit<T>> {
  const profile = mkdtempSync(join(tmpdir(), "iter8ts-chromium-"));
  const child: ChildProcess = spawn(
    executable,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--disable-default-apps",
      "--no-first-run",
      "--no-default-browser-check",
      "--mute-audio",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    // Keep the end only: Chromium is chatty about D-Bus in containers.
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });

  let nextId = 0;
  const pending = new Map<number, Pending>();
  const listeners: Array<(message: Record<string, unknown>) => void> = [];
  let buffer = "";
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  fromBrowser.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let end: number;
    while ((end = buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as Record<string, unknown>;
      buffer = buffer.slice(end + 1);
      if (typeof message.id === "number") {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (!p) continue;
        if (message.error) p.reject(new Error(`DevTools error: ${JSON.stringify(message.error)}`));
        else p.resolve((message.result ?? {}) as Record<string, unknown>);
      } else {
        for (const listen of listeners) listen(message);
      }
    }
  });
  child.on("error", (error) => failAll(error));
  child.on("exit", (code, signal) => failAll(new Error(`chromium exited (code ${code}, signal ${signal}) before the page was read; its stderr ends with:\n${stderr}`)));
  toBrowser.on("error", (error) => failAll(error));

  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`headless chromium did not finish within ${options.timeoutMs ?? 15_000} ms; its stderr ends with:\n${stderr}`);
      failAll(error);
      reject(error);
    }, options.timeoutMs ?? 15_000);
  });

  const session = async (): Promise<PageVisit<T>> => {
    const { targetId } = (await send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    const requests: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((resolve) => (loaded = resolve));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === "Network.requestWillBeSent") requests.push(String((m.params as { request: { url: string } }).request.url));
      if (m.method === "Page.loadEventFired") loaded();
    });
    await send("Page.enable", {}, sessionId);
    await send("Network.enable", {}, sessionId);
    const width = options.width ?? 1100;
    await send("Emulation.setDeviceMetricsOverride", { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send("Page.navigate", { url }, sessionId);
    await load;
    const evaluated = (await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId)) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (evaluated.exceptionDetails) throw new Error(`the expression threw in the page: ${JSON.stringify(evaluated.exceptionDetails)}`);
    const metrics = (await send("Page.getLayoutMetrics", {}, sessionId)) as { cssContentSize: { width: number; height: number } };
    const clip = { x: 0, y: 0, width, height: Math.ceil(metrics.cssContentSize.height), scale: 1 };
    const shot = (await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, clip }, sessionId)) as { data: string };
    return { value: evaluated.result.value, requests, screenshot: Buffer.from(shot.data, "base64") };
  };

  try {
    return await Promise.race([session(), deadline]);
  } finally {
    clearTimeout(timer);
    await closeBrowser(child, () => send("Browser.close"));
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Asks the browser to close, kills it if it has not exited within 3 s, and waits at most 1 s more. */
async function closeBrowser(child: ChildProcess, close: () => Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  let timers: NodeJS.Timeout[] = [];
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    timers = [setTimeout(() => child.kill("SIGKILL"), 3000), setTimeout(resolve, 4000)];
  });
  close().catch(() => undefined);
  await exited;
  for (const t of timers) clearTimeout(t);
}
