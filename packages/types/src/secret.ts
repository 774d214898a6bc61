import { z } from "zod";
import { ObjectMetaSchema } from "./common";
import { IssueCode } from "./validation-issue";

/**
 * A Kubernetes Secret, as metric and task documents refer to it (`spec.secret`, `with.secret`):
 * metric credentials and template values.
 */
export const SecretSchema = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Secret"),
  metadata: ObjectMetaSchema,
  type: z.string().optional(),
  data: z
    .record(
      z.string(),
      z.string().refine((v) => isBase64(v), {
        message: "must be base64-encoded; put plain text under stringData instead",
        params: { code: IssueCode.Base64 },
      }),
    )
    .optional(),
  stringData: z.record(z.string(), z.string()).optional(),
});
/** A Kubernetes Secret. */
export type Secret = z.infer<typeof SecretSchema>;

function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

/**
 * The decoded values of a Secret: `data` decoded from base64, then `stringData` on top (the API
 * server gives `stringData` precedence when it merges the two).
 */
export function secretValues(secret: Pick<Secret, "data" | "stringData">): Record<string, string> {
  const out: Record<string, string> = {};
  const utf8 = new TextDecoder();
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    out[key] = utf8.decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  }
  Object.assign(out, secret.stringData ?? {});
  return out;
}
