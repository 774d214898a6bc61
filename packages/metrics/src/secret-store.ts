import { issuesFromZod, parseMetricRef, SecretSchema, secretValues } from "@iter8ts/types";

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
  /** Where: `(document N)`, `(document N).items[M]`, then the field path. */
  path: string;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads Kubernetes Secret documents (`kind: Secret`, or a `kind: List` of them) into a store,
 * decoding `data` and letting `stringData` win as the API server does. A Secret without a
 * namespace is placed in `defaultNamespace`. Problems are reported by field path; values never
 * appear in them.
 */
export function secretsFromKubernetes(
  documents: readonly unknown[],
  defaultNamespace = "default",
): { store: SecretStore; secrets: Record<string, SecretData>; issues: SecretDocumentIssue[] } {
  const secrets: Record<string, SecretData> = {};
  const issues: SecretDocumentIssue[] = [];
  const visit = (doc: unknown, where: string) => {
    if (isRecord(doc) && doc.kind === "List" && Array.isArray(doc.items)) {
      doc.items.forEach((item, i) => visit(item, `${where}.items[${i}]`));
      return;
    }
    const parsed = SecretSchema.safeParse(doc);
    if (!parsed.success) {
      for (const issue of issuesFromZod(parsed.error, doc)) issues.push({ path: `${where}.${issue.path}`, message: issue.message });
      return;
    }
    const { name, namespace } = parsed.data.metadata;
    if (!name) {
      issues.push({ path: `${where}.metadata.name`, message: "is required" });
      return;
    }
    secrets[`${namespace || defaultNamespace}/${name}`] = secretValues(parsed.data);
  };
  documents.forEach((doc, i) => visit(doc, `(document ${i + 1})`));
  return { store: secretStore(secrets), secrets, issues };
}
