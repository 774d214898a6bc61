/** Builds the control-plane binaries from the Go modules in tools/kube-control-plane (once per key). */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeHarnessError, KubeHarnessErrorCode } from "./kube-harness-error";

const BUILD_SCRIPT = join("tools", "kube-control-plane", "build.mjs");

/** Options of {@link ensureBuilt}. */
export interface EnsureBuiltOptions {
  /** Environment of the build (`ITER8TS_CACHE`, `GOPROXY`, `PATH`, ...); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the build's progress goes (a cold build takes minutes); default: the parent's stderr. */
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Only name the bin folder (complete or not); never build. */
  readonly printOnly?: boolean;
}

/**
 * The repository root: the closest folder above this module that holds the build script. The
 * harness runs from `src/` under vitest and from `dist/` under the CLI, so it looks rather than
 * counting `..`s.
 */
export function repositoryRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, BUILD_SCRIPT))) return dir;
    if (dirname(dir) === dir) {
      throw new KubeHarnessError(KubeHarnessErrorCode.BuildFailed, `no ${BUILD_SCRIPT} above ${from}; the harness runs from the iter8ts repository`);
    }
  }
}

/**
 * Builds kube-apiserver, kube-controller-manager, kubectl, etcd and kube-pki when the cache has
 * no complete set for the pinned versions (a no-op otherwise), and returns their folder.
 */
export function ensureBuilt(options: EnsureBuiltOptions = {}): Promise<string> {
  const root = repositoryRoot();
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, BUILD_SCRIPT), ...(options.printOnly ? ["--print"] : [])], {
      cwd: root,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    let stdout = "";
    const stderrTail: string[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) {
        progress(line);
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      }
    });
    child.on("error", (err) =>
      reject(new KubeHarnessError(options.signal?.aborted ? KubeHarnessErrorCode.Aborted : KubeHarnessErrorCode.BuildFailed, `cannot run ${BUILD_SCRIPT}: ${err.message}`, { cause: err })),
    );
    child.on("close", (code) => {
      const binDir = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && binDir) return resolve(binDir);
      reject(
        new KubeHarnessError(
          KubeHarnessErrorCode.BuildFailed,
          `node ${BUILD_SCRIPT} exited with ${code}; fix the Go build it reports and rerun it:\n${stderrTail.join("\n")}`,
        ),
      );
    });
  });
}
