/**
 * Profiles `analyze()` on the bench's latency case (A/B/N, 10 versions × 10 metrics, statistics
 * mode, 20 looks with the state carried): run under `node --cpu-prof`, then read the profile with
 * `node bench/top-functions.mjs <file>.cpuprofile`.
 *
 * Run: pnpm -F @iter8ts/analytics profile   (writes node_modules/.cache/bench/*.cpuprofile and prints
 * the functions with the most self time, then the inclusive time of the main steps per call)
 */
import { latencySequence } from "./latency-case";

const sequences = Number(process.argv[2] ?? 400);
let total = 0;
let calls = 0;
for (let s = 0; s < sequences; s++) {
  for (const d of latencySequence(true, `profile|${s}`)) {
    total += d;
    calls++;
  }
}
console.log(`${calls} analyze() calls, mean ${(total / calls).toFixed(3)} ms`);
