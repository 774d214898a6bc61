// The docs checker (docs/docs-check.md): every shell block of the READMEs and docs/ runs, every
// TypeScript snippet type-checks as written and runs, documented outputs are compared, and what
// cannot run on one machine is listed with its reason. DOCS_CHECK_ONLY=a.md,b.md narrows the run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCustomResourceDefinitions } from "@iter8ts/testkit";
import { startControlPlane, waitForCrdsEstablished, type ControlPlane } from "@iter8ts/kube-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockKind, extractBlocks, missingOutputLine, type DocBlock } from "./doc-blocks";
import { docFiles } from "./doc-files";
import { shellFileSession, transcriptBlock, type ShellResult } from "./run-shell";
import { prepareSnippets, runSnippet, snippetFileName, typecheckSnippets, type PreparedSnippet } from "./run-snippets";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const only = (process.env.DOCS_CHECK_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const files = docFiles(root).filter((f) => !only.length || only.includes(relative(root, f)));
const parsed = files.map((file) => ({ file, ...extractBlocks(file, readFileSync(file, "utf8")) }));
const blocks = parsed.flatMap((p) => p.blocks);
const snippets = blocks.filter((b) => (b.kind === BlockKind.Snippet || b.kind === BlockKind.TestFile) && b.skipReason === undefined);

const where = (b: { file: string; line: number }) => `${relative(root, b.file)}:${b.line}`;
/** A command needs the control plane when it talks to a cluster. */
const needsCluster = (text: string) => /(^|[\s;&|(])(kubectl|kubectl-iter8)\s/.test(text) || /iter8ctl\s+(describe|assert|debug)\s+(?!-f)/.test(text);

/** What ran: shell commands and snippets, counted apart. */
const executed: { where: string; snippet: boolean }[] = [];
const cannotRun: { where: string; what: string; reason: string; commands: number; snippets: number }[] = [];
for (const b of blocks) {
  if (b.kind === BlockKind.Other) continue;
  const shell = b.kind === BlockKind.Shell;
  if (b.skipReason !== undefined) cannotRun.push({ where: where(b), what: shell ? `${b.commands.length} command(s)` : "snippet", reason: b.skipReason, commands: shell ? b.commands.length : 0, snippets: shell ? 0 : 1 });
  else for (const c of b.commands) if (c.skipReason !== undefined) cannotRun.push({ where: `${relative(root, b.file)}:${c.line}`, what: c.text.split("\n")[0]!.replace(/\s+#\s.*$/, ""), reason: c.skipReason, commands: 1, snippets: 0 });
}

// Inside this package (git-ignored, left out of lint), so that `@iter8ts/*` resolve from there
// through its node_modules as in a project; not inside node_modules, which an install prunes.
const work = join(root, "packages", "docs-check", ".docs-check");
let env: NodeJS.ProcessEnv = {};
let npmPrefix = "";
const prepared = new Map<string, PreparedSnippet>();
let typeErrors = new Map<string, string[]>();

function explain(result: ShellResult): string {
  const tail = (s: string) => s.split("\n").slice(-40).join("\n");
  return `${result.timedOut ? "timed out" : `exit ${result.exitCode}`}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`;
}

/** A CRD that accepts any object of its kind, as kind-e2e.sh's minimal mode installs. */
function openCrd(group: string, kind: string, plural: string): Record<string, unknown> {
  const schema = { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { kind, plural, singular: kind.toLowerCase() },
      versions: ["v1beta1", "v1alpha3"].map((name, i) => ({ name, served: true, storage: i === 0, schema })),
    },
  };
}

/** A fresh control plane for one file, with the traffic stacks' CRDs: the cluster its text assumes. */
async function startPlaneForDocs(): Promise<ControlPlane> {
  const started = await startControlPlane();
  // A cluster "that runs the stack": the routing kinds' CRDs of Istio, Knative, KServe and Seldon.
  const routing = [
    ...defaultCustomResourceDefinitions().filter((crd) => !String((crd.metadata as { name: string }).name).endsWith(".iter8.tools")),
    // The other Istio kinds the istio quickstart creates (bookinfo's Gateway and DestinationRule).
    openCrd("networking.istio.io", "Gateway", "gateways"),
    openCrd("networking.istio.io", "DestinationRule", "destinationrules"),
  ];
  const applied = await started.kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: routing }) });
  if (applied.exitCode !== 0) throw new Error(`installing the traffic stacks' CRDs failed: ${applied.stderr}`);
  await waitForCrdsEstablished(started);
  return started;
}

