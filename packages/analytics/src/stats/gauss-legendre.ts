/**
 * Gauss–Legendre quadrature on [-1, 1], with a matrix that also integrates from −1 up to each
 * node. The second part lets one pass over a panel give both ∫f and the running integral F at
 * every node, so CDFs come out of the same density evaluations instead of one incomplete-beta
 * evaluation per node.
 */

/** An n-point rule: nodes ascending in (−1, 1), weights, and the running-integral matrix. */
export interface GaussLegendreRule {
  size: number;
  nodes: Float64Array;
  weights: Float64Array;
  /**
   * Row-major n × n: `cumulative[m * n + k]` is the weight of f(node k) in ∫_{−1}^{node m} f,
   * exact when f is a polynomial of degree below n.
   */
  cumulative: Float64Array;
}

/** Legendre polynomials P_0 … P_{maxDegree} at t. */
function legendreValues(t: number, maxDegree: number): Float64Array {
  const values = new Float64Array(maxDegree + 1);
  values[0] = 1;
  if (maxDegree >= 1) values[1] = t;
  for (let n = 1; n < maxDegree; n++) {
    values[n + 1] = ((2 * n + 1) * t * values[n]! - n * values[n - 1]!) / (n + 1);
  }
  return values;
}

const cache = new Map<number, GaussLegendreRule>();

/** The n-point Gauss–Legendre rule (computed once per n, by Newton's method on P_n). */
export function gaussLegendre(size: number): GaussLegendreRule {
  const cached = cache.get(size);
  if (cached) return cached;
  const nodes = new Float64Array(size);
  const weights = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    // Roots of P_n lie close to cos(π (i + 3/4) / (n + 1/2)); Newton converges in a few steps.
    let t = -Math.cos((Math.PI * (i + 0.75)) / (size + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      const p = legendreValues(t, size);
      const pn = p[size]!;
      const pn1 = p[size - 1]!;
      derivative = (size * (t * pn - pn1)) / (t * t - 1);
      const step = pn / derivative;
      t -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = t;
    weights[i] = 2 / ((1 - t * t) * derivative * derivative);
  }
  // ∫_{−1}^{t} L_k = w_k [ (t + 1)/2 + ½ Σ_{n=1}^{N−1} P_n(t_k) (P_{n+1}(t) − P_{n−1}(t)) ], from
  // the Legendre expansion of the k-th Lagrange basis polynomial, which Gauss quadrature gives
  // exactly: L_k = w_k Σ_n (2n + 1)/2 · P_n(t_k) P_n.
  const atNodes = Array.from(nodes, (t) => legendreValues(t, size));
  const cumulative = new Float64Array(size * size);
  for (let m = 0; m < size; m++) {
    const pm = atNodes[m]!;
    for (let k = 0; k < size; k++) {
      const pk = atNodes[k]!;
      let sum = 0.5 * (nodes[m]! + 1);
      for (let n = 1; n < size; n++) sum += 0.5 * pk[n]! * (pm[n + 1]! - pm[n - 1]!);
      cumulative[m * size + k] = weights[k]! * sum;
    }
  }
  const rule: GaussLegendreRule = { size, nodes, weights, cumulative };
  cache.set(size, rule);
  return rule;
}
