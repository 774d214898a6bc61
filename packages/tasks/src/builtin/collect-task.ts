import { z } from "zod";
import type { CollectResult } from "@iter8ts/metrics";
import { versionNames, type ExperimentStatus } from "@iter8ts/types";
import { defineTask } from "../task-definition";
import { TaskError, TaskErrorCode } from "../task-error";

/** `provenance` of the histograms this task writes. */
export const COLLECT_PROVENANCE = "Builtin metrics collector";

const version = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  /** Per-version rate of the legacy handler's task. */
  qps: z.number().positive().optional(),
});

/** Kubernetes writes times to the second. */
function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * `metrics/collect`: sends load to each version with the builtin load generator and adds the
 * latency histograms and response codes to `status.analysis.aggregatedBuiltinHists` (counts and
 * sums add, maxima take the larger, bucket lists combine, codes add per code), from which the
 * builtin metrics are computed. Versions whose names are not versions of the experiment only get
 * load. `loadOnly: true` records nothing.
 */
export const collectTask = defineTask({
  name: "metrics/collect",
  summary: "sends load to each version and records builtin latency and error metrics",
  inputs: z.strictObject({
    numQueries: z.int().positive().optional(),
    time: z.string().min(1).optional(),
    qps: z.number().positive().optional(),
    connections: z.int().positive().optional(),
    loadOnly: z.boolean().optional(),
    payloadStr: z.string().optional(),
    payloadURL: z.string().min(1).optional(),
    contentType: z.string().min(1).optional(),
    ignoreInitialErrors: z.boolean().optional(),
    versions: z.array(version).min(1),
  }),
  async run(input, context) {
    // The metrics package is loaded when the task runs, not with its definition (see task-runner.ts).
    const { aggregateBuiltinHistograms, CollectError } = await import("@iter8ts/metrics");
    const { versions, ...common } = input;
    // Versions asking for their own rate (legacy form) are loaded in groups of equal rate.
    const groups = new Map<number | undefined, typeof versions>();
    for (const v of versions) {
      const qps = v.qps ?? common.qps;
      groups.set(qps, [...(groups.get(qps) ?? []), v]);
    }
    const runs: CollectResult[] = [];
    for (const [qps, members] of groups) {
      try {
        const inputs = { ...common, versions: members.map(({ name, url, headers }) => (headers ? { name, url, headers } : { name, url })) };
        runs.push(await context.collect(qps === undefined ? inputs : { ...inputs, qps }, { signal: context.signal }));
      } catch (error) {
        if (error instanceof CollectError) {
          throw new TaskError(error.code === "invalid_input" ? TaskErrorCode.InvalidInput : TaskErrorCode.TaskFailed, error.message, undefined, { cause: error });
        }
        throw error;
      }
    }
    const summary = runs.flatMap((r) =>
      Object.entries(r.runs).map(([name, run]) => {
        const total = Object.values(run.RetCodes).reduce((a, b) => a + b, 0);
        const errors = Object.entries(run.RetCodes).reduce((a, [code, n]) => a + (Number(code) >= 400 || Number(code) < 0 ? n : 0), 0);
        return `${name}: ${total} requests, ${errors} errors, ${run.ActualQPS.toFixed(1)} qps`;
      }),
    );
    if (input.loadOnly) {
      context.log("info", "load sent; nothing recorded (loadOnly)");
      return { output: summary.join("\n") };
    }
    const known = new Set(versionNames(context.experiment));
    const fresh = Object.fromEntries(runs.flatMap((r) => Object.entries(r.histograms)).filter(([name]) => known.has(name)));
    const timestamp = kubeTime(context.now());
    let problems: string[] = [];
    await context.updateStatus((status: ExperimentStatus) => {
      const merged = aggregateBuiltinHistograms(status.analysis?.aggregatedBuiltinHists?.data, fresh);
      problems = merged.problems;
      return {
        ...status,
        analysis: {
          ...status.analysis,
          aggregatedBuiltinHists: {
            provenance: COLLECT_PROVENANCE,
            timestamp,
            message: merged.problems.length ? merged.problems.join("; ") : "metrics collection completed for all versions",
            data: merged.histograms,
          },
        },
      };
    });
    for (const problem of problems) context.log("warning", problem);
    context.log("info", "metrics collection completed for all versions");
    return { output: summary.join("\n") };
  },
});
