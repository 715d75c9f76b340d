// Small statistics the simulator reports with: means, intervals, quantiles and Gaussian order statistics.
import { integrate, logistic, normalCdf, normalPdf, judgeAgreementFinite } from '../theory/index.js';
import { Z95 } from '../util/intervals.js';

/** A measured value with its 95% interval [low, high]. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

/** The normal quantile for a two-sided 95% interval (src/util/intervals.ts). */
export { Z95 };

/** The standard normal quantile Φ⁻¹(p), 0 < p < 1, by bisection on Φ (to 1e-13). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and sample standard deviation of values[0 .. n). */
export function meanSd(values: ArrayLike<number>, n = values.length): { mean: number; sd: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** The mean with its normal-approximation (CLT) interval, mean ± z·sd/√n (z = 1.96 for 95%). */
export function meanEstimate(values: ArrayLike<number>, n = values.length, z = Z95): Estimate {
  const { mean, sd } = meanSd(values, n);
  const half = (z * sd) / Math.sqrt(n);
  return { value: mean, low: mean - half, high: mean + half };
}

/** The q-quantile of `sorted` (ascending) by linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The basic (reverse-percentile) parametric-bootstrap 95% interval: the statistic was measured as `measured`; in
 * the bootstrap world, whose true value is `center`, it came out as `draws`. The error law (draw − center) stands
 * in for (measured − truth), so truth ∈ [measured − (q97.5 − center), measured − (q2.5 − center)] at level 95%. This carries
 * the bootstrap's bias (e.g. the shrinkage of a cosine under noise) into the interval.
 */
export function basicInterval(measured: number, center: number, draws: Float64Array, level = 0.95): Estimate {
  const finite = Float64Array.from(draws.filter((x) => Number.isFinite(x))).sort();
  const tail = (1 - level) / 2;
  return {
    value: measured,
    low: measured - (quantileSorted(finite, 1 - tail) - center),
    high: measured - (quantileSorted(finite, tail) - center),
  };
}

/** True when `predicted` lies in [low, high] (allowing 1e-12 of rounding); NaN predictions never fit. */
export function within(estimate: Estimate, predicted: number): boolean {
  return predicted >= estimate.low - 1e-12 && predicted <= estimate.high + 1e-12;
}

/** Two-sided Student-t quantile at `level`: the 95% table (df ≤ 30) scaled by z(level)/z(0.95); the normal beyond. */
export function tQuantile(df: number, level: number): number {
  return (t95(df) * normalQuantile(0.5 + level / 2)) / Z95;
}

/** Two-sided 95% Student-t quantile for `df` degrees of freedom (table to 30, then the normal). */
export function t95(df: number): number {
  const table = [
    NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
    2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ];
  return df >= 1 && df <= 30 ? table[Math.floor(df)] : Z95;
}

/**
 * Moments E[R^k], k = 1, 2, 3, of R = max of n independent standard normals: ∫ x^k n φ(x) Φ(x)^{n−1} dx by adaptive
 * Gauss-Kronrod on [−12, 12] (absolute error below 1e-10). E[R] is the best-of-n gain in standard deviations.
 */
export function maxNormalMoments(n: number): [number, number, number] {
  if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`maxNormalMoments: n must be a positive integer, got ${n}`);
  const density = (x: number): number => n * normalPdf(x) * normalCdf(x) ** (n - 1);
  const m = (k: number): number => integrate((x) => x ** k * density(x), -12, 12, 1e-10).value;
  return [m(1), m(2), m(3)];
}

/**
 * Agreement of a Bradley-Terry judge with additive position bias b with the true order, pairs in random order:
 * 2 ∫ φ(u) h(u) Φ(a u / √(1 − a²)) du with h(u) = (σ(ku + b) + σ(ku − b))/2, k = λ·judgeStd. The same with or
 * without both-order debiasing (each pair is shown in either order with equal chance, and debiasing averages the
 * two orders, so both have mean h). b = 0 is the theory's judgeAgreementFinite.
 */
export function biasedJudgeAgreement(alignment: number, lambda: number, judgeStd: number, bias: number): number {
  if (bias === 0) return judgeAgreementFinite(alignment, lambda, judgeStd);
  const a = Math.max(-1, Math.min(1, alignment));
  const k = lambda * judgeStd;
  const rest = Math.sqrt(Math.max(0, 1 - a * a));
  const pPositive = (u: number): number => (rest === 0 ? (a * u > 0 ? 1 : a * u < 0 ? 0 : 0.5) : normalCdf((a * u) / rest));
  const h = (u: number): number => (k === Infinity ? (u > 0 ? 1 : u < 0 ? 0 : 0.5) : (logistic(k * u + bias) + logistic(k * u - bias)) / 2);
  const f = (u: number): number => normalPdf(u) * h(u) * pPositive(u);
  return 2 * (integrate(f, -12, 0, 2.5e-11).value + integrate(f, 0, 12, 2.5e-11).value);
}
