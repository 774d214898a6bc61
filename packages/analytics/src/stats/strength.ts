/**
 * `spec.criteria.strength`: the free-form field of the Iter8 API that switches an experiment to
 * the statistics mode and configures it. Every field is optional; `{}` turns the mode on with the
 * defaults below.
 *
 * ```yaml
 * criteria:
 *   strength:
 *     method: bayesian      # the only method
 *     confidence: 0.95      # objective satisfied at P >= 0.95, violated at P <= 0.05; winner needs P(best) >= 0.95
 *     sequential: true      # the winner must also pass an always-valid test against the baseline
 *     minSamples: 150       # observations every compared version needs
 *     minConversions: 5     # a proportion reward: conversions (and non-conversions) every compared version needs
 * ```
 */
import { z } from "zod";
import { StatisticsError } from "./statistics-error";

/** How a metric's values are turned into a posterior. */
export const MetricModel = {
  /** A rate in [0, 1] over `sampleSize` trials: Beta posterior. */
  Proportion: "proportion",
  /** A mean of `sampleSize` observations with a known standard deviation: Student-t posterior. */
  Mean: "mean",
  /** No uncertainty available: the value is checked as it is. */
  Point: "point",
} as const;
/** One of the values of {@link MetricModel}. */
export type MetricModel = (typeof MetricModel)[keyof typeof MetricModel];

const probabilityBetween = (low: number, high: number, what: string) =>
  z
    .number({ error: `must be a number between ${low} and ${high} (${what})` })
    .gt(low, { error: `must be above ${low} (${what})` })
    .lt(high, { error: `must be below ${high} (${what})` });

/** How one metric is modelled; keyed by metric reference in {@link StrengthSchema}'s `metrics`. */
export const MetricModelSettingsSchema = z.strictObject({
  model: z.enum(["proportion", "mean", "point"], {
    error: "must be proportion (a rate over sampleSize trials), mean (with stddev) or point (no uncertainty)",
  }),
  /**
   * For `mean`: the standard deviation of one observation, as a number, or as a reference to a
   * metric that gives it per version.
   */
  stddev: z
    .union([z.number().positive(), z.string().min(1)], {
      error: "must be a positive number or a metric reference (namespace/name) giving the per-version standard deviation",
    })
    .optional(),
});
/** A value of {@link MetricModelSettingsSchema}. */
export type MetricModelSettings = z.infer<typeof MetricModelSettingsSchema>;

/** The Beta prior of rates. Parameters below 1 would put unbounded density at 0 or 1. */
export const BetaPriorSchema = z.strictObject({
  alpha: z.number({ error: "must be a number of at least 1" }).min(1, { error: "must be at least 1" }),
  beta: z.number({ error: "must be a number of at least 1" }).min(1, { error: "must be at least 1" }),
});

