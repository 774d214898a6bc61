import { z } from "zod";
import { NamedValueSchema, ObjectMetaSchema, QuantitySchema } from "./common";

/** Whether a metric counts (grows over time) or measures (a level). Only affects mock values. */
export const MetricType = { Counter: "Counter", Gauge: "Gauge" } as const;
/** A metric type. */
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** How a metric query authenticates; the credentials come from `spec.secret`. */
export const AuthType = { Basic: "Basic", Bearer: "Bearer", APIKey: "APIKey" } as const;
/** An authentication type. */
export type AuthType = (typeof AuthType)[keyof typeof AuthType];

/** The HTTP method of a metric query. */
export const HttpMethod = { GET: "GET", POST: "POST" } as const;
/** An HTTP method. */
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** A mock level for one version: no backend is queried when `mock` is present. */
export const MockLevelSchema = z.strictObject({
  name: z.string().min(1).describe("Version name."),
  level: QuantitySchema.describe("Mean value (Gauge) or growth per second (Counter)."),
});
/** A mock level for one version. */
export type MockLevel = z.infer<typeof MockLevelSchema>;

/**
 * A Metric's spec: how to query one number for one version. The fields after `mock`
 * are this product's additions; documents written for Iter8 never need them.
 */
export const MetricSpecSchema = z.strictObject({
  params: z.array(NamedValueSchema).optional().describe("HTTP query parameters; values are templates."),
  description: z.string().optional(),
  units: z.string().optional(),
  type: z.enum(["Counter", "Gauge"]).default("Gauge"),
  sampleSize: z.string().optional().describe("Reference to the counter metric that gives this metric's sample size."),
  authType: z.enum(["Basic", "Bearer", "APIKey"]).optional(),
  method: z.enum(["GET", "POST"]).default("GET"),
  body: z.string().optional().describe("JSON body template of a POST query."),
  provider: z.string().optional().describe('Backend name; "iter8" marks a builtin metric.'),
  jqExpression: z.string().optional().describe("jq expression that extracts the number from the response."),
  secret: z.string().optional().describe("Secret with credentials and template values, namespace/name or name."),
  headerTemplates: z.array(NamedValueSchema).optional(),
  urlTemplate: z.string().optional(),
  mock: z.array(MockLevelSchema).optional().describe("Mock values per version; no backend is queried when set."),
  jsonataExpression: z.string().optional().describe("JSONata expression, an alternative to jqExpression."),
  timeoutSeconds: z.number().positive().max(300).optional().describe("Per-query timeout in seconds (default 5)."),
  insecureSkipTLSVerify: z.boolean().optional().describe("Skips TLS certificate verification for this backend."),
});
/** A Metric's spec with defaults applied. */
export type MetricSpec = z.infer<typeof MetricSpecSchema>;
/** A Metric spec as written in a document, before defaults are applied. */
export type MetricSpecInput = z.input<typeof MetricSpecSchema>;

/** An `iter8.tools/v2alpha2` Metric. */
export const MetricSchema = z.looseObject({
  apiVersion: z.literal("iter8.tools/v2alpha2").optional(),
  kind: z.literal("Metric").optional(),
  metadata: ObjectMetaSchema.optional(),
  spec: MetricSpecSchema,
});
/** A Metric with defaults applied. */
export type Metric = z.infer<typeof MetricSchema>;
/** A Metric as written in a document. */
export type MetricInput = z.input<typeof MetricSchema>;
