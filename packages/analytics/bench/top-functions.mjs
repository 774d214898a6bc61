// Prints the functions with the most self time (and the files with the most self time) of a
// V8 .cpuprofile written by `node --cpu-prof`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

// argv[2]: a .cpuprofile, or a folder (its newest .cpuprofile).
let file = process.argv[2];
if (statSync(file).isDirectory()) {
  const newest = readdirSync(file)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(file, f))
    .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
  if (!newest) throw new Error(`no .cpuprofile in ${file}`);
  file = newest;
}
const profile = JSON.parse(readFileSync(file, "utf8"));
const limit = Number(process.argv[3] ?? 25);
const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000; // ms per sample
const selfCount = new Map();
for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
const byFunction = new Map();
const byFile = new Map();
let totalSamples = 0;
for (const node of profile.nodes) {
  const n = selfCount.get(node.id) ?? 0;
  totalSamples += n;
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/\.pnpm\/)?/, "") || "(native)";
  const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + n);
  byFile.set(file, (byFile.get(file) ?? 0) + n);
}
const show = (title, map) => {
  console.log(`\n${title} (self time, ${totalSamples} samples, ${(totalSamples * interval).toFixed(0)} ms)`);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${((100 * n) / totalSamples).toFixed(1).padStart(5)} %  ${key}`);
  }
};
show("functions", byFunction);
show("files", byFile);

// Inclusive time of named functions (argv[4]: comma-separated names), per call if argv[5] gives the call count.
if (process.argv[4]) {
  const names = new Set(process.argv[4].split(","));
  const calls = Number(process.argv[5] ?? 0);
  const children = new Map(profile.nodes.map((n) => [n.id, n.children ?? []]));
  const nodesById = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = (id) => (selfCount.get(id) ?? 0) + children.get(id).reduce((s, c) => s + inclusive(c), 0);
  const totals = new Map();
  const visit = (id, inside) => {
    const node = nodesById.get(id);
    const name = node.callFrame.functionName;
    let nowInside = inside;
    if (names.has(name) && !inside.has(name)) {
      totals.set(name, (totals.get(name) ?? 0) + inclusive(id));
      nowInside = new Set(inside).add(name);
    }
    for (const c of children.get(id)) visit(c, nowInside);
  };
  visit(profile.nodes[0].id, new Set());
  console.log(`\ninclusive time${calls ? ` (µs per analyze() call over ${calls} calls)` : ""}`);
  for (const [name, n] of [...totals].sort((a, b) => b[1] - a[1])) {
    const ms = n * interval;
    console.log(`${name.padEnd(36)} ${((100 * n) / totalSamples).toFixed(1).padStart(5)} %  ${calls ? ((1000 * ms) / calls).toFixed(1) + " µs" : ms.toFixed(0) + " ms"}`);
  }
}
