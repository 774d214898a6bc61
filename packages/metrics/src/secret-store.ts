import { parseMetricRef } from "@iter8ts/types";

/** The decoded data of one Kubernetes Secret: key → value. */
export type SecretData = Readonly<Record<string, string>>;

/** Where metric queries find the Secrets their metrics name (`spec.secret`). */
export interface SecretStore {
  /** The data of Secret `namespace/name`, or undefined when it is not available. */
  get(namespace: string, name: string): SecretData | undefined;
}

/** A store over a plain map keyed by `namespace/name`. */
export function secretStore(secrets: Readonly<Record<string, SecretData>> = {}): SecretStore {
  const map = new Map(Object.entries(secrets));
  return { get: (namespace, name) => map.get(`${namespace}/${name}`) };
}

/** Finds the Secret a metric names (`namespace/name`, or `name` in `defaultNamespace`). */
export function lookupSecret(
  store: SecretStore,
  ref: string,
  defaultNamespace: string,
): { key: string; data: SecretData | undefined } {
  const { namespace, name } = parseMetricRef(ref, defaultNamespace);
  return { key: `${namespace}/${name}`, data: store.get(namespace, name) };
}

/** A problem with one Secret document. */
export interface SecretDocumentIssue {
  /** Which document: `(document N)` or `namespace/name`. */
  path: string;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads Kubernetes Secret documents (`kind: Secret`, or a `kind: List` of them) into a store:
 * `data` values are base64-decoded, `stringData` values are taken as written and win over
 * `data`, as the API server merges them. A Secret without a namespace is placed in
 * `defaultNamespace`. Problems are reported by document; values never appear in them.
 */
export function secretsFromKubernetes(
  documents: readonly unknown[],
  defaultNamespace = "default",
): { store: SecretStore; secrets: Record<string, SecretData>; issues: SecretDocumentIssue[] } {
  const secrets: Record<string, SecretData> = {};
  const issues: SecretDocumentIssue[] = [];
  const visit = (doc: unknown, where: string) => {
    if (!isRecord(doc)) {
      issues.push({ path: where, message: "is not an object; expected a Kubernetes Secret" });
      return;
    }
    if (doc.kind === "List" && Array.isArray(doc.items)) {
      doc.items.forEach((item, i) => visit(item, `${where}.items[${i}]`));
      return;
    }
    if (doc.kind !== "Secret") {
      issues.push({ path: `${where}.kind`, message: `must be "Secret" (got ${JSON.stringify(doc.kind)})` });
      return;
    }
    const meta = isRecord(doc.metadata) ? doc.metadata : {};
    if (typeof meta.name !== "string" || meta.name === "") {
      issues.push({ path: `${where}.metadata.name`, message: "is required" });
      return;
    }
    const namespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : defaultNamespace;
    const key = `${namespace}/${meta.name}`;
    const data: Record<string, string> = {};
    if (doc.data !== undefined) {
      if (!isRecord(doc.data)) issues.push({ path: `${key}.data`, message: "must be a map of base64 strings" });
      else
        for (const [k, v] of Object.entries(doc.data)) {
          if (typeof v !== "string" || !BASE64.test(v.replace(/\s/g, ""))) {
            issues.push({ path: `${key}.data.${k}`, message: "must be a base64 string (use stringData for plain text)" });
            continue;
          }
          data[k] = Buffer.from(v, "base64").toString("utf8");
        }
    }
    if (doc.stringData !== undefined) {
      if (!isRecord(doc.stringData)) issues.push({ path: `${key}.stringData`, message: "must be a map of strings" });
      else
        for (const [k, v] of Object.entries(doc.stringData)) {
          if (typeof v !== "string") {
            issues.push({ path: `${key}.stringData.${k}`, message: "must be a string" });
            continue;
          }
          data[k] = v;
        }
    }
    secrets[key] = data;
  };
  documents.forEach((doc, i) => visit(doc, `(document ${i + 1})`));
  return { store: secretStore(secrets), secrets, issues };
}
