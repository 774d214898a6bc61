// 200 seeded invalid or hostile Experiments applied through the API server while the built
// controller runs: the server refuses what its schema forbids (422, naming the field), and the
// controller ends everything else as Completed with Failed=True and a message naming what is
// wrong — without ever crashing, and answering /healthz throughout. On testkit's loopback API
// server and on a real kube-apiserver, where the documents go through the admin's TLS connection
// and the 422s come from the CRDs' own structural-schema validation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_KINDS } from "../cluster/test-cluster";
import type { ControllerProcess } from "./controller-process";
import { conditionOf } from "@iter8ts/types";
import { hostileExperiment, type HostileExperiment } from "./hostile-experiments";
import { ReliabilityCluster } from "./reliability-cluster";
import { SeededRandom } from "./seeded-random";
import { until } from "./wait-until";

const DOCUMENTS = 200;
const SEED = 4_242;

interface Applied {
  case: HostileExperiment;
  status: number;
  causes: string[];
}

describe.each(CLUSTER_KINDS)("hostile experiments against the running controller on %s", (kind) => {
  let cluster: ReliabilityCluster;
  let controller: ControllerProcess;
  const applied: Applied[] = [];
  const healthChecks: number[] = [];

  async function apply(doc: HostileExperiment): Promise<Applied> {
    const answer = await cluster.post("/apis/iter8.tools/v2alpha2/namespaces/default/experiments", doc.document);
    const body = answer.body as { details?: { causes?: Array<{ field?: string }> } } | undefined;
    return { case: doc, status: answer.status, causes: (body?.details?.causes ?? []).map((c) => c.field ?? "") };
  }

  const accepted = () => applied.filter((a) => a.status === 201);

  beforeAll(async () => {
    // A VirtualService per document: only the defects chosen may fail an experiment.
    cluster = await ReliabilityCluster.start({ kind, names: Array.from({ length: DOCUMENTS }, (_, i) => `hostile-${i}`), actionMs: 0 });
    controller = cluster.controller("fuzzed-controller", ["--leader-elect=false", "--workers=4"]);
    await until(() => controller.logged("leading: reconciling experiments").length > 0, "the controller leads", 30_000);
    const random = new SeededRandom(SEED);
    for (let i = 0; i < DOCUMENTS; i++) {
      applied.push(await apply(hostileExperiment(i, random)));
      if (i % 25 === 24) healthChecks.push((await controller.get("/healthz")).status);
    }
    // A stuck experiment is reported by the tests below, with its status.
    await until(() => cluster.allCompleted(accepted().map((a) => a.case.name)), "every accepted experiment completed", 60_000, 200).catch(() => {});
    healthChecks.push((await controller.get("/healthz")).status);
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("never crashes the controller", () => {
    expect(controller.alive).toBe(true);
    expect(controller.stderr).toEqual([]);
    expect(controller.logs.filter((l) => l.level >= 60)).toEqual([]);
    expect(healthChecks).toEqual(Array.from({ length: DOCUMENTS / 25 + 1 }, () => 200));
  });

  it("is refused by the API server with 422 naming each field at fault, or accepted", async ({ annotate }) => {
    await annotate(`${applied.filter((a) => a.status === 422).length} refused with 422, ${accepted().length} accepted`);
    const unexpected = applied
      .filter((a) => (a.case.expect.kind === "rejected" ? a.status !== 422 || !a.case.expect.fields.every((f) => a.causes.some((c) => c.startsWith(f))) : a.status !== 201))
      .map((a) => ({ name: a.case.name, applied: a.case.applied, status: a.status, causes: a.causes }));
    expect(unexpected).toEqual([]);
    // Both halves of the test must really happen.
    expect(applied.filter((a) => a.status === 422).length).toBeGreaterThan(DOCUMENTS / 5);
    expect(accepted().length).toBeGreaterThan(DOCUMENTS / 2);
  });

  it("ends every accepted one Completed with Failed=True and a message naming what is wrong", async () => {
    const experiments = new Map((await cluster.experiments()).map((e) => [e.metadata.name, e]));
    const wrong = accepted().flatMap((a) => {
      if (a.case.expect.kind !== "failed") return [];
      const exp = experiments.get(a.case.name)!;
      const failed = conditionOf(exp.status, "Failed");
      const ok =
        exp.status?.stage === "Completed" &&
        exp.status.message === "ExperimentCompleted: Experiment failed" &&
        failed?.status === "True" &&
        failed.reason === a.case.expect.reason &&
        (failed.message ?? "").includes(a.case.expect.message);
      return ok ? [] : [{ name: a.case.name, defect: a.case.expect.defect, applied: a.case.applied, expected: a.case.expect.message, failed, message: exp.status?.message, stage: exp.status?.stage }];
    });
    expect(wrong).toEqual([]);
  });
});
