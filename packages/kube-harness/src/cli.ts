/**
 * `pnpm kube:up` / `pnpm kube:down` / `pnpm kube:build`: a detached control plane for manual
 * work and for tools that take a kubeconfig. `up` prints the admin kubeconfig's path as its last
 * line.
 *
 *   node packages/kube-harness/dist/cli.js up|down|build [--dir <folder>]
 *
 * The folder defaults to $ITER8TS_KUBE_DIR, else <repo>/.kube-test (the docs checker points it at a
 * scratch folder so that the documented `pnpm kube:up`/`kube:down` never touch a developer's one).
 */
import { join } from "node:path";
import { runningState, startControlPlane, stopControlPlane } from "./control-plane";
import { ensureBuilt, repositoryRoot } from "./ensure-built";
import { KubeHarnessError } from "./kube-harness-error";

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  const dirFlag = argv.indexOf("--dir");
  const dir = dirFlag >= 0 && argv[dirFlag + 1] ? argv[dirFlag + 1]! : process.env.ITER8TS_KUBE_DIR || join(repositoryRoot(), ".kube-test");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  switch (command) {
    case "up": {
      const running = runningState(dir);
      if (running) {
        log(`already running: ${running.server} (pnpm kube:down stops it)`);
        console.log(running.kubeconfigPath);
        return 0;
      }
      // The parent environment is passed explicitly, but ITER8TS_KUBECONFIG must not turn `up` into a no-op.
      const { ITER8TS_KUBECONFIG: _ignored, ...env } = process.env;
      const started = Date.now();
      const plane = await startControlPlane({ dir, detach: true, env, onProgress: log });
      log(`API server ${plane.server}; logs, pids and data in ${dir}; started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      log(`kubectl: ${join(plane.binDir ?? "", "kubectl")} --kubeconfig ${plane.kubeconfigPath}`);
      console.log(plane.kubeconfigPath);
      return 0;
    }
    case "down": {
      const { stopped } = await stopControlPlane(dir);
      log(stopped.length ? `stopped ${stopped.join(", ")}; removed ${dir}` : `nothing running; removed ${dir}`);
      return 0;
    }
    case "build": {
      console.log(await ensureBuilt({ onProgress: log }));
      return 0;
    }
    default:
      log("usage: cli.js up|down|build [--dir <folder>]");
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof KubeHarnessError ? `${err.code}: ${err.message}` : String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