/** The environment of the test run minus what vitest adds (VITEST*, TEST, NODE_ENV=test): a reader's terminal has none of it. */
function readerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("VITEST") || name === "TEST" || (name === "NODE_ENV" && env[name] === "test")) delete env[name];
  return env;
}

function envFor(plane: ControlPlane | undefined): NodeJS.ProcessEnv {
  return {
    ...readerEnv(),
    // npm's global folder (where the quick start's `npm link` puts iter8ctl and kubectl-iter8),
    // with its bin on PATH as on a reader's machine; a scratch one, so the run changes nothing global.
    NPM_CONFIG_PREFIX: npmPrefix,
    // `pnpm kube:up`/`kube:down` of the docs use a scratch folder, never a developer's .kube-test/.
    ITER8TS_KUBE_DIR: join(npmPrefix, "kube-test"),
    PATH: [join(npmPrefix, "bin"), plane?.binDir, process.env.PATH].filter(Boolean).join(":"),
    ...(plane ? { KUBECONFIG: plane.kubeconfigPath } : {}),
  };
}

beforeAll(async () => {
  for (const [name, snippet] of prepareSnippets(snippets, work, root)) prepared.set(name, snippet);
  npmPrefix = mkdtempSync(join(tmpdir(), "docs-check-npm-"));
  env = envFor(undefined);
  // Every doc assumes the root README's quick start (iter8ctl on PATH); run it when it is not in this run.
  if (!files.some((f) => relative(root, f) === "README.md")) {
    const quickStart = extractBlocks(join(root, "README.md"), readFileSync(join(root, "README.md"), "utf8")).blocks.filter((b) => b.kind === BlockKind.Shell && b.skipReason === undefined && b.section === "Quick start");
    const session = shellFileSession({ root, workDir: work, name: "quick-start", env });
    for (const step of quickStart) {
      const result = await session.run(step);
      if (result.exitCode !== 0) throw new Error(`the root README's quick start failed at ${where(step)}: ${explain(result)}`);
    }
  }
  if (prepared.size) typeErrors = typecheckSnippets(work);
}, 15 * 60_000);

afterAll(() => {
  rmSync(npmPrefix, { recursive: true, force: true });
  const sum = (list: { commands: number; snippets: number }[]) => list.reduce((n, c) => [n[0]! + c.commands, n[1]! + c.snippets], [0, 0]);
  const [skippedCommands, skippedSnippets] = sum(cannotRun);
  const ranSnippets = executed.filter((e) => e.snippet).length;
  const lines = [
    `docs-check: executed ${executed.length - ranSnippets} documented commands and ${ranSnippets} snippets in ${files.length} files; cannot run here: ${skippedCommands} commands and ${skippedSnippets} snippets, in ${cannotRun.length} places:`,
    ...cannotRun.map((c) => `  ${c.where} ${c.what}: ${c.reason}`),
  ];
  console.log(lines.join("\n"));
});

it("every docs-check marker is well-formed", () => {
  const problems = parsed.flatMap((p) => p.problems.map((m) => `${where(m)}: ${m.message}`));
  expect(problems, problems.join("\n")).toEqual([]);
});

