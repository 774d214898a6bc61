/**
 * Cross-check of the statistics primitives against GrowthBook's gbstats (the pinned version in
 * gbstats/requirements.txt), for the quantities both compute: the Gaussian effect model's chance
 * to win, risk (expected loss) and credible interval, and the asymptotic confidence sequence's
 * always-valid interval and p-value.
 *
 * Runs where `python3` is on PATH: gbstats/ensure-gbstats.mjs installs gbstats into a venv cached
 * per version (CI does that up front in .ci/run, which also installs Debian's python3 and
 * python3-venv). Without python3, or with python3 but no gbstats (the install failed), it fails
 * saying what is missing: the cross-check never passes by not running.
 *
 * Tolerance: both sides evaluate the same closed forms (normal CDF/PDF/quantile, logs, square
 * roots) in double precision, so they agree to 1e-9 relative (1e-12 absolute near 0); scipy's
 * and our normal functions differ in the last digits only.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  asymptoticConfidenceSequence,
  bayesianEffect,
  proportionSummary,
  sumsSummary,
  type SampleSummary,
} from "../src/index";

const here = join(dirname(fileURLToPath(import.meta.url)), "gbstats");

type Stat = { n: number; sum: number; sumSquares?: number };
type DifferenceType = "relative" | "absolute";
interface BayesianCase {
  kind: "bayesian";
  name: string;
  a: Stat;
  b: Stat;
  differenceType: DifferenceType;
  inverse?: boolean;
  prior?: { mean: number; variance: number };
  alpha?: number;
}
interface SequentialCase {
  kind: "sequential";
  name: string;
  a: Stat;
  b: Stat;
  differenceType: DifferenceType;
  alpha?: number;
  tuning?: number;
}
type Case = BayesianCase | SequentialCase;

/** A mean metric from its mean and standard deviation (sum and sum of squares as gbstats takes them). */
const meanStat = (n: number, mean: number, sd: number): Stat => ({ n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean });

const CASES: Case[] = [
  { kind: "bayesian", name: "proportion, relative, +20 %", a: { n: 1000, sum: 100 }, b: { n: 1000, sum: 120 }, differenceType: "relative" },
  { kind: "bayesian", name: "proportion, absolute, +8 %", a: { n: 5000, sum: 500 }, b: { n: 5000, sum: 540 }, differenceType: "absolute" },
  {
    kind: "bayesian",
    name: "proportion, relative, proper prior N(0, 0.3²)",
    a: { n: 2000, sum: 200 },
    b: { n: 1800, sum: 205 },
    differenceType: "relative",
    prior: { mean: 0, variance: 0.09 },
  },
  {
    kind: "bayesian",
    name: "proportion, absolute, proper prior rescaled by the baseline mean",
    a: { n: 2000, sum: 200 },
    b: { n: 1800, sum: 205 },
    differenceType: "absolute",
    prior: { mean: 0.01, variance: 0.04 },
  },
  {
    kind: "bayesian",
    name: "mean latency, lower is better, relative",
    a: meanStat(400, 210, 60),
    b: meanStat(450, 198, 55),
    differenceType: "relative",
    inverse: true,
  },
  { kind: "bayesian", name: "candidate worse, large n", a: { n: 200_000, sum: 20_000 }, b: { n: 200_000, sum: 19_500 }, differenceType: "relative" },
  { kind: "bayesian", name: "99 % credible interval", a: { n: 800, sum: 80 }, b: { n: 900, sum: 99 }, differenceType: "absolute", alpha: 0.01 },
  { kind: "sequential", name: "proportion, absolute, N* 5000", a: { n: 3000, sum: 300 }, b: { n: 3000, sum: 360 }, differenceType: "absolute" },
  {
    kind: "sequential",
    name: "proportion, relative, N* 20000",
    a: { n: 12_000, sum: 1200 },
    b: { n: 9000, sum: 990 },
    differenceType: "relative",
    tuning: 20_000,
  },
  {
    kind: "sequential",
    name: "mean, relative, alpha 0.1",
    a: meanStat(400, 210, 60),
    b: meanStat(450, 198, 55),
    differenceType: "relative",
    alpha: 0.1,
  },
  {
    kind: "sequential",
    name: "proportion, absolute, alpha 0.05 shared by two candidates, large n",
    a: { n: 50_000, sum: 5000 },
    b: { n: 40_000, sum: 4300 },
    differenceType: "absolute",
    alpha: 0.05,
    tuning: 20_000,
  },
];

