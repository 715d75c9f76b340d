// Sample complexity of the reward model: how fast cos(ŵ, v_c) → 1 and cos(ŵ, v*) → a_c as the number of pairs grows.
import { cholesky, choleskySolve, createRng, deriveSeed, sigmaCos } from '../linalg/index.js';
import { integrate, judgeAlignment, judgeDirection, logistic, normalPdf, type Geometry } from '../theory/index.js';
import { judgePairs } from './judge.js';
import { createNormalSource } from './normal.js';
import { fitReward } from './reward-fit.js';
import { applySigma, responseModel, samplePairs } from './sampler.js';
import { meanSd, tQuantile } from './stats.js';

/** Settings of a sample-complexity study. */
export interface SampleComplexityOptions {
  /** Numbers of pairs N to fit at. */
  grid: number[];
  /** Independent fits per N. */
  seeds: number;
  seed: number;
  lambda: number;
  positionBias: number;
  debias: boolean;
  l2: number;
  level: number;
}

/** One N of the study: means over seeds with intervals, and the first-order prediction. */
export interface SampleComplexityRow {
  pairs: number;
  /** cosS(ŵ, v*): tends to a_c. */
  rewardAlignment: number;
  rewardAlignmentInterval: [number, number];
  /** 1 − cos(ŵ, v_c) (Euclidean): the angle error of the reward direction. */
  angleError: number;
  angleErrorInterval: [number, number];
  /** First-order prediction of E[1 − cos(ŵ, v_c)] (null with a position bias). */
  predictedAngleError: number | null;
  within: boolean | null;
}

/** The study: per-N rows and the fitted power law 1 − cos(ŵ, v_c) ≈ K·N^slope against the prediction K/N. */
export interface SampleComplexityResult {
  dim: number;
  lambda: number;
  limit: { rewardAlignment: number };
  rows: SampleComplexityRow[];
  rate: {
    /** Least-squares slope of log(angle error) on log N (theory: −1). */
    slopeN: number;
    /** K = exp(intercept): angle error ≈ K·N^slope. */
    constant: number;
    /** Theory's K for slope −1: tr(P⊥ F⁻¹ P⊥)/(2λ²), F the per-pair Fisher information at ŵ = λ v_c. */
    predictedConstant: number | null;
    /** g(λ) = 4λ²E[σ'(λ√2 m Z)] (m² = v_cᵀΣv_c): with Σ = I the prediction is (d − 1)/(N·g(λ)). */
    efficiency: number;
    /** C in 1 − cos(ŵ, v_c) ≈ C·(d − 1)/(N·g(λ)), fitted with the slope fixed at −1 (geometric mean of error·N·g/(d − 1)); theory: 1 when Σ = I. */
    normalizedConstant: number;
  };
}

/**
 * The Fisher information per pair of the logistic reward model at its limit ŵ = λ v_c, D ~ N(0, 2Σ):
 * F = E[s t²]/m⁴ (Σv_c)(Σv_c)ᵀ + E[s]·(2Σ − 2(Σv_c)(Σv_c)ᵀ/m²), s = σ'(λt), t = <v_c, D> ~ N(0, 2m²)
 * (D splits into its regression on t and an independent residual). Returns tr(P⊥F⁻¹P⊥)/(2λ²) — the first-order
 * constant K in E[1 − cos(ŵ, v_c)] ≈ K/N — and E[s].
 */
