import { readInput } from "./io";

/**
 * What a command needs from its process: output streams, the exit code, and file/stdin reads.
 * Commands take it as a parameter so tests run them in process and read what they printed.
 */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
  /** Reads a file, or standard input for `-`. */
  read(path: string): Promise<string>;
}

/** The real process: stdout, stderr, `process.exitCode`, the file system and stdin. */
export const processIo: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  read: readInput,
};
