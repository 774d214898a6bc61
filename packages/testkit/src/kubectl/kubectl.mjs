// The kubectl stand-in of the tests: `kubectl apply [-n NS] -f FILE|DIR|- [-R]` against the cluster
// of $KUBECONFIG, through @kubernetes/client-node and kubectl's own apply (kubectl-apply.mjs), so
// finish actions promote versions for real (a real shell, a real process, a real API) with no
// kubectl binary around: in the controller's action Jobs on testkit's server, and in e2e's
// in-memory quickstarts. Put on a PATH by install-kubectl.ts.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { KubectlApplyError, kubectlApply, readManifests } from "./kubectl-apply.mjs";

/** @param {string} message */
function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
/** @type {string | undefined} */
let namespace;
/** @type {string[]} */
const files = [];
/** @type {string[]} */
const verbs = [];
let recursive = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? "";
  if (arg === "-n" || arg === "--namespace") namespace = args[++i];
  else if (arg.startsWith("--namespace=")) namespace = arg.slice("--namespace=".length);
  else if (arg === "-f" || arg === "--filename") files.push(args[++i] ?? "");
  else if (arg.startsWith("--filename=")) files.push(arg.slice("--filename=".length));
  else if (arg === "-R" || arg === "--recursive") recursive = true;
  else if (arg.startsWith("-")) fail(`unknown flag: ${arg} (this kubectl runs: kubectl apply [-n NAMESPACE] -f FILE [-R])`);
  else verbs.push(arg);
}
if (verbs.length !== 1 || verbs[0] !== "apply") fail(`this kubectl runs only kubectl apply [-n NAMESPACE] -f FILE, not: kubectl ${args.join(" ")}`);
if (files.length === 0 || files.some((f) => f === "")) fail("must specify one of -f and -k");

/** @param {string} path */
function documentsOf(path) {
  if (/^https?:\/\//.test(path)) fail(`cannot download ${path}: the finish action must name local manifests (see samples/README.md)`);
  if (path === "-") return [{ source: "STDIN", text: readFileSync(0, "utf8") }];
  let stat;
  try {
    stat = statSync(path);
  } catch {
    fail(`the path "${path}" does not exist`);
  }
  if (!stat?.isDirectory()) return [{ source: path, text: readFileSync(path, "utf8") }];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return recursive ? documentsOf(full) : [];
      return /\.(ya?ml|json)$/.test(entry.name) ? [{ source: full, text: readFileSync(full, "utf8") }] : [];
    });
}

try {
  const objects = files.flatMap(documentsOf).flatMap(({ source, text }) => readManifests(text, source));
  if (objects.length === 0) fail("no objects passed to apply");
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  await kubectlApply(kubeConfig, objects, { ...(namespace !== undefined ? { namespace } : {}), onApplied: (line) => process.stdout.write(`${line}\n`) });
} catch (error) {
  fail(error instanceof KubectlApplyError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
