#!/usr/bin/env node
// Makes GrowthBook's gbstats (pinned in requirements.txt beside this file) importable for the
// cross-check test: a Python venv under ${ITER8TS_CACHE:-~/.cache/iter8ts}/gbstats-<key>/venv,
// the key naming the pinned version and the Python version, so a new pin makes a new venv and an
// existing one is reused without touching the network. Prints the venv's python on success.
//
// Exit codes: 0 ready; 2 no python3 on PATH (the cross-check is skipped); 1 python3 exists but
// gbstats could not be installed (the cross-check fails).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the venv lives and how to run it; null when there is no python3. */
export function gbstatsEnvironment(env = process.env) {
  const requirements = join(here, "requirements.txt");
  const pin = readFileSync(requirements, "utf8").match(/^gbstats==(\S+)/m)?.[1];
  if (!pin) throw new Error(`${requirements}: no gbstats==<version> line`);
  let pythonVersion;
  try {
    pythonVersion = execFileSync("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
  const root = env.ITER8TS_CACHE || join(homedir(), ".cache", "iter8ts");
  const dir = join(root, `gbstats-${pin}-py${pythonVersion}`);
  const python = join(dir, "venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  return { pin, pythonVersion, dir, python, requirements };
}

/** Installs gbstats if needed; returns { python } or { error } (null: no python3). */
export function ensureGbstats(env = process.env) {
  const target = gbstatsEnvironment(env);
  if (!target) return null;
  const { pin, dir, python, requirements } = target;
  const marker = join(dir, "installed");
  const check = () => {
    try {
      const version = execFileSync(python, ["-c", "import importlib.metadata as m, gbstats; print(m.version('gbstats'))"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }).trim();
      return version === pin;
    } catch {
      return false;
    }
  };
  if (existsSync(marker) && check()) return { python };
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("python3", ["-m", "venv", join(dir, "venv")], { stdio: ["ignore", "pipe", "pipe"] });
    execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
  } catch (error) {
    const detail = String(error?.stderr ?? error?.message ?? error).trim().split("\n").slice(-5).join("\n");
    return { error: `python3 is on PATH but gbstats ${pin} could not be installed into ${dir}: ${detail}` };
  }
  if (!check()) return { error: `gbstats ${pin} was installed into ${dir} but does not import` };
  writeFileSync(marker, `gbstats ${pin}\n`);
  return { python };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = ensureGbstats();
  if (result === null) {
    console.log("python3 is not on PATH: the gbstats cross-check is skipped");
    process.exit(2);
  }
  if ("error" in result) {
    console.error(result.error);
    process.exit(1);
  }
  console.log(result.python);
}
