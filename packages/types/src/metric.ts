import { z } from "zod";
import { NamedValueSchema, ObjectMetaSchema, QuantitySchema } from "./common";

export const MetricType = { Counter: "Counter", Gauge: "Gauge" } as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

export const AuthType = { Basic: "Basic", Bearer: "Bearer", APIKey: "APIKey" } as const;
export type AuthType = (typeof AuthType)[keyof typeof AuthType];

export const HttpMethod = { GET: "GET", POST: "POST" } as const;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** A mock level for one version: no backend is queried when `mock` is present. */
export const MockLevelSchema = z.strictObject({
  name: z.string().min(1),
  level: QuantitySchema,
});
export type MockLevel = z.infer<typeof MockLevelSchema>;

/**
 * A Metric's spec: how to query one number for one version. The fields after `mock`
 * are this product's additions; documents written for Iter8 never need them.
 */
export const MetricSpecSchema = z.strictObject({
  params: z.array(NamedValueSchema).optional(),
  description: z.string().optional(),
  units: z.string().optional(),
  type: z.enum(["Counter", "Gauge"]).default("Gauge"),
  sampleSize: z.string().optional(),
  authType: z.enum(["Basic", "Bearer", "APIKey"]).optional(),
  method: z.enum(["GET", "POST"]).default("GET"),
  body: z.string().optional(),
  provider: z.string().optional(),
  jqExpression: z.string().optional(),
  secret: z.string().optional(),
  headerTemplates: z.array(NamedValueSchema).optional(),
  urlTemplate: z.string().optional(),
  mock: z.array(MockLevelSchema).optional(),
  /** A JSONata expression, an alternative to `jqExpression`. */
  jsonataExpression: z.string().optional(),
  /** Per-query timeout in seconds (default 5). */
  timeoutSeconds: z.number().positive().max(300).optional(),
  /** Skips TLS certificate verification for this metric's backend (off by default; warned about). */
  insecureSkipTLSVerify: z.boolean().optional(),
});
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
export type Metric = z.infer<typeof MetricSchema>;
export type MetricInput = z.input<typeof MetricSchema>;
