import type { EngineEvent } from "@iter8ts/engine";
import type { LocalRunProgress } from "@iter8ts/local";
import type { Experiment } from "@iter8ts/types";
import { escapeControls, forTerminal } from "../terminal-text";
import { iterationLines, renderFrame } from "./progress-frame";

/** Where progress goes: a terminal or a pipe. `process.stdout` fits. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** How progress is shown. */
export const ProgressMode = {
  /** A live view redrawn in place, with log lines scrolling above it. */
  Terminal: "terminal",
  /** Plain log lines, for pipes, files and CI. */
  Plain: "plain",
} as const;
export type ProgressMode = (typeof ProgressMode)[keyof typeof ProgressMode];

/** Options of {@link ProgressReporter}. */
export interface ProgressReporterOptions {
  stream: ProgressStream;
  mode: ProgressMode;
  /** The time printed before plain lines (a dry run passes its simulated clock). */
  now?: () => Date;
}

// Moves the cursor to the start of the line `n` lines up, then clears to the end of the screen.
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[0J` : "\x1b[0J");

function id(experiment: Experiment): string {
  return `${experiment.metadata.namespace ?? "default"}/${experiment.metadata.name ?? ""}`;
}

/**
 * Shows a local run as it goes: the `LocalRunProgress` that `iter8ctl run` gives `runLocal`. On a
 * terminal, each experiment's live view (see `renderFrame`) is redrawn in place after every step,
 * and events and task output scroll above it. Otherwise, every event, every completed iteration
 * (values, assessments, traffic) and every task output line is one log line, prefixed with the time.
 */
export class ProgressReporter implements LocalRunProgress {
  readonly #options: ProgressReporterOptions;
  #frame: string[] = [];
  readonly #iterations = new Map<string, number>();

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
  }

  get mode(): ProgressMode {
    return this.#options.mode;
  }

  #time(): string {
    return (this.#options.now?.() ?? new Date()).toISOString().slice(11, 19);
  }

  #columns(): number {
    return Math.max(20, this.#options.stream.columns ?? 100);
  }

  /**
   * Writes a line above the live view (terminal) or as a log line (plain). Its text is shown
   * escaped, a newline in it too: it is one line, and the program writes the line breaks.
   */
  log(text: string): void {
    const line = escapeControls(text);
    if (this.#options.mode === ProgressMode.Plain) {
      this.#options.stream.write(`${this.#time()} ${line}\n`);
      return;
    }
    this.#options.stream.write(`${up(this.#frame.length)}${line}\n${this.#frame.map((l) => `${l}\n`).join("")}`);
  }

  /** A condition changed. */
  event(event: EngineEvent): void {
    const text = event.message ? `${event.reason}: ${event.message}` : event.reason;
    this.log(`${event.experiment.namespace}/${event.experiment.name} ${event.type === "Warning" ? "warning: " : ""}${text}`);
  }

  /** The experiments as they are now: redraws the live view, or logs newly completed iterations. */
  update(shown: readonly Experiment[]): void {
    // Laid out on the escaped names, so that the view's columns hold.
    const experiments = shown.map(forTerminal);
    if (this.#options.mode === ProgressMode.Plain) {
      for (const experiment of experiments) {
        const done = experiment.status?.completedIterations ?? 0;
        const known = this.#iterations.get(id(experiment));
        this.#iterations.set(id(experiment), done);
        // The first look only sets the baseline, so a resumed run does not repeat old iterations.
        if (known === undefined || done <= known) continue;
        const [first, ...rest] = iterationLines(experiment);
        this.log(`${id(experiment)} ${first}`);
        for (const line of rest) this.log(`${id(experiment)} ${line}`);
      }
      return;
    }
    const frame = experiments.flatMap((e) => renderFrame(e, this.#columns()));
    if (frame.length === this.#frame.length && frame.every((l, i) => l === this.#frame[i])) return;
    this.#options.stream.write(`${up(this.#frame.length)}${frame.map((l) => `${l}\n`).join("")}`);
    this.#frame = frame;
  }

  /** Leaves the last view on screen; later output starts below it. */
  finish(): void {
    this.#frame = [];
  }
}
