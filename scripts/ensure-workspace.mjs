// Installs pnpm (if needed) and the workspace's dependencies from the lockfile.
import { ensurePnpm, run } from "./pnpm.mjs";

const pnpm = ensurePnpm();
const code = run(pnpm, ["install", "--frozen-lockfile", "--prefer-offline"]);
if (code !== 0) process.exit(code);
