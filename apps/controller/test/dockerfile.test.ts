// The image cannot be built in the test run (no container daemon), so this checks what would
// break it silently: the pnpm and Node versions, and the executables the Deployment and the
// action Jobs call, against the packages that define them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderKustomization, type DeploymentSpec } from "./render-kustomization";

const appRoot = join(import.meta.dirname, "..");
const repoRoot = join(appRoot, "..", "..");
const dockerfile = readFileSync(join(appRoot, "Dockerfile"), "utf8");
interface PackageJson {
  packageManager?: string;
  engines: { node: string };
  bin: Record<string, string>;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as PackageJson;
const rootPackage = readJson(join(repoRoot, "package.json"));
const controllerPackage = readJson(join(appRoot, "package.json"));
const cliPackage = readJson(join(repoRoot, "apps", "cli", "package.json"));

/** `ln -s TARGET LINK` pairs of the runtime stage. */
function symlinks(): Map<string, string> {
  const links = new Map<string, string>();
  for (const match of dockerfile.matchAll(/ln -s (\S+) (\S+)/g)) links.set(match[2]!, match[1]!);
  return links;
}

describe("Dockerfile", () => {
  it("builds with the workspace's pnpm and a Node the engines field accepts", () => {
    const pnpm = /corepack prepare pnpm@(\S+)/.exec(dockerfile)?.[1];
    expect(`pnpm@${pnpm}`).toBe(rootPackage.packageManager);
    const nodeMajor = Number(/ARG NODE_IMAGE=node:(\d+)-slim/.exec(dockerfile)?.[1]);
    const engineMajor = Number(/>=(\d+)/.exec(controllerPackage.engines.node)?.[1]);
    expect(nodeMajor).toBeGreaterThanOrEqual(engineMajor);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\}$/m);
  });

  it("starts the controller's bin and puts iter8ctl and kubectl-iter8 on PATH from the CLI's bins", () => {
    const links = symlinks();
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(entrypoint).toEqual(["iter8-controller"]);
    for (const [bin, file] of Object.entries(controllerPackage.bin)) {
      expect(links.get(`/usr/local/bin/${bin}`)).toBe(`/app/controller/${file}`);
    }
    for (const [bin, file] of Object.entries(cliPackage.bin)) {
      expect(links.get(`/usr/local/bin/${bin}`), `bin ${bin} of the CLI`).toBe(`/app/cli/${file}`);
    }
    expect(links.has("/usr/local/bin/iter8ctl")).toBe(true);
    expect(links.has("/usr/local/bin/kubectl-iter8")).toBe(true);
  });

  it("runs as the non-root user the Deployment's securityContext names", () => {
    const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
    const deployment = renderKustomization(join(appRoot, "deploy", "base")).find((m) => m.kind === "Deployment")!;
    const pod = (deployment.spec as DeploymentSpec).template.spec;
    expect(Number(user?.[1])).toBe(pod.securityContext.runAsUser);
    expect(Number(user?.[2])).toBe(pod.securityContext.runAsGroup);
    expect(Number(user?.[1])).toBeGreaterThan(0);
  });
});
