// Pairwise agreement with the true values: the λ → ∞ closed form, the finite-λ Bradley-Terry judge, and value functions.
import { integrate } from './quadrature.js';

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF Φ(x) via the complementary error function (absolute error below 1e-15). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** erfc(x) by the Chebyshev fit of Numerical Recipes (erfccheb), fractional error below 1.2e-16 · a few. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  const cof = [
    -1.3026537197817094, 0.6419697923564902, 0.019476473204185836, -0.00956151478680863, -0.000946595344482036,
    0.000366839497852761, 4.2523324806907e-05, -2.0278578112534e-05, -1.624290004647e-06, 1.30365583558e-06, 1.5626441722e-08,
    -8.5238095915e-08, 6.529054439e-09, 5.059343495e-09, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
    -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
  ];
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = cof.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + cof[j];
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (cof[0] + ty * d) - dd);
}

/** Logistic σ(z) = 1 / (1 + e^(−z)), computed without overflow. */
export function logistic(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Chance that a direction with Σ-cosine `a` to v* orders a random Gaussian pair as v* does (λ → ∞): 1 − arccos(a)/π. */
export function agreementFromAlignment(a: number): number {
  const clamped = a > 1 ? 1 : a < -1 ? -1 : a;
  return 1 - Math.acos(clamped) / Math.PI;
}

/** Absolute accuracy that `judgeAgreementFinite` is integrated to (its summed Gauss-Kronrod error bound). */
export const AGREEMENT_ABS_TOL = 1e-10;

/**
 * P(the Bradley-Terry judge with temperature λ labels a pair the way v* orders it), where the pair difference D
 * projected on (v_c, v*) is bivariate normal with correlation `alignment` and <v_c, D> has standard deviation
 * `judgeStd`. With k = λ·judgeStd and (U, W) standard with correlation a this is E[σ(k U sign W)], which splits
 * into the λ → ∞ value minus a correction that lives where σ(−k|U|) is not yet negligible:
 *   1 − arccos(a)/π − 2 ∫_0^∞ φ(u) σ(−k u) (2Φ(a u / √(1 − a²)) − 1) du.
 * The integral runs over [0, min(12, 60/k)] (σ(−ku) < e^{−60} beyond) by adaptive Gauss-Kronrod to an absolute
 * error bound of 1e-10. λ = ∞ gives 1 − arccos(a)/π exactly; λ = 0 gives 1/2.
 */
export function judgeAgreementFinite(alignment: number, lambda: number, judgeStd: number): number {
  if (!(lambda >= 0) || !(judgeStd >= 0)) throw new Error(`judgeAgreementFinite: need lambda, judgeStd >= 0, got ${lambda}, ${judgeStd}`);
  const a = alignment > 1 ? 1 : alignment < -1 ? -1 : alignment;
  const k = lambda * judgeStd;
  if (k === Infinity) return agreementFromAlignment(a);
  if (k === 0) return 0.5;
  // P(W > 0 | U = u) − P(W < 0 | U = u) for u > 0; a constant ±1 when |a| = 1.
  const rest = Math.sqrt(Math.max(0, 1 - a * a));
  const bias = (u: number): number => (rest === 0 ? Math.sign(a) : 2 * normalCdf((a * u) / rest) - 1);
  const f = (u: number): number => normalPdf(u) * logistic(-k * u) * bias(u);
  const correction = integrate(f, 0, Math.min(12, 60 / k), AGREEMENT_ABS_TOL / 2).value;
  return Math.min(1, Math.max(0, agreementFromAlignment(a) - 2 * correction));
}

/** A value function f of the true value x = <v*, φ>: any increasing (or decreasing) f, or f(x) = −(x − center)². */
export type ValueFunction = { kind: 'monotone'; increasing?: boolean } | { kind: 'quadratic'; center: number };

/** Where two independent responses φ1, φ2 ~ N(μ, Σ) of a policy fall along v* and v_c, and how the judge labels them. */
export interface PairModel {
  /** Mean of <v*, φ> (μ = Σθ for the tilted policy: <v*, Σθ>). */
  valueMean: number;
  /** Standard deviation of <v*, φ> for one response: √(v*ᵀΣv*). */
  valueStd: number;
  /** Standard deviation of <v_c, φ> for one response: √(v_cᵀΣv_c). (The mean along v_c cancels in pair differences.) */
  judgeStd: number;
  /** Correlation of <v*, φ> and <v_c, φ>: cosS(v_c, v*). */
  correlation: number;
  /** Bradley-Terry temperature λ; Infinity for a deterministic judge. */
  lambda: number;
}

/**
 * Agreement of the judge σ(λ<v_c, φ1 − φ2>) with the true preference sign(f(x1) − f(x2)), x_i = <v*, φ_i>.
 * Monotone f: the linear answer (judgeAgreementFinite with pair std √2·judgeStd; 1 − arg for decreasing f).
 * Quadratic f(x) = −(x − m)²: the truth prefers φ1 iff (x1 − x2)(x1 + x2 − 2m) < 0. The sum x1 + x2 is
 * independent of both pair differences (equal variances), so with q = P(x1 + x2 < 2m) = Φ(√2 (m − μ)/s) the
 * agreement is exactly q·A + (1 − q)(1 − A), A the linear agreement (one numerical integral for finite λ,
 * accuracy 1e-10; closed form for λ = ∞).
 */
export function valueFunctionAgreement(pair: PairModel, f: ValueFunction): { agreement: number; linearAgreement: number; flipProbability: number } {
  const linear = judgeAgreementFinite(pair.correlation, pair.lambda, Math.SQRT2 * pair.judgeStd);
  if (f.kind === 'monotone') {
    const agreement = f.increasing === false ? 1 - linear : linear;
    return { agreement, linearAgreement: linear, flipProbability: f.increasing === false ? 1 : 0 };
  }
  if (!(pair.valueStd > 0)) throw new Error('valueFunctionAgreement: valueStd must be > 0');
  // Probability that the pair sits on the far side of the centre, where the quadratic reverses the linear order.
  const flip = normalCdf((Math.SQRT2 * (pair.valueMean - f.center)) / pair.valueStd);
  return { agreement: (1 - flip) * linear + flip * (1 - linear), linearAgreement: linear, flipProbability: flip };
}
