// Watches the routing objects (Istio VirtualServices) over HTTP and keeps every state the API
// server committed, so a test can check each write, not only the last one. The watch resumes from
// the last resourceVersion it saw whenever the stream ends (server restarts, dropped watches).
import { sleep } from "./wait-until";

/** One committed state of one VirtualService: the weights of its first HTTP route, in order. */
export interface WeightState {
  key: string;
  resourceVersion: string;
  weights: number[];
}

interface VirtualService {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec?: { http?: Array<{ route?: Array<{ weight?: number }> }> };
}

const PATH = "/apis/networking.istio.io/v1beta1/virtualservices";

/** Records every ADDED and MODIFIED VirtualService from a watch that survives restarts. */
export class WeightRecorder {
  readonly states: WeightState[] = [];
  /** Problems the watch itself met (a 410 means changes may have been missed). */
  readonly problems: string[] = [];
  #resourceVersion: string;
  readonly #baseUrl: string;
  readonly #abort = new AbortController();
  readonly #loop: Promise<void>;

  /** Starts watching changes after `resourceVersion` (the server's current one: only what follows). */
  constructor(baseUrl: string, resourceVersion: string) {
    this.#baseUrl = baseUrl;
    this.#resourceVersion = resourceVersion;
    this.#loop = this.#run();
  }

  /** States of one object (`namespace/name`), oldest first. */
  of(key: string): WeightState[] {
    return this.states.filter((s) => s.key === key);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      try {
        await this.#watchOnce();
      } catch {
        // Refused or reset while the server restarts: try again from the same resourceVersion.
      }
      if (!this.#abort.signal.aborted) await sleep(50);
    }
  }

  async #watchOnce(): Promise<void> {
    const url = `${this.#baseUrl}${PATH}?watch=true&allowWatchBookmarks=true&resourceVersion=${this.#resourceVersion}`;
    const response = await fetch(url, { signal: this.#abort.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return;
    }
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) this.#onEvent(JSON.parse(line) as { type: string; object: VirtualService & { code?: number; message?: string } });
      }
    }
  }

  #onEvent(event: { type: string; object: VirtualService & { code?: number; message?: string } }): void {
    if (event.type === "ERROR") {
      this.problems.push(`watch error ${event.object.code ?? "?"}: ${event.object.message ?? ""}`);
      return;
    }
    this.#resourceVersion = event.object.metadata.resourceVersion;
    if (event.type !== "ADDED" && event.type !== "MODIFIED") return;
    const route = event.object.spec?.http?.[0]?.route ?? [];
    this.states.push({
      key: `${event.object.metadata.namespace}/${event.object.metadata.name}`,
      resourceVersion: event.object.metadata.resourceVersion,
      weights: route.map((r) => r.weight ?? 0),
    });
  }
}
