/** Kubernetes object-name rules, checked before a document reaches a cluster that would reject it. */
import { describeValue, IssueCode, type RawIssue } from "./validation-issue";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a DNS-1123 label: the form of namespace names (at most 63 characters). */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** True for a DNS-1123 subdomain: the form of most object names (at most 253 characters). */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split(".").every((part) => DNS_LABEL.test(part));
}

/**
 * Checks `metadata.name` and `metadata.namespace` of a document as the API server would: a name
 * (or generateName) is required, and both must be DNS names. `kind` words the messages;
 * `reportMissing` also reports a missing metadata object (where the schema allows one).
 */
export function metadataIssues(document: unknown, kind: string, options: { reportMissing?: boolean } = {}): RawIssue[] {
  if (typeof document !== "object" || document === null) return [];
  const metadata = (document as { metadata?: unknown }).metadata;
  if (metadata === undefined && options.reportMissing) {
    return [{ segments: ["metadata"], code: IssueCode.Required, message: `is required: give the ${kind} a name under metadata.name` }];
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) return [];
  const { name, generateName, namespace } = metadata as Record<string, unknown>;
  const issues: RawIssue[] = [];
  if (name === undefined && generateName === undefined) {
    issues.push({ segments: ["metadata", "name"], code: IssueCode.Required, message: `is required: give the ${kind} a name` });
  } else if (typeof name === "string" && name !== "" && !isDnsSubdomain(name)) {
    issues.push({
      segments: ["metadata", "name"],
      code: IssueCode.InvalidValue,
      message: `must use only lowercase letters, digits, "-" and ".", and start and end with a letter or digit (got ${describeValue(name)})`,
    });
  }
  if (typeof namespace === "string" && !isDnsLabel(namespace)) {
    issues.push({
      segments: ["metadata", "namespace"],
      code: IssueCode.InvalidValue,
      message: `must use only lowercase letters, digits and "-", at most 63 characters (got ${describeValue(namespace)})`,
    });
  }
  return issues;
}
