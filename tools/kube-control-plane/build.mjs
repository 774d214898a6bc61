#!/usr/bin/env node
// Builds the test control plane's binaries (kube-apiserver, kube-controller-manager, kubectl,
// etcd, kube-pki) from the Go modules beside this file into a cache folder named after the pinned
// versions, and prints that bin folder as its last line. A no-op when the folder is complete.
//
//   node tools/kube-control-plane/build.mjs            build if needed, print the bin folder
//   node tools/kube-control-plane/build.mjs --print    print the bin folder, build nothing
//
// The cache is ${ITER8TS_CACHE:-$HOME/.cache/iter8ts}/<key>/bin. The key names the versions read
// from the go.mod files and the Go release, plus a digest of every input (go.mod, go.sum, Go
// sources, this script), so that changing a pin or a flag builds into a new folder instead of
// reusing stale binaries. The build runs under `nice -n 10`: a cold build takes minutes of both
// cores, and other work shares the machine.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = ["kube", "etcd", "pki"];
const binaries = ["kube-apiserver", "kube-controller-manager", "kubectl", "etcd", "kube-pki"];

function fail(message) {
  console.error(`kube-build: ${message}`);
  process.exit(1);
}

function requiredVersion(module, path) {
  const gomod = readFileSync(join(here, module, "go.mod"), "utf8");
  const m = gomod.match(new RegExp(`^\\s*(?:require\\s+)?${path.replace(/[.]/g, "\\.")}\\s+v(\\S+)`, "m"));
  if (!m) fail(`${module}/go.mod does not require ${path}`);
  return m[1];
}

function goRelease() {
  const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env: goEnv() });
  if (r.error || r.status !== 0) {
    fail(`cannot run \`go env GOVERSION\` (${r.error?.message ?? r.stderr.trim()}); install Go 1.26 or newer and put it on PATH`);
  }
  const m = r.stdout.trim().match(/^go(\d+)\.(\d+)/);
  if (!m) fail(`unexpected Go version ${r.stdout.trim()}`);
  return `go${m[1]}.${m[2]}`;
}

function goEnv() {
  return {
    ...process.env,
    // Never fetch another toolchain, and never edit go.mod/go.sum while building: the pins are
    // what was reviewed.
    GOTOOLCHAIN: "local",
    GOFLAGS: "-mod=readonly -buildvcs=false",
    // Static binaries, like the official release builds; no C compiler needed.
    CGO_ENABLED: "0",
  };
}

function inputsDigest() {
  const hash = createHash("sha256");
  const files = [join(here, "build.mjs")];
  for (const module of modules) {
    for (const name of readdirSync(join(here, module)).sort()) {
      if (name === "go.mod" || name === "go.sum" || name.endsWith(".go")) files.push(join(here, module, name));
    }
  }
  for (const file of files) hash.update(file.slice(here.length)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 10);
}

const kubeVersion = requiredVersion("kube", "k8s.io/kubernetes");
const etcdVersion = requiredVersion("etcd", "go.etcd.io/etcd/server/v3");
const key = `kube-${kubeVersion}-etcd-${etcdVersion}-${goRelease()}-${inputsDigest()}`;
const cacheRoot = process.env.ITER8TS_CACHE || join(homedir(), ".cache", "iter8ts");
const keyDir = join(cacheRoot, key);
const binDir = join(keyDir, "bin");

const complete = () => binaries.every((b) => existsSync(join(binDir, b)));
if (process.argv.includes("--print") || complete()) {
  console.log(binDir);
  process.exit(0);
}

// One build at a time per key: test files start in parallel and would otherwise each build.
mkdirSync(keyDir, { recursive: true });
const lock = join(keyDir, "build.lock");
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
for (;;) {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    break;
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, "pid"), "utf8"));
    } catch {
      // The other builder has not written its pid yet.
    }
    let alive = true;
    if (Number.isInteger(owner) && owner > 0) {
      try {
        process.kill(owner, 0);
      } catch {
        alive = false;
      }
    }
    if (!alive) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    console.error(`kube-build: waiting for the build in progress (pid ${owner || "?"}) …`);
    sleep(5000);
    if (complete()) {
      console.log(binDir);
      process.exit(0);
    }
  }
}

try {
  if (!complete()) build();
  console.log(binDir);
} catch (err) {
  console.error(`kube-build: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(lock, { recursive: true, force: true });
}

function build() {
  const tmp = join(keyDir, `bin.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  console.error(`kube-build: building ${key} (first time only; several minutes) …`);

  // kubectl version and the API server's /version report what these say; the k8s release
  // scripts set the same variables (hack/lib/version.sh).
  const [major, minor] = kubeVersion.split(".");
  const versionVars = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=v${kubeVersion}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  const builds = [
    {
      module: "kube",
      ldflags: ["-s", "-w", ...versionVars],
      packages: [
        "k8s.io/kubernetes/cmd/kube-apiserver",
        "k8s.io/kubernetes/cmd/kube-controller-manager",
        "k8s.io/kubernetes/cmd/kubectl",
      ],
    },
    { module: "etcd", ldflags: ["-s", "-w"], packages: ["."], out: "etcd" },
    { module: "pki", ldflags: ["-s", "-w"], packages: ["."], out: "kube-pki" },
  ];
  for (const b of builds) {
    const out = b.out ? join(tmp, b.out) : `${tmp}/`;
    const args = ["-n", "10", "go", "build", "-trimpath", `-ldflags=${b.ldflags.join(" ")}`, "-o", out, ...b.packages];
    const r = spawnSync("nice", args, { cwd: join(here, b.module), stdio: ["ignore", "inherit", "inherit"], env: goEnv() });
    if (r.error || r.status !== 0) {
      throw new Error(`go build in tools/kube-control-plane/${b.module} failed (${r.error?.message ?? `exit ${r.status}`})`);
    }
  }
  rmSync(binDir, { recursive: true, force: true });
  renameSync(tmp, binDir);
  console.error(`kube-build: built ${binaries.join(", ")} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
