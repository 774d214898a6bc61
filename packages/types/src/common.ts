import { z } from "zod";
import { parseQuantity, QuantityError, QuantityErrorCode } from "./quantity";
import { IssueCode } from "./validation-issue";

const QUANTITY_HINT = 'must be a Kubernetes quantity such as 50, "0.01", "250m", "1k" or "1Ki"';

/**
 * A Kubernetes quantity: a JSON number or a quantity string such as `"0.01"`, `10m`, `1k`.
 * In the CRD this is an int-or-string, so a cluster rejects fractional JSON numbers; the
 * document checks report those with the fix (quote the value). A quantity must also be finite:
 * `"1e309"` would become an infinite limit, so it is refused with the value it was given.
 */
export const QuantitySchema = z
  .union([z.number(), z.string()], { error: QUANTITY_HINT })
  .superRefine((value, ctx) => {
    try {
      parseQuantity(value);
    } catch (error) {
      if (error instanceof QuantityError && error.code === QuantityErrorCode.NotFinite) {
        // The message starts with the value, so the issue does not repeat it as "(got …)".
        ctx.addIssue({ code: "custom", message: error.message, params: { code: IssueCode.InvalidQuantity, showsValue: true } });
      } else {
        ctx.addIssue({ code: "custom", message: QUANTITY_HINT, params: { code: IssueCode.InvalidQuantity } });
      }
    }
  })
  .meta({ "x-kubernetes-int-or-string": true });

/** A name/value pair (version variables, metric params, header templates). */
export const NamedValueSchema = z.strictObject({
  name: z.string(),
  value: z.string(),
});
/** A name/value pair. */
export type NamedValue = z.infer<typeof NamedValueSchema>;

/** Object metadata: the fields the product reads; anything else the API server adds is kept. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().min(1).optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** Object metadata. */
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** A reference to another object (a corev1.ObjectReference). */
export const ObjectReferenceSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  fieldPath: z.string().optional().describe("Where the version's weight lives in the object, e.g. .spec.http[0].route[0].weight."),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
});
/** A reference to another object. */
export type ObjectReference = z.infer<typeof ObjectReferenceSchema>;

/** Free JSON (task inputs, `criteria.strength`, builtin histograms). */
export const FreeJsonSchema = z.unknown().meta({ "x-kubernetes-preserve-unknown-fields": true });

/** An RFC 3339 timestamp as Kubernetes writes it. */
export const TimeSchema = z.string().meta({ format: "date-time" });

/** The API group and version this product speaks. */
export const API_VERSION = "iter8.tools/v2alpha2";
/** The API group of Experiment and Metric. */
export const API_GROUP = "iter8.tools";
