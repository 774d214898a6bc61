// jstat 1.9.6 ships CommonJS without type declarations. This shim declares the parts the
// analytics package calls. Signatures are kept loose (numbers in, numbers out) because jstat
// itself does no argument checking; callers validate their inputs before reaching it.
declare module "jstat" {
  /** A continuous distribution's static functions, parameterised positionally. */
  interface ContinuousDistribution<P extends number[]> {
    pdf(x: number, ...params: P): number;
    cdf(x: number, ...params: P): number;
    inv(p: number, ...params: P): number;
    mean(...params: P): number;
    median(...params: P): number;
    mode(...params: P): number;
    variance(...params: P): number;
    /** Draws from jstat's global random source (`setRandom`); prefer a seeded sampler. */
    sample(...params: P): number;
  }

  /** A discrete distribution's static functions, parameterised positionally. */
  interface DiscreteDistribution<P extends number[]> {
    pdf(k: number, ...params: P): number;
    cdf(k: number, ...params: P): number;
  }

  interface JStatStatic {
    /** beta(alpha, beta) */
    beta: ContinuousDistribution<[alpha: number, beta: number]>;
    /** studentt(dof) */
    studentt: ContinuousDistribution<[dof: number]>;
    /** normal(mean, std) */
    normal: ContinuousDistribution<[mean: number, std: number]>;
    /** chisquare(dof) */
    chisquare: ContinuousDistribution<[dof: number]>;
    /** gamma(shape, scale) */
    gamma: ContinuousDistribution<[shape: number, scale: number]>;
    /** centralF(df1, df2) */
    centralF: ContinuousDistribution<[df1: number, df2: number]>;
    /** noncentralt(dof, ncp) */
    noncentralt: ContinuousDistribution<[dof: number, ncp: number]>;
    /** binomial(n, p) */
    binomial: DiscreteDistribution<[n: number, p: number]>;
    /** poisson(lambda) */
    poisson: DiscreteDistribution<[lambda: number]>;

    /** log Γ(x) */
    gammaln(x: number): number;
    /** Γ(x) */
    gammafn(x: number): number;
    /** lower regularised incomplete gamma P(a, x) */
    gammap(a: number, x: number): number;
    /** inverse of `gammap` in x */
    gammapinv(p: number, a: number): number;
    /** B(x, y) */
    betafn(x: number, y: number): number;
    /** log B(x, y) */
    betaln(x: number, y: number): number;
    /** regularised incomplete beta I_x(a, b) */
    ibeta(x: number, a: number, b: number): number;
    /** inverse of `ibeta` in x */
    ibetainv(p: number, a: number, b: number): number;
    erf(x: number): number;
    erfc(x: number): number;
    erfcinv(p: number): number;
    factorialln(n: number): number;
    combinationln(n: number, m: number): number;

    /** Replaces jstat's global random source (used by every `sample`). */
    setRandom(fn: () => number): void;

    sum(values: readonly number[]): number;
    mean(values: readonly number[]): number;
    variance(values: readonly number[], sample?: boolean): number;
    stdev(values: readonly number[], sample?: boolean): number;
    percentile(values: readonly number[], k: number, exclusive?: boolean): number;
    quantiles(values: readonly number[], probs: readonly number[]): number[];

    [other: string]: unknown;
  }

  const jStat: JStatStatic;
  export default jStat;
}
