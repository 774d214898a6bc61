import { CommanderError } from "commander";
import { buildProgram } from "./program";

// The executable: parse arguments, run the command, and turn errors into exit codes.
// Commands set process.exitCode themselves; anything thrown is reported in one line.
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
