/**
 * Linear probes: L2-regularised logistic regression in Float64, trained by full-batch gradient descent on
 * standardised features. Small, deterministic, and enough for a few hundred examples in d ≤ 512.
 */

/** A trained linear probe: standardisation, weights and bias. */
export interface LinearProbe {
  mean: Float64Array;
  scale: Float64Array;
  weights: Float64Array;
  bias: number;
}

/** Options of `fitLogisticProbe`. */
export interface ProbeFitOptions {
  /** L2 penalty on the weights (per example). */
  l2?: number;
  iterations?: number;
  learningRate?: number;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Fits a logistic-regression probe of `labels` (0/1) on feature rows `xs`. */
export function fitLogisticProbe(xs: ArrayLike<number>[], labels: number[], opts: ProbeFitOptions = {}): LinearProbe {
  const n = xs.length;
  if (n === 0 || labels.length !== n) throw new Error('fitLogisticProbe: need as many labels as rows, at least one');
  const d = xs[0].length;
  const l2 = opts.l2 ?? 1e-3;
  const iterations = opts.iterations ?? 300;
  const lr = opts.learningRate ?? 0.5;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] += x[j] / n;
  for (const x of xs) for (let j = 0; j < d; j++) scale[j] += (x[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
  const z = xs.map((x) => {
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) row[j] = (x[j] - mean[j]) * scale[j];
    return row;
  });
  const w = new Float64Array(d);
  let b = 0;
  const grad = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      const row = z[i];
      for (let j = 0; j < d; j++) s += w[j] * row[j];
      const err = sigmoid(s) - labels[i];
      gb += err;
      for (let j = 0; j < d; j++) grad[j] += err * row[j];
    }
    for (let j = 0; j < d; j++) w[j] -= lr * (grad[j] / n + l2 * w[j]);
    b -= (lr * gb) / n;
  }
  return { mean, scale, weights: w, bias: b };
}

/** The probe's probability that `x` has label 1. */
export function probeProbability(probe: LinearProbe, x: ArrayLike<number>): number {
  let s = probe.bias;
  for (let j = 0; j < probe.weights.length; j++) s += probe.weights[j] * (x[j] - probe.mean[j]) * probe.scale[j];
  return sigmoid(s);
}

/** Fraction of rows whose thresholded (0.5) probe prediction equals the label. */
export function probeAccuracy(probe: LinearProbe, xs: ArrayLike<number>[], labels: number[]): number {
  let right = 0;
  xs.forEach((x, i) => {
    if ((probeProbability(probe, x) >= 0.5 ? 1 : 0) === labels[i]) right++;
  });
  return xs.length === 0 ? NaN : right / xs.length;
}
