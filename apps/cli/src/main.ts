import * as nodeModule from "node:module";
import { CommanderError } from "commander";
import { buildProgram } from "./program";

// The executable: parse arguments, run the command, and turn errors into exit codes.
// Commands set process.exitCode themselves; anything thrown is reported in one line.

// Node 22.1+ keeps the compiled code of the chunks a command loads next in a cache on disk, so the
// next run skips parsing them; Node 20 has no such cache, and the call is skipped there.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// A reader that goes away early (`iter8ctl describe -f x | head`) is not an error of ours:
// stop quietly instead of dying on an unhandled EPIPE.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    // Loaded only here: the escaping pulls in @iter8ts/types, which a command may not need.
    const { escapeControls } = await import("./terminal-text");
    process.stderr.write(`Error: ${escapeControls(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  }
}
