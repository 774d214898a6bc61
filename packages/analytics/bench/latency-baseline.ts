/**
 * The "before" of the latency table, measured in the same run as "now": the analytics source at
 * a fixed commit is taken from git (`git archive`, the working tree is not touched), bundled like
 * the bench, and its `analyze` runs the same latency case. Needs a git checkout with that commit.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { analyze } from "../src/index";

/** Where the package lives: the bench runs from node_modules/.cache/bench/simulate.js. */
function packageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || dir.endsWith(join("node_modules", ".cache", "bench"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find packages/analytics/package.json above the bench");
    dir = up;
  }
  return dir;
}

/** `analyze` of packages/analytics/src at `commit`, or why it could not be built. */
export async function baselineAnalyze(commit: string): Promise<typeof analyze | string> {
  const pkg = packageDir();
  const out = join(pkg, "node_modules", ".cache", "bench", `baseline-${commit}`);
  const bundle = join(out, "index.js");
  try {
    if (!existsSync(bundle)) {
      const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: pkg, encoding: "utf8" }).trim();
      const prefix = execFileSync("git", ["rev-parse", "--show-prefix"], { cwd: pkg, encoding: "utf8" }).trim();
      const tree = join(out, "tree");
      mkdirSync(tree, { recursive: true });
      const archive = execFileSync("git", ["-C", root, "archive", commit, `${prefix}src`], { maxBuffer: 64 << 20 });
      execFileSync("tar", ["-x", "-C", tree], { input: archive });
      execFileSync(
        "pnpm",
        ["exec", "tsup", join(tree, prefix, "src", "index.ts"), "--no-config", "--format", "esm", "--platform", "node", "--target", "node20", "--out-dir", out, "--silent"],
        { cwd: pkg, stdio: ["ignore", "ignore", "pipe"] },
      );
    }
    const module = (await import(pathToFileURL(resolve(bundle)).href)) as { analyze: typeof analyze };
    return module.analyze;
  } catch (error) {
    return `could not build the analytics source of ${commit} (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
}
