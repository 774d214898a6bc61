// Where a controller CPU profile (`node --cpu-prof`, e.g. from bench:scale with SCALE_PROFILE_DIR)
// spent its busy time: each sample goes to the category of its innermost frame that a rule below
// recognises. Usage: node bench/profile-categories.mjs PROFILE.cpuprofile [CPU ms per iteration]
// (with the second argument each share is also shown in ms per iteration).
import { readFileSync } from "node:fs";
const prof = JSON.parse(readFileSync(process.argv[2], "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const rules = [
  ["idle", (f) => f.functionName === "(idle)"],
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  // pino writes each line with a synchronous fs write; checked before the HTTP rule, whose socket
  // writes share the native writeString/writeLatin1String frames with it (a native frame is
  // categorised by its caller: node:fs here, node:net there).
  ["logging (pino)", (f) => /pino|sonic-boom/.test(f.url) || (f.url === "node:fs" && f.functionName === "write")],
  ["store read: clone + schema parse of the cached Experiment", (f) => /^(getExperiment|readExperiment|parseStoredExperiment|parseExperimentSchema|structuredClone|cloneJson)$/.test(f.functionName)],
  ["listExperiments (target queue check)", (f) => f.functionName === "listExperiments"],
  ["status parse/serialise in the engine", (f) => /^(parseEngineStatus|validEntries)$/.test(f.functionName)],
  ["status diff (statusPatch)", (f) => /^(statusPatch|shiftedAppend|jsonEqual)$/.test(f.functionName)],
  ["watch events (informer)", (f) => /watch\.js|resource-informer|onWatchEvent|watchStream/.test(f.url + f.functionName)],
  ["Events (KubeEventSink)", (f) => /^(#write|#create|#writeWithRetries|emitChanges)$/.test(f.functionName) ],
  ["metrics query + analytics", (f) => /^(query|analyze|analyzeIteration|aggregateMetrics)$/.test(f.functionName)],
  ["HTTP requests (client, sockets)", (f) => /^node:(_http|net|internal\/stream|internal\/streams|http|https|tls|internal\/url)/.test(f.url) || /^(requestText|sendOverAgent|request)$/.test(f.functionName)],
  ["engine reconcile (decide + status build)", (f) => /^(reconcile|perform|iterate|withDefaults|nextStep)$/.test(f.functionName)],
  ["controller queue/workers", (f) => /controller\.js/.test(f.url)],
  ["module loading / start-up", (f) => /compileSourceTextModule|wrapSafe|loader/.test(f.functionName + f.url)],
];
const totals = new Map();
let busy = 0;
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const d = dt[i] ?? 0;
  let cur = prof.samples[i];
  let cat = "other";
  outer: while (cur !== undefined) {
    const f = byId.get(cur).callFrame;
    for (const [name, test] of rules) if (test(f)) { cat = name; break outer; }
    cur = parent.get(cur);
  }
  totals.set(cat, (totals.get(cat) ?? 0) + d);
  if (cat !== "idle") busy += d;
}
const msPerIteration = Number(process.argv[3] ?? NaN);
console.log(`busy ${(busy / 1e6).toFixed(1)} s`);
for (const [cat, t] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (cat === "idle") continue;
  const share = t / busy;
  console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${Number.isNaN(msPerIteration) ? "" : `${(share * msPerIteration).toFixed(2)} ms/it  `}${cat}`);
}