/** The schema of `spec.criteria.strength`, with every default. */
export const StrengthSchema = z.strictObject({
  /** The inference method; only `bayesian` (with an optional always-valid layer) exists. */
  method: z.literal("bayesian", { error: "must be bayesian" }).default("bayesian"),
  /**
   * Posterior probability needed to call an objective satisfied (its complement: violated) and to
   * call a version the best. Default 0.95.
   */
  confidence: probabilityBetween(0.5, 1, "the posterior probability needed for a decision").default(0.95),
  /**
   * Observations (the reward's sample size) every compared version needs before any winner is
   * called — the baseline and each candidate still in the running, not only the leader. Default 150.
   */
  minSamples: z
    .int({ error: "must be a whole number of observations" })
    .min(0, { error: "must not be negative" })
    .default(150),
  /**
   * For a reward modelled as a proportion: conversions, and non-conversions, every compared
   * version needs before any winner is called. Below that a rate's plug-in variance is 0 or
   * nearly so and its normal approximation is poor. Default 5 (the usual rule for a normal
   * approximation of a binomial).
   */
  minConversions: z
    .int({ error: "must be a whole number of conversions" })
    .min(0, { error: "must not be negative" })
    .default(5),
  /**
   * When true (default) a winner must also pass an always-valid (mSPRT) test against the
   * baseline, whose running state is kept in `status.analysis.statistics`, so that looking at
   * every iteration does not inflate false winners.
   */
  sequential: z.boolean({ error: "must be true or false" }).default(true),
  /**
   * The test that confirms a winner when `sequential` is on. `group-sequential` (default): an
   * alpha-spending design over the experiment's planned looks (`maxLoops × iterationsPerLoop`,
   * one look per iteration), nearly as powerful as a single test at the end; it applies while the
   * horizon stays as planned, and the always-valid test takes over if the horizon changes, looks
   * go past it or the carried state is lost. `always-valid`: the mixture SPRT / confidence
   * sequence, valid however often and however long the experiment is looked at — for experiments
   * analysed at unplanned times or extended as they go.
   */
  design: z
    .enum(["group-sequential", "always-valid"], {
      error: "must be group-sequential (planned looks: maxLoops × iterationsPerLoop) or always-valid (any number of looks)",
    })
    .default("group-sequential"),
  /**
   * How the group-sequential design spends alpha over the planned looks: `obrien-fleming`
   * (default; almost nothing early, close to a single test's power at the end) or `pocock`
   * (evenly: earlier calls on large effects, less power at the end).
   */
  spending: z
    .enum(["obrien-fleming", "pocock"], { error: "must be obrien-fleming or pocock (the alpha-spending function)" })
    .default("obrien-fleming"),
  /**
   * Largest chance of declaring the winner a candidate that is not better than the baseline,
   * however often the experiment is looked at (one-sided, shared by the candidates: Bonferroni).
   * Default 0.009: with `baselineAlpha` 0.001, an experiment whose versions are all alike ends
   * with any winner, baseline included, at most 1 % of the time.
   */
  alpha: probabilityBetween(0, 0.5, "the chance of declaring a candidate that is not better").default(0.009),
  /**
   * Largest chance of declaring the baseline the winner against candidates that are as good as
   * it (the other one-sided claim), shared by the candidates. Absent: 0.001. Kept small because
   * "no winner" already keeps the baseline: the claim only ends the exploration early.
   */
  baselineAlpha: probabilityBetween(0, 0.5, "the chance of declaring the baseline against an equal candidate").default(0.001),
  /**
   * Sample size (both versions together) at which the always-valid interval is tightest. Request
   * metrics reach tens of thousands of observations within a few iterations, hence the default
   * 20000 (GrowthBook uses 5000 for user-level experiments).
   */
  sequentialTuning: z
    .number({ error: "must be a positive number of observations" })
    .positive({ error: "must be positive" })
    .default(20000),
  /** Largest expected loss a winner may carry, relative to the baseline's reward. Default 0.0025. */
  lossThreshold: z.number({ error: "must be a number" }).min(0, { error: "must not be negative" }).default(0.0025),
  /** p-value below which traffic is taken not to match the weights (sample ratio mismatch). Default 0.001. */
  srmThreshold: probabilityBetween(0, 1, "the p-value that flags a sample ratio mismatch").default(0.001),
  /** Share of traffic spread evenly over all versions. Default 0.1 (as Iter8). */
  exploration: z
    .number({ error: "must be a number between 0 and 1" })
    .min(0, { error: "must not be negative" })
    .max(1, { error: "must be at most 1" })
    .default(0.1),
  /** Smallest share of traffic any version keeps. Default 0.01. */
  weightFloor: z
    .number({ error: "must be a number between 0 and 0.5" })
    .min(0, { error: "must not be negative" })
    .max(0.5, { error: "must be at most 0.5" })
    .default(0.01),
  /**
   * Top-two Thompson parameter b: how often the allocation follows the leader rather than its
   * challenger before a winner is found. 0.5 identifies the best version fastest (and splits two
   * versions evenly whatever the data); 1 is plain Thompson sampling, which sends the least
   * traffic to worse versions. Default 0.75, between the two.
   */
  topTwo: z
    .number({ error: "must be a number in (0, 1]" })
    .gt(0, { error: "must be above 0" })
    .max(1, { error: "must be at most 1" })
    .default(0.75),
  /** Beta prior of rates. Default Beta(1, 1). */
  prior: BetaPriorSchema.default({ alpha: 1, beta: 1 }),
  /** Per-metric models, keyed by metric reference; see {@link MetricModelSettingsSchema}. */
  metrics: z.record(z.string(), MetricModelSettingsSchema).default({}),
});

/** Resolved statistics settings (every default filled in). */
export type Strength = z.infer<typeof StrengthSchema>;
/** `spec.criteria.strength` as written in an Experiment. */
export type StrengthInput = z.input<typeof StrengthSchema>;

/** The path of the field in an Experiment, used in error messages. */
export const STRENGTH_PATH = "spec.criteria.strength";

function formatIssuePath(segments: readonly PropertyKey[]): string {
  let path = STRENGTH_PATH;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

/** True when the experiment asks for the statistics mode: `strength` is present and not null/false. */
export function isStatisticsMode(strength: unknown): boolean {
  return strength !== undefined && strength !== null && strength !== false;
}

/**
 * Reads `spec.criteria.strength` with every default filled in.
 * @throws StatisticsError `invalid_strength` naming each field at fault, e.g.
 * `spec.criteria.strength.confidence: must be below 1 (the posterior probability needed for a decision)`.
 */
export function parseStrength(value: unknown): Strength {
  const input = value === true ? {} : value;
  const parsed = StrengthSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const known =
        issue.path[0] === "prior"
          ? Object.keys(BetaPriorSchema.shape)
          : issue.path[0] === "metrics"
            ? Object.keys(MetricModelSettingsSchema.shape)
            : Object.keys(StrengthSchema.shape);
      const plural = issue.keys.length > 1 ? "s" : "";
      return `${formatIssuePath(issue.path)}: unknown field${plural} ${issue.keys.join(", ")}; known fields are ${known.join(", ")}`;
    }
    if (issue.path.length === 0 && issue.code === "invalid_type") {
      return `${STRENGTH_PATH}: must be an object such as { confidence: 0.95, sequential: true } (or {} for the defaults)`;
    }
    return `${formatIssuePath(issue.path)}: ${issue.message}`;
  });
  throw new StatisticsError("invalid_strength", lines.join("; "), { cause: parsed.error });
}
