// `npm run demo`: installs the workspace (pnpm included), builds the demo and iter8ctl, and runs
// the three local samples. Arguments after `--` go to the demo (e.g. `npm run demo -- --fast`).
import { ensurePnpm, run } from "./pnpm.mjs";

const pnpm = ensurePnpm();
let code = run(pnpm, ["install", "--frozen-lockfile", "--prefer-offline"]);
// The demo runs code only, so its build skips type declarations (see tsup.config.base.ts).
const buildEnv = { ...process.env, ITER8TS_SKIP_DTS: "1" };
if (code === 0) {
  code = run(pnpm, ["exec", "turbo", "run", "build", "--filter=@iter8ts/demo...", "--filter=@iter8ts/cli...", "--output-logs=errors-only"], { env: buildEnv });
}
if (code === 0) code = run(process.execPath, ["packages/demo/dist/run-demo.js", ...process.argv.slice(2)]);
process.exit(code);
