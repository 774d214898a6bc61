import { createHash } from "node:crypto";

const MAX_NAME = 63;
const HASH_LENGTH = 8;

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

function dnsLabelChars(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The name of the Job of one action run: `<experiment>-<runId>` when that is a DNS-1123 label of
 * at most 63 characters (Kubernetes puts a Job's name into its pods' `job-name` label, whose
 * values are limited to 63). Otherwise a shortened, cleaned form that keeps as much of the run
 * id as fits, followed by a hash of the full text, so different runs never share a name.
 * Because the run id changes with every incarnation of an experiment, a re-created experiment
 * never finds the Job of its predecessor.
 */
export function actionJobName(experimentName: string, runId: string): string {
  const full = `${experimentName}-${runId}`;
  if (full.length <= MAX_NAME && dnsLabelChars(full) === full) return full;
  const room = MAX_NAME - HASH_LENGTH - 1;
  const run = dnsLabelChars(runId).slice(0, room);
  const experiment = dnsLabelChars(experimentName).slice(0, Math.max(0, room - run.length - 1));
  const head = [experiment, run].filter(Boolean).join("-").replace(/-+$/, "");
  return head ? `${head}-${hashOf(full)}` : hashOf(full);
}

/**
 * `value` as a label value (at most 63 characters of `[A-Za-z0-9._-]`, starting and ending
 * alphanumeric); longer or unusual values are shortened and end in a hash of the original. Keep
 * the full value in an annotation when it has to be read back.
 */
export function labelValue(value: string): string {
  if (value.length <= MAX_NAME && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)) return value;
  const cleaned = value.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, MAX_NAME - HASH_LENGTH - 1).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return cleaned ? `${cleaned}-${hashOf(value)}` : hashOf(value);
}
