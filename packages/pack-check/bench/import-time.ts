// `pnpm -F @iter8ts/pack-check bench`: how long a fresh Node process takes to import
// @iter8ts/analytics (and to require it) from the installed tarball, against `node -e 0`, median
// of 15 alternating runs in the shared consumer project. Prints numbers; asserts nothing.
import { performance } from "node:perf_hooks";
import { libraryConsumer, packAll } from "../src/index";

const RUNS = 15;

async function main(): Promise<void> {
  const project = await libraryConsumer(await packAll());
  const cases: Record<string, string[]> = {
    "node -e 0": ["-e", "0"],
    "import('@iter8ts/analytics')": ["--input-type=module", "-e", "await import('@iter8ts/analytics')"],
    "require('@iter8ts/analytics')": ["-e", "require('@iter8ts/analytics')"],
    "import('@iter8ts/types')": ["--input-type=module", "-e", "await import('@iter8ts/types')"],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const args of Object.values(cases)) await project.node(args); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const start = performance.now();
      const r = await project.node(args);
      const ms = performance.now() - start;
      if (r.code !== 0) throw new Error(`${name} failed in ${project.dir}: ${r.stderr}`);
      times[name]!.push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(times["node -e 0"]!);
  console.log(`Node ${process.version}, ${RUNS} runs each, project ${project.dir}`);
  for (const [name, xs] of Object.entries(times)) {
    console.log(`${name.padEnd(32)} median ${median(xs).toFixed(1).padStart(7)} ms  (${(median(xs) / base).toFixed(2)}× node -e 0)`);
  }
}

await main();
