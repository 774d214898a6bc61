import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { istioExperiment } from "../__fixtures__/experiments";
import { createTaskRunner } from "../create-task-registry";

// A stand-in kubectl that records its arguments, one per line.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fake-kubectl-"));
  await writeFile(join(dir, "kubectl"), `#!/bin/bash\nprintf '%s\\n' "$@" > "${"$"}{ARGS_FILE}"\necho "virtualservice.networking.istio.io/bookinfo configured"\n`);
  await chmod(join(dir, "kubectl"), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("common/promote-kubectl", () => {
  it("applies the promoted version's manifest in the experiment's namespace", async () => {
    const argsFile = join(dir, "args-1");
    const runner = createTaskRunner({ allowExec: true, kubectl: join(dir, "kubectl"), env: { PATH: "/usr/bin:/bin", ARGS_FILE: argsFile } });
    const result = await runner.run(istioExperiment({ finish: [{ task: "common/promote-kubectl", with: { manifest: "{{ .promote }}" } }] }), "finish");
    expect(result.ok).toBe(true);
    expect(result.outcomes[0]?.output).toContain("configured");
    expect((await readFile(argsFile, "utf8")).trim().split("\n")).toEqual([
      "apply",
      "--namespace=default",
      "--filename=https://raw.githubusercontent.com/iter8-tools/iter8/master/samples/istio/quickstart/vs-for-v2.yaml",
    ]);
  });

  it("takes a namespace and --recursive", async () => {
    const argsFile = join(dir, "args-2");
    const runner = createTaskRunner({ allowExec: true, kubectl: join(dir, "kubectl"), env: { PATH: "/usr/bin:/bin", ARGS_FILE: argsFile } });
    await runner.run(istioExperiment({ finish: [{ task: "common/promote-kubectl", with: { manifest: "manifests/", namespace: "bookinfo-iter8", recursive: true } }] }), "finish");
    expect((await readFile(argsFile, "utf8")).trim().split("\n")).toEqual(["apply", "--namespace=bookinfo-iter8", "--recursive", "--filename=manifests/"]);
  });
});