const summary = (s: Stat): SampleSummary => (s.sumSquares === undefined ? proportionSummary(s.n, s.sum) : sumsSummary(s.n, s.sum, s.sumSquares));

/** Our numbers for a case, in the shape gbstats_reference.py answers with. */
function ours(c: Case): Record<string, unknown> {
  const a = summary(c.a);
  const b = summary(c.b);
  if (c.kind === "bayesian") {
    const r = bayesianEffect(a, b, {
      differenceType: c.differenceType,
      ...(c.inverse ? { inverse: true } : {}),
      ...(c.prior ? { prior: c.prior } : {}),
      ...(c.alpha !== undefined ? { alpha: c.alpha } : {}),
    });
    if (!r) throw new Error(`${c.name}: bayesianEffect found nothing to compare`);
    return { chanceToWin: r.chanceToWin, risk: r.risk, expected: r.expected, ci: r.ci };
  }
  const r = asymptoticConfidenceSequence(a, b, { differenceType: c.differenceType, alpha: c.alpha ?? 0.05, tuning: c.tuning ?? 5000 });
  if (!r) throw new Error(`${c.name}: asymptoticConfidenceSequence found nothing to compare`);
  return { expected: r.expected, ci: r.ci, pValue: r.pValue };
}

function expectClose(actual: number, expected: number, what: string): void {
  const tolerance = Math.max(1e-12, 1e-9 * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: ours ${actual}, gbstats ${expected} (difference ${actual - expected}, tolerance ${tolerance})`);
  }
}

/** Installs (or finds) gbstats; null when there is no python3. Throws when python3 exists but gbstats does not. */
function gbstatsPython(): string | null {
  const run = spawnSync(process.execPath, [join(here, "ensure-gbstats.mjs")], { encoding: "utf8", timeout: 900_000 });
  if (run.status === 2) return null;
  if (run.status !== 0) {
    throw new Error(`gbstats cross-check: ${(run.stderr || run.stdout || String(run.error)).trim()}`);
  }
  return run.stdout.trim().split("\n").pop()!;
}

let python: string | null = null;
let setupError: Error | null = null;
try {
  python = gbstatsPython();
} catch (error) {
  setupError = error as Error;
}

describe("statistics primitives against gbstats", () => {
  if (python === null && setupError === null) {
    setupError = new Error(
      "python3 is not on PATH: install Python 3 with venv (apt-get install -y python3 python3-venv; .ci/run does this) to cross-check against gbstats",
    );
  }

  it("has gbstats at the pinned version", () => {
    if (setupError) throw setupError;
    expect(python).toBeTruthy();
  });

  // One Python process answers every case (importing scipy takes about a second).
  let references: Record<string, unknown>[] | undefined;
  const referenceFor = (c: Case) => {
    references ??= JSON.parse(
      execFileSync(python!, [join(here, "gbstats_reference.py")], { input: JSON.stringify(CASES), encoding: "utf8" }),
    ) as Record<string, unknown>[];
    return references[CASES.indexOf(c)];
  };

  it.each(CASES.map((c) => [c.kind, c.name, c] as const))("%s: %s", (_kind, _name, c) => {
    if (setupError) throw setupError;
    const reference = referenceFor(c);
    expect(reference!["error"], `gbstats: ${String(reference!["error"])}`).toBeNull();
    const mine = ours(c);
    for (const [key, value] of Object.entries(mine)) {
      const theirs = reference![key];
      if (Array.isArray(value)) {
        value.forEach((v: number, i) => expectClose(v, (theirs as number[])[i]!, `${c.name}: ${key}[${i}]`));
      } else {
        expectClose(value as number, theirs as number, `${c.name}: ${key}`);
      }
    }
  });
});