export function predictedAngleConstant(geometry: Geometry, lambda: number): { constant: number; meanWeight: number } {
  const d = geometry.dim;
  const model = responseModel(d, geometry.covariance);
  const vc = judgeDirection(geometry.constitution);
  const svc = applySigma(model, vc);
  let m2 = 0;
  for (let j = 0; j < d; j++) m2 += svc[j] * vc[j];
  const k = lambda * Math.sqrt(2 * m2);
  const weight = (u: number): number => {
    const p = logistic(k * u);
    return p * (1 - p) * normalPdf(u);
  };
  const es = integrate(weight, -12, 0, 1e-13).value + integrate(weight, 0, 12, 1e-13).value;
  const est2 = 2 * m2 * (integrate((u) => u * u * weight(u), -12, 0, 1e-13).value + integrate((u) => u * u * weight(u), 0, 12, 1e-13).value);
  const f = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const sigma = model.sigma ? model.sigma.data[i * d + j] : i === j ? 1 : 0;
      f[i * d + j] = (est2 / (m2 * m2)) * svc[i] * svc[j] + es * (2 * sigma - (2 * svc[i] * svc[j]) / m2);
    }
  }
  const chol = cholesky({ rows: d, cols: d, data: f });
  if (!chol) throw new Error('predictedAngleConstant: Fisher information is not positive-definite');
  let trace = 0;
  for (let i = 0; i < d; i++) {
    const e = new Float64Array(d);
    e[i] = 1;
    trace += choleskySolve(chol, e)[i];
  }
  const fvc = choleskySolve(chol, vc);
  let quad = 0;
  for (let j = 0; j < d; j++) quad += vc[j] * fvc[j];
  return { constant: (trace - quad) / (2 * lambda * lambda), meanWeight: es };
}

/** Fits the reward model `seeds` times at every N of the grid and fits the rate. */
export function runSampleComplexity(geometry: Geometry, options: SampleComplexityOptions): SampleComplexityResult {
  const d = geometry.dim;
  const model = responseModel(d, geometry.covariance);
  const vc = judgeDirection(geometry.constitution);
  const ac = judgeAlignment(geometry);
  const prediction = options.positionBias === 0 ? predictedAngleConstant(geometry, options.lambda) : null;
  const rows: SampleComplexityRow[] = options.grid.map((n) => {
    const alignments = new Float64Array(options.seeds);
    const errors = new Float64Array(options.seeds);
    for (let s = 0; s < options.seeds; s++) {
      const seed = deriveSeed(options.seed, 10, n, s);
      const pairs = samplePairs(model, n, createNormalSource(createRng(deriveSeed(seed, 1))));
      const judged = judgePairs(pairs, vc, { lambda: options.lambda, positionBias: options.positionBias, debias: options.debias }, createRng(deriveSeed(seed, 2)));
      const fit = fitReward(pairs.diff, n, d, judged.labels, { l2: options.l2 });
      alignments[s] = sigmaCos(fit.w, geometry.trueValue, geometry.covariance);
      errors[s] = 1 - sigmaCos(fit.w, vc);
    }
    const t = options.seeds > 1 ? tQuantile(options.seeds - 1, options.level) : NaN;
    const a = meanSd(alignments);
    const e = meanSd(errors);
    const ha = (t * a.sd) / Math.sqrt(options.seeds);
    const he = (t * e.sd) / Math.sqrt(options.seeds);
    const predicted = prediction ? prediction.constant / n : null;
    return {
      pairs: n,
      rewardAlignment: a.mean,
      rewardAlignmentInterval: [a.mean - ha, a.mean + ha],
      angleError: e.mean,
      angleErrorInterval: [e.mean - he, e.mean + he],
      predictedAngleError: predicted,
      within: predicted === null || options.seeds < 2 ? null : predicted >= e.mean - he && predicted <= e.mean + he,
    };
  });
  // Least squares of log(angle error) on log N.
  const xs = rows.map((r) => Math.log(r.pairs));
  const ys = rows.map((r) => Math.log(r.angleError));
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const meanWeight = prediction?.meanWeight ?? predictedAngleConstant(geometry, options.lambda).meanWeight;
  const efficiency = 4 * options.lambda * options.lambda * meanWeight;
  return {
    dim: d,
    lambda: options.lambda,
    limit: { rewardAlignment: ac },
    rows,
    rate: {
      slopeN: slope,
      constant: Math.exp(my - slope * mx),
      predictedConstant: prediction ? prediction.constant : null,
      efficiency,
      normalizedConstant: Math.exp(rows.reduce((acc, r) => acc + Math.log((r.angleError * r.pairs * efficiency) / Math.max(1, d - 1)), 0) / rows.length),
    },
  };
}
