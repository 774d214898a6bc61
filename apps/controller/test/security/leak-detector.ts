/**
 * Looks for a secret value everywhere a tenant could read it back: the status of every
 * Experiment, every Event (core and events.k8s.io) in every namespace, every line the controller
 * processes logged, and the log of every action Job's run. The value is looked for in every form
 * SecretMask knows (as written, URL-encoded, JSON-escaped, base64 at any alignment, reversed).
 */
import { SecretMask } from "@iter8ts/types";
import type { TestCluster } from "../cluster/test-cluster";
import type { ControllerProcess } from "../reliability/controller-process";

/** One place the value was found: what it is and the text around the match. */
export interface Leak {
  where: string;
  excerpt: string;
}

interface Listed {
  metadata: { name: string; namespace?: string };
  status?: unknown;
}

/** Where in `text` the mask finds a form of the value, with 40 characters either side. */
function excerptOf(mask: SecretMask, text: string): string {
  const redacted = mask.redact(text);
  const at = redacted.indexOf("[redacted]");
  return at < 0 ? text.slice(0, 80) : redacted.slice(Math.max(0, at - 40), at + 50);
}

/**
 * Every place where a form of `secretValue` shows. `controllers` are the controller processes
 * started on the cluster (their stdout lines and stderr); `jobNamespaces` the namespaces whose
 * Jobs' logs are read (default: every namespace that holds a Job).
 */
export async function findLeaks(cluster: TestCluster, secretValue: string, controllers: readonly ControllerProcess[]): Promise<Leak[]> {
  const mask = new SecretMask([secretValue]);
  const leaks: Leak[] = [];
  const check = (where: string, text: string) => {
    if (mask.reveals(text)) leaks.push({ where, excerpt: excerptOf(mask, text) });
  };

  const experiments = (await cluster.list("iter8.tools/v2alpha2", "Experiment")) as unknown as Listed[];
  for (const e of experiments) check(`status of Experiment ${e.metadata.namespace}/${e.metadata.name}`, JSON.stringify(e.status ?? {}));

  for (const apiVersion of ["v1", "events.k8s.io/v1"]) {
    const events = (await cluster.list(apiVersion, "Event")) as unknown as Listed[];
    for (const event of events) check(`${apiVersion} Event ${event.metadata.namespace}/${event.metadata.name}`, JSON.stringify(event));
  }

  for (const controller of controllers) {
    controller.logs.forEach((line, i) => check(`log line ${i + 1} of controller ${controller.name}`, JSON.stringify(line)));
    controller.stderr.forEach((line, i) => check(`stderr line ${i + 1} of controller ${controller.name}`, line));
  }

  const jobs = (await cluster.list("batch/v1", "Job")) as unknown as Listed[];
  for (const job of jobs) {
    const namespace = job.metadata.namespace ?? "default";
    check(`log of Job ${namespace}/${job.metadata.name}`, await cluster.jobLog(namespace, job.metadata.name));
    check(`Job ${namespace}/${job.metadata.name}`, JSON.stringify(job));
  }
  return leaks;
}
