/**
 * `rho`: how well a linear readout of the residual stream recovers acts' true values on acts it was not fit
 * on. Ridge regression on standardised features, cross-validated with leave-act-out folds and with
 * leave-category-out folds (no fold's test acts share their category, hence no label-bearing token pattern,
 * with its training acts); rho is the Pearson correlation of the act-averaged out-of-fold predictions with the
 * true values, over acts. The readout's intercept is the world's mean value (0: the levels are balanced by
 * construction), not the training fold's mean: with the fold's mean, features that carry nothing would still
 * give predictions anti-correlated with the held-out fold's values (r ≈ −0.8 under leave-category-out).
 */
import { createRng, deriveSeed } from '../../../linalg/index.js';
import { cholesky, choleskySolve, matrix } from '../../../linalg/matrix.js';
import { pearson, type Correlation } from './stats.js';

/** Ridge penalty on standardised features. */
export const RIDGE_LAMBDA = 10;
/** Folds of the leave-act-out split. */
export const ACT_FOLDS = 5;

/** A fitted ridge readout. */
interface Ridge {
  mean: Float64Array;
  scale: Float64Array;
  weights: Float64Array;
  intercept: number;
}

/** The intercept of every readout: the mean true value over the world's acts. */
export const READOUT_INTERCEPT = 0;

/** Fits ridge regression of y on rows xs (standardised inside), with a fixed intercept (default READOUT_INTERCEPT). */
export function fitRidge(xs: readonly Float64Array[], y: readonly number[], lambda = RIDGE_LAMBDA, intercept = READOUT_INTERCEPT): Ridge {
  const n = xs.length;
  const d = xs[0].length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] += x[j] / n;
  for (const x of xs) for (let j = 0; j < d; j++) scale[j] += (x[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
  // Features are centred on the training rows, so the weights are those of a fit with a free intercept.
  const ym = y.reduce((s, v) => s + v, 0) / n;
  const a = matrix(d, d);
  const b = new Float64Array(d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = (xs[i][j] - mean[j]) * scale[j];
    for (let j = 0; j < d; j++) {
      b[j] += z[j] * (y[i] - ym);
      for (let k = 0; k <= j; k++) a.data[j * d + k] += z[j] * z[k];
    }
  }
  for (let j = 0; j < d; j++) {
    a.data[j * d + j] += lambda;
    for (let k = 0; k < j; k++) a.data[k * d + j] = a.data[j * d + k];
  }
  const l = cholesky(a);
  if (!l) throw new Error('fitRidge: the penalised Gram matrix is not positive-definite');
  return { mean, scale, weights: Float64Array.from(choleskySolve(l, b)), intercept };
}

/** The ridge prediction for x. */
export function predictRidge(r: Ridge, x: Float64Array): number {
  let s = r.intercept;
  for (let j = 0; j < x.length; j++) s += r.weights[j] * (x[j] - r.mean[j]) * r.scale[j];
  return s;
}

/** Items of a readout: one feature row each, the act it shows, the act's category and true value. */
export interface ReadoutItem {
  act: number;
  category: string;
  value: number;
}

/** Out-of-fold rho of `features` (one row per item) under folds given by `foldOf(item)`. */
export function crossValidatedRho(features: readonly Float64Array[], items: readonly ReadoutItem[], foldOf: (item: ReadoutItem) => number | string): Correlation {
  const folds = [...new Set(items.map(foldOf))];
  const predicted = new Float64Array(items.length);
  for (const f of folds) {
    const train = items.map((it, i) => i).filter((i) => foldOf(items[i]) !== f);
    const test = items.map((it, i) => i).filter((i) => foldOf(items[i]) === f);
    const ridge = fitRidge(train.map((i) => features[i]), train.map((i) => items[i].value));
    for (const i of test) predicted[i] = predictRidge(ridge, features[i]);
  }
  // One point per act: the mean of its items' out-of-fold predictions.
  const byAct = new Map<number, { sum: number; n: number; value: number }>();
  items.forEach((it, i) => {
    const e = byAct.get(it.act) ?? { sum: 0, n: 0, value: it.value };
    e.sum += predicted[i];
    e.n++;
    byAct.set(it.act, e);
  });
  const acts = [...byAct.values()];
  return pearson(acts.map((e) => e.sum / e.n), acts.map((e) => e.value));
}

/** The leave-act-out fold of each act (ACT_FOLDS folds, seeded shuffle). */
export function actFolds(actIds: readonly number[], seed: number): Map<number, number> {
  const ids = [...new Set(actIds)].sort((a, b) => a - b);
  const rng = createRng(deriveSeed(seed, 0xf01d));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return new Map(ids.map((id, i) => [id, i % ACT_FOLDS]));
}
