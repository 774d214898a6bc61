import { watch, type FSWatcher } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ACTION_LOG_FILE, diskDocumentFiles, LocalDocuments, LocalExperimentStore, resolveRunPaths, STATE_FOLDER } from "@iter8ts/local";
import { parseIter8Logs } from "@iter8ts/report";
import type { Experiment } from "@iter8ts/types";
import { MAX_EVENTS, type ExperimentFeed, type FeedEvent, type FeedProblem, type FeedSnapshot } from "./experiment-feed";

/** Settings of {@link localFeed}. */
export interface LocalFeedOptions {
  /** The folder (or files) given to `iter8ctl run`. */
  paths: readonly string[];
  /** As given to `iter8ctl run --state-dir`; default `<folder>/.iter8ctl`. */
  stateDir?: string;
  /** How long to wait after a file changes before reading again, so one write is read once (default 50 ms). */
  settleMs?: number;
}

const PRIORITY = { 1: "Error", 2: "Warning", 3: "Info" } as const;

/** How much of the end of the action log is read: the log only grows, the page shows its last lines. */
const ACTION_LOG_TAIL = 1024 * 1024;

/** The last whole lines of a file, at most {@link ACTION_LOG_TAIL} bytes; empty when it does not exist (no action has run). */
async function readTail(path: string): Promise<string> {
  let file;
  try {
    file = await open(path, "r");
  } catch {
    return "";
  }
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - ACTION_LOG_TAIL);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    return start === 0 ? text : text.slice(text.indexOf("\n") + 1);
  } finally {
    await file.close();
  }
}

/**
 * The experiments of a local run's folder, read the way `iter8ctl run` reads them (the same
 * documents, the status it writes back into each experiment's file) and read again whenever a
 * file of the folder or the run's state folder changes (`fs.watch`, no polling). The action log
 * `iter8ctl run` appends to stands in for Events. A folder that cannot be read or a document
 * that does not validate is named in `problems`, and the last good state stays on the page.
 */
export function localFeed(options: LocalFeedOptions): ExperimentFeed {
  const listeners = new Set<() => void>();
  let experiments: Experiment[] = [];
  let problems: FeedProblem[] = [];
  let actionLog = "";
  let watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reading: Promise<void> = Promise.resolve();
  let stopped = false;
  let home = ".";
  let folders: string[] = [];
  const logsOf = new Map<string, FeedEvent[]>();

  const read = async () => {
    try {
      const run = await resolveRunPaths(options.paths);
      home = run.home;
      folders = [...new Set(run.files.map((file) => dirname(file)))];
      const store = new LocalExperimentStore(await LocalDocuments.open(diskDocumentFiles, run.files));
      experiments = await store.listExperiments();
      problems = [];
    } catch (error) {
      const detail = (error as { problems?: string[] }).problems ?? [];
      problems = [{ subject: options.paths.join(", "), message: [error instanceof Error ? error.message : String(error), ...detail].join("; ") }];
    }
    actionLog = await readTail(join(options.stateDir ?? join(home, STATE_FOLDER), ACTION_LOG_FILE));
    logsOf.clear();
    for (const listener of [...listeners]) listener();
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reading = reading.then(read);
    }, options.settleMs ?? 50);
  };
  const watchFolder = (folder: string) => {
    try {
      const watcher = watch(folder, { persistent: false }, schedule);
      watcher.on("error", () => undefined); // a folder removed while watched: the next read says so
      watchers.push(watcher);
    } catch {
      // The state folder appears with the first run; its parent's watch sees it appear.
    }
  };

  return {
    description: `folder ${options.paths.join(", ")}`,
    eventsTitle: "Action log",
    async start() {
      stopped = false;
      await read();
      // Folders, not files: a status write replaces the file (write and rename), which ends a
      // watch on the file itself.
      for (const folder of folders.length ? folders : options.paths) watchFolder(folder);
      const stateDir = options.stateDir ?? join(home, STATE_FOLDER);
      const before = watchers.length;
      watchFolder(stateDir);
      // The state folder appears with the run's first action; watch it once it does.
      if (watchers.length === before) {
        watchers[0]?.on("change", (_type, name) => {
          if (String(name) === STATE_FOLDER && watchers.length === before) watchFolder(stateDir);
        });
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
      await reading;
    },
    snapshot(): FeedSnapshot {
      return { experiments, problems };
    },
    events(namespace, name): FeedEvent[] {
      const key = JSON.stringify([namespace, name]);
      let events = logsOf.get(key);
      if (!events) {
        events = parseIter8Logs(actionLog, { namespace, name })
          .map((log) => ({ time: null, type: PRIORITY[log.priority], reason: log.precedence === 0 ? "start action" : `loop ${log.precedence}`, message: log.message, count: 1 }))
          .slice(-MAX_EVENTS);
        logsOf.set(key, events);
      }
      return events;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
