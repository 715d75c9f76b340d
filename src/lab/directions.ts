/**
 * Directions and subspaces of a model's activations as values with their provenance (model, layer, hook, position,
 * method, data, seed): difference of means, a logistic probe, and PCA of paired differences.
 */
import { createRng, symmetricEigen, type Matrix } from '../linalg/index.js';

/** The methods a direction can come from. */
export type DirectionMethod = 'diff-of-means' | 'logistic-probe' | 'pca-pairs' | 'random';

/** Where a direction came from: enough to recompute it. */
export interface Provenance {
  /** The model directory (or a fixture's name). */
  model: string;
  /** Block index of the hook point. */
  layer: number;
  /** TransformerLens hook name, e.g. `blocks.1.hook_resid_pre`. */
  hook: string;
  /** Token position (negative counts from the end of the prompt). */
  position: number;
  method: DirectionMethod;
  /** What the activations were: data set names, sizes, splits. */
  data: string;
  /** Seed of any randomness (null when the method has none). */
  seed: number | null;
}

/** One direction in activation space (not normalised: its norm means something for addition). */
export interface Direction {
  vector: Float64Array;
  provenance: Provenance;
}

/** A k-dimensional subspace: orthonormal rows, strongest first. */
export interface Subspace {
  basis: Float64Array[];
  /** Variance (mean squared projection) along each row. */
  energy: number[];
  provenance: Provenance;
}

function checkSameWidth(xs: Float64Array[][], what: string): number {
  const d = xs.flat()[0]?.length ?? 0;
  if (d === 0) throw new Error(`${what}: needs at least one non-empty activation`);
  for (const x of xs.flat()) if (x.length !== d) throw new Error(`${what}: activations of different widths (${x.length} vs ${d})`);
  return d;
}

/** Mean of equal-length vectors. */
export function meanVector(xs: Float64Array[]): Float64Array {
  if (xs.length === 0) throw new Error('meanVector: no vectors');
  const out = new Float64Array(xs[0].length);
  for (const x of xs) for (let i = 0; i < out.length; i++) out[i] += x[i];
  for (let i = 0; i < out.length; i++) out[i] /= xs.length;
  return out;
}

/** Euclidean norm. */
export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** `x` scaled to unit length (the zero vector stays zero). */
export function unitVector(x: ArrayLike<number>): Float64Array {
  const n = norm(x) || 1;
  return Float64Array.from(x, (v) => v / n);
}

/** Dot product. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity (0 when either vector is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : dot(a, b) / n;
}

/** mean(positive) − mean(negative): the difference-of-means direction (Arditi et al.'s r = μ_harmful − μ_harmless). */
export function diffOfMeans(positive: Float64Array[], negative: Float64Array[]): Float64Array {
  checkSameWidth([positive, negative], 'diffOfMeans');
  const a = meanVector(positive);
  const b = meanVector(negative);
  return a.map((x, i) => x - b[i]);
}

/** Options of the logistic probe. */
export interface ProbeOptions {
  /** L2 penalty on the weights (not the bias), per example. */
  l2: number;
  /** Full-batch gradient steps. */
  steps: number;
  /** Seed of the initial weights. */
  seed: number;
}

/** Default probe options: λ = 1e-2, 300 steps, seed 0. */
export const DEFAULT_PROBE: ProbeOptions = { l2: 1e-2, steps: 300, seed: 0 };

/**
 * A logistic-regression probe on standardised features (L2-penalised, full-batch gradient descent with a step of
 * 1/L from the loss's Lipschitz bound, seeded small initial weights); returns the weights mapped back to activation
 * space (w/σ per coordinate, so `dot(w, x)` orders examples as the probe does), the bias and training accuracy.
 */
export function logisticProbe(xs: Float64Array[], labels: number[], options: Partial<ProbeOptions> = {}): { weights: Float64Array; bias: number; accuracy: number } {
  const o = { ...DEFAULT_PROBE, ...options };
  if (xs.length !== labels.length) throw new Error('logisticProbe: xs and labels differ in length');
  const d = checkSameWidth([xs], 'logisticProbe');
  const n = xs.length;
  const mu = meanVector(xs);
  const sd = new Float64Array(d);
  for (const x of xs) for (let i = 0; i < d; i++) sd[i] += (x[i] - mu[i]) ** 2;
  for (let i = 0; i < d; i++) sd[i] = Math.sqrt(sd[i] / n) || 1;
  const z = xs.map((x) => x.map((v, i) => (v - mu[i]) / sd[i]));
  const rng = createRng(o.seed);
  const w = rng.normals(d).map((v) => v * 0.01);
  let b = 0;
  // Lipschitz constant of the mean logistic loss on standardised data is at most (1/4)·(d + 1) + λ.
  const step = 1 / (0.25 * (d + 1) + o.l2);
  const g = new Float64Array(d);
  for (let s = 0; s < o.steps; s++) {
    g.fill(0);
    let gb = 0;
    for (let j = 0; j < n; j++) {
      const p = 1 / (1 + Math.exp(-(dot(w, z[j]) + b)));
      const r = p - labels[j];
      for (let i = 0; i < d; i++) g[i] += r * z[j][i];
      gb += r;
    }
    for (let i = 0; i < d; i++) w[i] -= step * (g[i] / n + o.l2 * w[i]);
    b -= step * (gb / n);
  }
  let correct = 0;
  for (let j = 0; j < n; j++) if ((dot(w, z[j]) + b > 0 ? 1 : 0) === labels[j]) correct++;
  const weights = w.map((v, i) => v / sd[i]);
  return { weights, bias: b - dot(weights, mu), accuracy: correct / n };
}

/**
 * PCA of paired differences (positive_i − negative_i), uncentred so the mean difference counts as signal: the top-k
 * eigenvectors of DᵀD/n, each signed so the mean difference projects positively, with their energies.
 */
export function pcaOfPairs(positive: Float64Array[], negative: Float64Array[], k: number): { basis: Float64Array[]; energy: number[] } {
  if (positive.length !== negative.length) throw new Error('pcaOfPairs: positive and negative must pair up');
  const d = checkSameWidth([positive, negative], 'pcaOfPairs');
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`pcaOfPairs: k must be in [1, ${d}]`);
  const diffs = positive.map((p, j) => p.map((v, i) => v - negative[j][i]));
  const m: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
  for (const x of diffs) for (let i = 0; i < d; i++) for (let l = 0; l < d; l++) m.data[i * d + l] += (x[i] * x[l]) / diffs.length;
  const eig = symmetricEigen(m);
  const mean = meanVector(diffs);
  const basis = eig.vectors.slice(0, k).map((v) => {
    const u = Float64Array.from(v);
    return dot(u, mean) < 0 ? u.map((x) => -x) : u;
  });
  return { basis, energy: Array.from(eig.values.slice(0, k)) };
}

/** `count` seeded random directions, each of norm `length` (Gaussian, then scaled). */
export function randomDirections(d: number, count: number, length: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const v = rng.normals(d);
    const s = length / norm(v);
    return v.map((x) => x * s);
  });
}
