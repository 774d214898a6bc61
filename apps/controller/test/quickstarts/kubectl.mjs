// A `kubectl` for action Jobs of the quickstart tests: `kubectl apply [-n NS] -f FILE|DIR|-`
// against the cluster of $KUBECONFIG (the Job executor of @iter8ts/testkit sets it), through
// @kubernetes/client-node, so finish actions promote versions with no kubectl binary around.
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
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? "";
  if (arg === "-n" || arg === "--namespace") namespace = args[++i];
  else if (arg.startsWith("--namespace=")) namespace = arg.slice("--namespace=".length);
  else if (arg === "-f" || arg === "--filename") files.push(args[++i] ?? "");
  else if (arg.startsWith("--filename=")) files.push(arg.slice("--filename=".length));
  else if (arg.startsWith("-")) fail(`unknown flag: ${arg} (this kubectl runs: kubectl apply [-n NAMESPACE] -f FILE)`);
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
  return readdirSync(path)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => ({ source: join(path, name), text: readFileSync(join(path, name), "utf8") }));
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
