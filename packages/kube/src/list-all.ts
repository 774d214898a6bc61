import type { KubeObject } from "@iter8ts/resources";
import type { KubeApi } from "./kube-api";

/** What to list. */
export interface ListAllRequest {
  path: string;
  /** Written into every item: list items come without apiVersion and kind, and callers key objects by them. */
  apiVersion: string;
  kind: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size (default 500), so a large collection never arrives as one huge answer. */
  pageSize?: number | undefined;
  subject: string;
  signal?: AbortSignal | undefined;
}

interface RawList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

/**
 * Every object of a collection, page by page, and the resourceVersion to watch from. A page
 * token that expired meanwhile fails with `Gone` (410); callers list again.
 */
export async function listAll(api: KubeApi, request: ListAllRequest): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const items: KubeObject[] = [];
  let resourceVersion = "";
  let token: string | undefined;
  do {
    const page = await api.request<RawList>({
      method: "GET",
      path: request.path,
      query: { labelSelector: request.labelSelector, fieldSelector: request.fieldSelector, limit: request.pageSize ?? 500, continue: token },
      subject: request.subject,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    for (const item of page.items ?? []) items.push({ ...item, apiVersion: request.apiVersion, kind: request.kind });
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}