for (const { file, blocks: fileBlocks, requires } of parsed) {
  const checked = fileBlocks.filter((b) => b.kind !== BlockKind.Other && b.skipReason === undefined);
  if (!checked.length) continue;
  describe(relative(root, file), () => {
    // Each file that talks to a cluster gets a fresh one, as its reader would.
    const usesCluster = requires.length > 0 || checked.some((b) => b.kind === BlockKind.Shell && b.commands.some((c) => c.skipReason === undefined && needsCluster(c.text)));
    let plane: ControlPlane | undefined;
    let session: ReturnType<typeof shellFileSession> | undefined;
    beforeAll(async () => {
      if (usesCluster) plane = await startPlaneForDocs();
      session = shellFileSession({ root, workDir: work, name: relative(root, file).replace(/[^A-Za-z0-9]+/g, "-"), env: envFor(plane) });
      // The documented steps this file assumes (e.g. the controller installed), run as written.
      for (const requirement of requires) {
        const target = parsed.find((p) => relative(root, p.file) === requirement.file) ?? { file: join(root, requirement.file), ...extractBlocks(join(root, requirement.file), readFileSync(join(root, requirement.file), "utf8")) };
        const steps = target.blocks.filter((b) => b.kind === BlockKind.Shell && b.skipReason === undefined && b.section === requirement.section);
        if (!steps.length) throw new Error(`${relative(root, file)}:${requirement.line}: requires ${requirement.file}#${requirement.section}, which has no shell block that runs here`);
        for (const step of steps) {
          const result = await session.run(step);
          if (result.exitCode !== 0) throw new Error(`${relative(root, file)}:${requirement.line}: the required steps of ${where(step)} failed: ${explain(result)}`);
        }
      }
    }, 10 * 60_000);
    afterAll(async () => {
      await plane?.stop();
    });
    for (const block of checked) {
      const title = `${where(block)} ${block.kind === BlockKind.Shell ? (block.commands[0]?.text.split("\n")[0] ?? "") : block.info}`;
      it(title, async () => {
        if (block.kind === BlockKind.Shell) await checkShell(block, session!);
        else await checkSnippet(block, envFor(plane));
      }, ((block.timeoutSeconds ?? 120) + 30) * 1000 * Math.max(1, block.commands.length));
    }
  });
}

async function checkShell(block: DocBlock, session: ReturnType<typeof shellFileSession>): Promise<void> {
  const runnable = block.commands.filter((c) => c.skipReason === undefined);
  if (!runnable.length) return;
  if (block.commands.some((c) => c.output)) {
    // A transcript: each `$ command` is run and compared with the lines after it.
    for (const command of runnable) {
      const result = await session.run(transcriptBlock(block, command));
      expect(result.exitCode, `${relative(root, block.file)}:${command.line} \`${command.text}\` failed: ${explain(result)}`).toBe(0);
      executed.push({ where: `${relative(root, block.file)}:${command.line}`, snippet: false });
      const missing = missingOutputLine(command.output ?? [], result.stdout + result.stderr);
      expect(missing, `${relative(root, block.file)}:${command.line}: documented output line not printed:\n${missing}\n${explain(result)}`).toBeUndefined();
    }
    return;
  }
  const result = await session.run(block);
  expect(result.exitCode, `${where(block)} failed: ${explain(result)}`).toBe(0);
  for (const c of runnable) executed.push({ where: `${relative(root, block.file)}:${c.line}`, snippet: false });
  if (block.output) {
    const missing = missingOutputLine(block.output, result.stdout + result.stderr);
    expect(missing, `${where(block)}: documented output line not printed:\n${missing}\n${explain(result)}`).toBeUndefined();
  }
}

async function checkSnippet(block: DocBlock, snippetEnv: NodeJS.ProcessEnv): Promise<void> {
  const name = snippetFileName(block, root);
  const snippet = prepared.get(name)!;
  const errors = (typeErrors.get(name) ?? []).map((e) => e.replace(/^line (\d+)/, (_m, n: string) => `${relative(root, block.file)}:${block.line + Number(n)}`));
  expect(errors, `${where(block)}: the snippet does not type-check as written:\n${errors.join("\n")}\n`).toEqual([]);
  const result = await runSnippet(name, snippet, work, root, snippetEnv);
  expect(result.exitCode, `${where(block)}: the snippet fails when run: ${explain(result)}`).toBe(0);
  executed.push({ where: where(block), snippet: true });
  if (block.output) {
    const missing = missingOutputLine(block.output, result.stdout + result.stderr);
    expect(missing, `${where(block)}: documented output line not printed:\n${missing}\n${explain(result)}`).toBeUndefined();
  }
}
