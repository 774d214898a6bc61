// Watches the routing objects (Istio VirtualServices) with the admin's kubeconfig (TLS and a
// client certificate on kube-apiserver) and keeps every state the API server committed, so a test
// can check each write, not only the last one. The watch resumes from the last resourceVersion it
// saw whenever the stream ends (dropped watches, testkit's restarts). kube-apiserver's watch cache
// starts afresh when the server restarts, so a resourceVersion from before a restart has expired
// (410): the recorder then lists again, and reports every object that changed in between, whose
// intermediate states no watch can show any more. A test that restarts kube-apiserver holds the
// writers back and calls {@link WeightRecorder.resync} before letting them go on.
import { CustomObjectsApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import { sleep, until } from "./wait-until";

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

const RESOURCE = { group: "networking.istio.io", version: "v1beta1", plural: "virtualservices" } as const;
const PATH = `/apis/${RESOURCE.group}/${RESOURCE.version}/${RESOURCE.plural}`;
const GONE = 410;

/** Records every ADDED and MODIFIED VirtualService from a watch that survives restarts. */
export class WeightRecorder {
  readonly states: WeightState[] = [];
  /** Problems the watch itself met: errors, and changes it could not see. */
  readonly problems: string[] = [];
  readonly #api: CustomObjectsApi;
  readonly #watch: Watch;
  /** Where the next watch starts; empty: list first. */
  #resourceVersion = "";
  /** The resourceVersion of the last state recorded per object. */
  readonly #last = new Map<string, string>();
  /**
   * Resyncs asked for; the epoch the last list started in; the epoch of the list the open watch
   * continues from (-1: none yet).
   */
  #epoch = 0;
  #listedEpoch = -1;
  #watchingEpoch = -1;
  #current: AbortController | undefined;
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();

  private constructor(kubeConfig: KubeConfig) {
    this.#api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(kubeConfig);
  }

  /** Lists the VirtualServices there are (recording them) and resolves once it watches what follows. */
  static async start(kubeConfig: KubeConfig): Promise<WeightRecorder> {
    const recorder = new WeightRecorder(kubeConfig);
    recorder.#loop = recorder.#run();
    await recorder.#watchingIn(0);
    return recorder;
  }

  /** States of one object (`namespace/name`), oldest first. */
  of(key: string): WeightState[] {
    return this.states.filter((s) => s.key === key);
  }

  /**
   * Lists again and watches from there, reporting objects that changed since their last recorded
   * state; resolves once the new watch is open. For a kube-apiserver restart, while nobody writes.
   */
  async resync(): Promise<void> {
    const epoch = ++this.#epoch;
    this.#resourceVersion = "";
    this.#current?.abort();
    await this.#watchingIn(epoch);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.abort();
    await this.#loop;
  }

  #watchingIn(epoch: number): Promise<void> {
    return until(() => this.#watchingEpoch >= epoch, "the VirtualService watch is open after a list", 30_000);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (this.#resourceVersion === "") await this.#list();
        if (this.#resourceVersion !== "") await this.#watchOnce();
      } catch {
        // Refused or reset while the server restarts: try again from the same resourceVersion.
      }
      if (!this.#stopped) await sleep(50);
    }
  }

  async #list(): Promise<void> {
    const epoch = this.#epoch;
    const list = (await this.#api.listClusterCustomObject(RESOURCE)) as { metadata?: { resourceVersion?: string }; items: VirtualService[] };
    for (const item of list.items) {
      const key = `${item.metadata.namespace}/${item.metadata.name}`;
      const last = this.#last.get(key);
      if (last === item.metadata.resourceVersion) continue;
      if (last !== undefined) {
        this.problems.push(`${key} changed after resourceVersion ${last} while no watch was open; states before ${item.metadata.resourceVersion} were not seen`);
      }
      this.#record(item);
    }
    // A resync asked for while this list was under way lists again.
    if (epoch !== this.#epoch) return;
    this.#resourceVersion = list.metadata?.resourceVersion ?? "";
    this.#listedEpoch = epoch;
  }

  async #watchOnce(): Promise<void> {
    const epoch = this.#listedEpoch;
    let controller: AbortController | undefined;
    let ended = false;
    let expired = false;
    await new Promise<void>((resolve, reject) => {
      const onEvent = (type: string, object: VirtualService & { code?: number; message?: string }) => {
        if (type !== "ERROR") return this.#onEvent(type, object);
        if (object.code !== GONE) this.problems.push(`watch error ${object.code ?? "?"}: ${object.message ?? ""}`);
        // Resuming is impossible either way: list again.
        this.#resourceVersion = "";
        expired = true;
        controller?.abort();
      };
      const onDone = (error: unknown) => {
        ended = true;
        if (error && !expired && !this.#stopped) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      };
      this.#watch
        .watch(PATH, { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true }, onEvent, onDone)
        .then((opened) => {
          controller = opened;
          this.#current = opened;
          if (expired || this.#stopped || this.#resourceVersion === "") opened.abort();
          else if (!ended) this.#watchingEpoch = epoch;
        }, reject);
    });
    this.#current = undefined;
  }

  #onEvent(type: string, object: VirtualService): void {
    this.#resourceVersion = object.metadata.resourceVersion;
    if (type === "ADDED" || type === "MODIFIED") this.#record(object);
  }

  #record(object: VirtualService): void {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const route = object.spec?.http?.[0]?.route ?? [];
    this.#last.set(key, object.metadata.resourceVersion);
    this.states.push({ key, resourceVersion: object.metadata.resourceVersion, weights: route.map((r) => r.weight ?? 0) });
  }
}
