// A CommandIo that keeps what a command prints and serves files from memory.
import type { CommandIo } from "../command-io";

/** What a command printed and the exit code it set. */
export interface Printed {
  out: string;
  err: string;
  code: number;
}

/** An in-memory CommandIo; `-` reads `stdin`, other paths read `files` or fail like a missing file. */
export function memoryIo(files: Record<string, string>, stdin = ""): { io: CommandIo; printed: Printed } {
  const printed: Printed = { out: "", err: "", code: 0 };
  const io: CommandIo = {
    out: (t) => void (printed.out += t),
    err: (t) => void (printed.err += t),
    setExitCode: (c) => void (printed.code = c),
    read: async (path) => {
      if (path === "-") return stdin;
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return files[path]!;
    },
  };
  return { io, printed };
}
