/** Rates with Wilson intervals, correlations with Fisher intervals, and the mean and spread of results over seeds. */
import { fisherInterval, pearsonR, wilsonInterval } from '../../../util/intervals.js';

/** A rate: k successes of n, with its 95% Wilson score interval. */
export interface Rate {
  k: number;
  n: number;
  /** k / n (NaN when n = 0). */
  rate: number;
  lo: number;
  hi: number;
  /** Independent units the cases come in (pairs judged under several layouts), when the interval accounts for them. */
  clusters?: number;
  /** Effective sample size behind the interval (n over the design effect of the clusters). */
  nEffective?: number;
}

/** The rate k/n with its 95% Wilson score interval ([0, 1] and NaN rate when n = 0). */
export function wilson(k: number, n: number): Rate {
  if (n === 0) return { k, n, rate: NaN, lo: 0, hi: 1 };
  const [lo, hi] = wilsonInterval(k, n);
  return { k, n, rate: k / n, lo, hi };
}

/**
 * The rate of `hits` with a 95% interval that treats the cases of one cluster (e.g. one pair judged under every
 * layout) as correlated: Wilson at the effective sample size n·p(1−p)/(n²·v), v the between-cluster variance of the
 * ratio estimator, clamped to [1, n]; with p ∈ {0, 1} the effective size is the number of clusters.
 */
export function clusteredRate(hits: readonly boolean[], clusterOf: readonly unknown[]): Rate {
  if (hits.length !== clusterOf.length) throw new Error('clusteredRate: hits and clusters differ in length');
  const n = hits.length;
  const k = hits.filter(Boolean).length;
  if (n === 0) return { ...wilson(0, 0), clusters: 0, nEffective: 0 };
  const by = new Map<unknown, [number, number]>();
  hits.forEach((h, i) => {
    const c = by.get(clusterOf[i]) ?? [0, 0];
    c[0] += h ? 1 : 0;
    c[1] += 1;
    by.set(clusterOf[i], c);
  });
  const m = by.size;
  const p = k / n;
  let nEff: number;
  if (p === 0 || p === 1) nEff = m;
  else if (m < 2) nEff = 1;
  else {
    let ss = 0;
    for (const [kj, nj] of by.values()) ss += (kj - p * nj) ** 2;
    const v = ((m / (m - 1)) * ss) / (n * n);
    nEff = v > 0 ? Math.min(n, Math.max(1, (p * (1 - p)) / v)) : n;
  }
  const w = wilson(p * nEff, nEff);
  return { k, n, rate: p, lo: w.lo, hi: w.hi, clusters: m, nEffective: nEff };
}

/**
 * Pools rates into one (k and n summed, rate k/n; missing and empty parts dropped). The interval is Wilson at the pooled effective
 * size: the sum of the parts' effective sizes when they are disjoint case sets; when they judge the same pairs
 * (`overlapping`: several words on one set of pairs) the size at which the pooled rate's variance is the worst case
 * over the parts' correlations, (Σ wᵢ·seᵢ)² with wᵢ = nᵢ/n and seᵢ each part's standard error, capped at the sum
 * (parts that are all 0 or all 1 give no standard error: then the largest part's size). Rates without an effective
 * size pool as plain Wilson.
 */
export function poolRates(rates: readonly (Rate | undefined)[], opts: { overlapping?: boolean } = {}): Rate {
  const parts = rates.filter((r): r is Rate => r !== undefined && r.n > 0);
  const k = parts.reduce((a, r) => a + r.k, 0);
  const n = parts.reduce((a, r) => a + r.n, 0);
  if (n === 0 || !parts.every((r) => r.nEffective !== undefined)) return wilson(k, n);
  const effs = parts.map((r) => r.nEffective ?? 0);
  const sum = effs.reduce((a, x) => a + x, 0);
  const p = k / n;
  let nEff = sum;
  if (opts.overlapping) {
    const se = parts.reduce((a, r, i) => a + (r.n / n) * Math.sqrt((r.rate * (1 - r.rate)) / effs[i]), 0);
    nEff = se > 0 ? Math.min(sum, Math.max(1, (p * (1 - p)) / (se * se))) : Math.max(...effs);
  }
  const w = wilson(p * nEff, nEff);
  const clusters = parts.map((r) => r.clusters ?? 0);
  return { k, n, rate: p, lo: w.lo, hi: w.hi, clusters: opts.overlapping ? Math.max(...clusters) : clusters.reduce((a, x) => a + x, 0), nEffective: nEff };
}

/** `poolRates`' option for several words judged on the same pairs (pooled at the worst-case correlation, not as disjoint cases). */
export const SAME_PAIRS = { overlapping: true } as const;

/** Counts the true entries of `xs` as a Rate. */
export function rateOf(xs: readonly boolean[]): Rate {
  return wilson(xs.filter(Boolean).length, xs.length);
}

/** A correlation over n items with its 95% Fisher-z interval. */
export interface Correlation {
  r: number;
  n: number;
  lo: number;
  hi: number;
}

/** Pearson correlation of x and y with its 95% Fisher-z interval (NaN when undefined). */
export function pearson(x: readonly number[], y: readonly number[]): Correlation {
  const n = x.length;
  const r = pearsonR(x, y);
  if (!Number.isFinite(r) || n < 4) return { r, n, lo: -1, hi: 1 };
  const [lo, hi] = fisherInterval(r, n);
  return { r, n, lo, hi };
}

/** Mean and spread of one quantity over seeds. */
export interface SeedSummary {
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** max − min. */
  spread: number;
  /** Seeds with a finite value. */
  n: number;
}

/** Mean, standard deviation, min, max and spread (max − min) per key over several seeds' headline numbers. */
export function aggregateSeeds(results: readonly Record<string, number>[]): Record<string, SeedSummary> {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r)))].sort();
  const out: Record<string, SeedSummary> = {};
  for (const key of keys) {
    const xs = results.map((r) => r[key]).filter((v) => Number.isFinite(v));
    const n = xs.length;
    const mean = n === 0 ? NaN : xs.reduce((s, v) => s + v, 0) / n;
    const sd = n < 2 ? 0 : Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    const min = n === 0 ? NaN : Math.min(...xs);
    const max = n === 0 ? NaN : Math.max(...xs);
    out[key] = { mean, sd, min, max, spread: max - min, n };
  }
  return out;
}
