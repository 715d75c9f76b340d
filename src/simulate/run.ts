// `runSimulation`: the whole RLAIF pipeline of THEORY.md by sampling, every measured quantity next to the theory's prediction.
import { createRng, deriveSeed, sigmaCos, type Vector } from '../linalg/index.js';
import { generationAlignment, judgeAlignment, judgeDirection, pathPoint, valueFunctionAgreement, type Geometry } from '../theory/index.js';
import { judgePairs } from './judge.js';
import { createNormalSource } from './normal.js';
import { fitReward } from './reward-fit.js';
import { weightedGrams } from './gemm.js';
import { rowDots, transposeTimes } from './kernels.js';
import { applySigma, fillResponses, responseModel, samplePairs, sampleResponses, solveSigma, type ResponseModel } from './sampler.js';
import { basicInterval, biasedJudgeAgreement, maxNormalMoments, meanEstimate, meanSd, normalQuantile, tQuantile, within, type Estimate } from './stats.js';
import { drawGaussian, rewardCovariance } from './uncertainty.js';
import { applyValue, expectedValueFromMoments, expectedValueGaussian, theoryValueFunction, valueFunctionName, type ValueFunctionSpec } from './value-function.js';

/** The optimisers the simulator runs on the fitted reward. */
export type OptimizerName = 'tilt' | 'best-of-n' | 'pg';

/** Everything a simulation depends on besides the geometry; `defaultSimulateOptions` gives each a value. */
export interface SimulateOptions {
  /** Seed of every random stream (each component draws from its own stream derived from it). */
  seed: number;
  /** Number of AI-labelled pairs for the reward fit. */
  pairs: number;
  /** Judge temperature λ: P(φ1 ≻ φ2) = σ(λ<v_c, φ1 − φ2> + b). */
  lambda: number;
  /** Position bias b: extra logit for the response shown first (0: none). */
  positionBias: number;
  /** Judge each pair in both orders and average (cancels the position bias in expectation). */
  debias: boolean;
  /** L2 penalty of the reward fit. */
  l2: number;
  /** The true value of a response: f(<v*, φ>). */
  valueFunction: ValueFunctionSpec;
  /** Which optimisers to run. */
  optimizers: OptimizerName[];
  /** η grid of the tilt and the policy gradient; null: the geometry's `eta`. */
  eta: number[] | null;
  /** Responses sampled from each tilted policy. */
  policySamples: number;
  /** n grid of best-of-n. */
  bestOfN: number[];
  /** Rounds (selected responses) per n. */
  bestOfNRounds: number;
  /** Policy gradient: independent chains, steps per chain, responses per step, step size (natural gradient). */
  pgChains: number;
  pgSteps: number;
  pgBatch: number;
  pgLearningRate: number;
  /** Parametric-bootstrap draws of ŵ behind every interval that depends on the fitted reward. */
  bootstrap: number;
  /** Confidence level of every interval (0.95: 95%). */
  level: number;
}

/**
 * The ranges the simulator accepts (the CLI's flags and the sweep spec's `simulate:` block use these): sizes that
 * keep a run finite in time and memory, and magnitudes whose products stay finite doubles.
 */
export const SIMULATE_LIMITS = {
  pairs: { min: 10, max: 10_000_000 },
  policySamples: { min: 2, max: 10_000_000 },
  bootstrap: { min: 20, max: 1_000_000 },
  bestOfN: { min: 1, max: 10_000 },
  bestOfNRounds: { min: 2, max: 10_000_000 },
  lambda: { max: 1e6 },
  l2: { min: 0, max: 1e6 },
  positionBias: { maxAbs: 1e3 },
  eta: { min: 0, max: 1e6 },
  /**
   * Smallest largest-diagonal entry of Σ (the responses' largest variance): below it the reward fit's gradient
   * at ŵ = 0 is already under its tolerance, ŵ stays 0 and no alignment can be measured.
   */
  covarianceScale: { min: 1e-4 },
} as const;

/** Defaults: 20,000 pairs, λ = 2, no position bias, l2 = 1e-3, linear values, all three optimisers, 95% intervals. */
export const defaultSimulateOptions: SimulateOptions = {
  seed: 1,
  pairs: 20_000,
  lambda: 2,
  positionBias: 0,
  debias: false,
  l2: 1e-3,
  valueFunction: { kind: 'linear' },
  optimizers: ['tilt', 'best-of-n', 'pg'],
  eta: null,
  policySamples: 4000,
  bestOfN: [1, 2, 4, 8, 16, 32],
  bestOfNRounds: 2000,
  pgChains: 4,
  pgSteps: 300,
  pgBatch: 32,
  pgLearningRate: 0.1,
  bootstrap: 400,
  level: 0.95,
};

/** One measured quantity against its prediction. */
export interface Check {
  quantity: string;
  measured: number;
  low: number;
  high: number;
  predicted: number;
  within: boolean;
}

/** Measured and predicted alignment and expected true value of one optimised policy. */
export interface PolicyComparison {
  measured: { alignment: number; expectedValue: number };
  interval: { alignment: [number, number]; expectedValue: [number, number] };
  predicted: { alignment: number; expectedValue: number };
  within: { alignment: boolean; expectedValue: boolean };
}

/** The exact tilt on the fitted reward at one η. */
export type PathEntry = { eta: number } & PolicyComparison;

/** Best-of-n at one n; `gain` = E[max of n standard normals], the selection's shift in reward standard deviations. */
export type BestOfNEntry = { n: number; gain: number; equivalentEta: number } & PolicyComparison;

/** The KL-penalised policy gradient at one η; `distanceToTilt` = ||θ_PG − θ̂(η)|| / max(1, ||θ̂(η)||) (chain mean). */
export type PolicyGradientEntry = { eta: number; distanceToTilt: number } & PolicyComparison;

/** Seconds spent in each stage of a run, keyed as in ../shared/bench/numpy_simulate_ref.py (`pairs+judge`, `fit`, ...). */
export type StageTimings = Record<string, number>;

/** What `lvh simulate --json` prints. */
export interface SimulationResult {
  geometry: { dim: number; constitution: string; covariance: boolean };
  options: SimulateOptions;
  measured: { judgeAgreement: number; rewardAlignment: number; rewardJudgeCosine: number };
  intervals: { judgeAgreement: [number, number]; rewardAlignment: [number, number] };
  predicted: {
    judgeAgreement: number;
    rewardAlignment: number;
    /** The λ → ∞ agreement 1 − arccos(a_c)/π (with f ignored): the linear model's headline number. */
    judgeAgreementLinear: number;
    generationAlignment: number;
  };
  rewardFit: { iterations: number; passes: number; gradNorm: number; tolerance: number; converged: boolean; weights: number[] };
  valueFunction: {
    kind: string;
    measuredAgreement: number;
    interval: [number, number];
    predictedAgreement: number;
    /** The agreement the linear value function would give with the same judge (finite λ). */
    linearPrediction: number;
    /** linearPrediction − measuredAgreement: how far f pulls agreement below the linear prediction. */
    shortfall: number;
    /** Chance that the pair sits where f reverses the linear order (0 for monotone f). */
    flipProbability: number;
  };
  path: PathEntry[];
  bestOfN: BestOfNEntry[];
  policyGradient: PolicyGradientEntry[];
  checks: Check[];
  /** The quantities whose prediction falls outside the measured interval. */
  outside: string[];
  /** Expected number of checks outside by chance alone: (1 − level) · checks. */
  expectedOutsideByChance: number;
}

/** What the optimisers share: the geometry's vectors, the response model, the fitted reward and its bootstrap draws. */
interface Context {
  geometry: Geometry;
  model: ResponseModel;
  vStar: Vector;
  vc: Vector;
  g: Vector;
  f: ValueFunctionSpec;
  w: Float64Array;
  draws: Float64Array[];
  /** ŵ_b/||ŵ_b|| and cosS(ŵ_b, v*) per draw, computed once for every η and n. */
  drawUnits: Float64Array[];
  drawAlignments: Float64Array;
  /** sd of <v*, φ> for one response: √(v*ᵀΣv*). */
  valueSd: number;
  options: SimulateOptions;
}

function unit(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const n = Math.sqrt(s);
  const out = new Float64Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] / n;
  return out;
}

function dotv(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** <x[offset .. offset + d), v>, summed in the order of `dotv`. */
function dotRow(x: Float64Array, offset: number, v: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[offset + j] * v[j];
  return s;
}

function cosS(ctx: Context, a: ArrayLike<number>, b: ArrayLike<number>): number {
  return sigmaCos(a, b, ctx.geometry.covariance);
}

/** θ = g + η·u. */
function tilt(g: Vector, eta: number, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(g.length);
  for (let j = 0; j < g.length; j++) out[j] = g[j] + eta * u[j];
  return out;
}

/** Column means of a count × d row-major array. */
function columnMeans(x: Float64Array, count: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) m[j] += x[i * d + j];
  for (let j = 0; j < d; j++) m[j] /= count;
  return m;
}

function compare(measured: { alignment: Estimate; expectedValue: Estimate }, predicted: { alignment: number; expectedValue: number }): PolicyComparison {
  return {
    measured: { alignment: measured.alignment.value, expectedValue: measured.expectedValue.value },
    interval: { alignment: [measured.alignment.low, measured.alignment.high], expectedValue: [measured.expectedValue.low, measured.expectedValue.high] },
    predicted,
    within: { alignment: within(measured.alignment, predicted.alignment), expectedValue: within(measured.expectedValue, predicted.expectedValue) },
  };
}

/** The theory's prediction for the tilt θ(η) = g + η v_c: A(η) and E f(<v*, φ>) under the tilted policy. */
function predictTilt(ctx: Context, eta: number): { alignment: number; expectedValue: number } {
  const point = pathPoint(ctx.geometry, eta);
  return { alignment: point.alignment, expectedValue: expectedValueGaussian(ctx.f, point.expectedValue, ctx.valueSd) };
}

/**
 * The exact tilt on the fitted reward, θ̂(η) = g + η ŵ/||ŵ||, measured from `policySamples` responses: alignment
 * cosS(Σ⁻¹ φ̄, v*) of the sample mean's natural parameter, and the mean true value f(<v*, φ>). Interval: basic
 * parametric bootstrap over both error sources, ŵ_b ~ N(ŵ, sandwich) and the sample mean ~ N(Σθ_b, Σ/M).
 */
function measureTilt(ctx: Context, eta: number, index: number): PathEntry {
  const { model, g, vStar, f, options } = ctx;
  const d = model.dim;
  const m = options.policySamples;
  const theta = tilt(g, eta, unit(ctx.w));
  const normals = createNormalSource(createRng(deriveSeed(options.seed, 4, index)));
  const phi = sampleResponses(model, theta, m, normals);
  const values = new Float64Array(m);
  for (let i = 0; i < m; i++) values[i] = applyValue(f, dotRow(phi, i * d, vStar, d));
  const alignment = cosS(ctx, solveSigma(model, columnMeans(phi, m, d)), vStar);
  const value = meanSd(values);
  const sigmaVStar = applySigma(model, vStar);
  // Bootstrap world: truth is the fitted reward's tilt θ̂(η); each draw refits (ŵ_b) and resamples the mean.
  const boot = createNormalSource(createRng(deriveSeed(options.seed, 7, index)));
  const aDraws = new Float64Array(ctx.draws.length);
  const vDraws = new Float64Array(ctx.draws.length);
  const noise = new Float64Array(d);
  ctx.drawUnits.forEach((ub, b) => {
    const thetaB = tilt(g, eta, ub);
    const meanB = applySigma(model, thetaB);
    boot.fill(noise, 0, d, 1 / Math.sqrt(m));
    const shift = model.chol ? lowerTimes(model, noise) : noise;
    for (let j = 0; j < d; j++) meanB[j] += shift[j];
    aDraws[b] = cosS(ctx, solveSigma(model, meanB), vStar);
    vDraws[b] = expectedValueGaussian(f, dotv(sigmaVStar, thetaB), ctx.valueSd) + (value.sd / Math.sqrt(m)) * boot.next();
  });
  const centerA = cosS(ctx, theta, vStar);
  const centerV = expectedValueGaussian(f, dotv(sigmaVStar, theta), ctx.valueSd);
  return {
    eta,
    ...compare(
      { alignment: basicInterval(alignment, centerA, aDraws, options.level), expectedValue: basicInterval(value.mean, centerV, vDraws, options.level) },
      predictTilt(ctx, eta),
    ),
  };
}

function lowerTimes(model: ResponseModel, z: Float64Array): Float64Array {
  const d = model.dim;
  const l = model.chol!.data;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * d + k] * z[k];
    out[i] = s;
  }
  return out;
}

// Lᵀ v (L the lower Cholesky factor of Σ).
function lowerTransposeTimes(model: ResponseModel, v: ArrayLike<number>): Float64Array {
  const d = model.dim;
  const l = model.chol!.data;
  const out = new Float64Array(d);
  for (let k = 0; k < d; k++) for (let i = 0; i <= k; i++) out[i] += l[k * d + i] * v[k];
  return out;
}

/** Moments of W = aR + √(1 − a²)Z, R the max of n standard normals (moments r), Z an independent standard normal. */
function selectionMoments(a: number, r: [number, number, number]): [number, number, number] {
  const b2 = Math.max(0, 1 - a * a);
  return [a * r[0], a * a * r[1] + b2, a ** 3 * r[2] + 3 * a * b2 * r[0]];
}

/**
 * Best-of-n on the fitted reward: each round draws n responses of the base policy and keeps the one with the
 * highest <ŵ, φ>. Theory (Gaussian responses): the kept response's reward is the max of n, E = e_n reward sds, and
 * E[φ | reward] is linear in the reward, so the kept mean is Σg + e_n Σv_c/√(v_cᵀΣv_c) — the tilt at
 * η_n = e_n/√(v_cᵀΣv_c) — and its true value is <v*, Σg> + s·(a_c R + √(1 − a_c²) Z) (s² = v*ᵀΣv*), whose
 * mean under f follows from the moments of R (numerical integration). Interval: basic parametric bootstrap over
 * ŵ_b and the mean of the kept responses (their sample covariance / rounds).
 */
function measureBestOfN(ctx: Context, n: number, index: number): BestOfNEntry {
  const { model, g, vStar, f, options, geometry } = ctx;
  const d = model.dim;
  const rounds = options.bestOfNRounds;
  const normals = createNormalSource(createRng(deriveSeed(options.seed, 5, index)));
  const kept = new Float64Array(rounds * d);
  const values = new Float64Array(rounds);
  const phi = new Float64Array(n * d);
  const baseMean = applySigma(model, g);
  for (let r = 0; r < rounds; r++) {
    fillResponses(model, baseMean, n, normals, phi);
    let best = 0;
    let bestReward = -Infinity;
    for (let i = 0; i < n; i++) {
      const reward = dotRow(phi, i * d, ctx.w, d);
      if (reward > bestReward) {
        bestReward = reward;
        best = i;
      }
    }
    for (let j = 0; j < d; j++) kept[r * d + j] = phi[best * d + j];
    values[r] = applyValue(f, dotRow(phi, best * d, vStar, d));
  }
  const keptMean = columnMeans(kept, rounds, d);
  const alignment = cosS(ctx, solveSigma(model, keptMean), vStar);
  const value = meanSd(values);
  const moments = maxNormalMoments(n);
  const gain = moments[0];
  const sigmaG = applySigma(model, g);
  const baseValueMean = dotv(sigmaG, vStar);
  // The mean the kept responses would have with reward direction u: Σg + e_n Σu/√(uᵀΣu).
  const keptMeanFor = (u: ArrayLike<number>): Float64Array => {
    const su = applySigma(model, u);
    const scale = gain / Math.sqrt(dotv(su, u));
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = sigmaG[j] + scale * su[j];
    return out;
  };
  // Noise of the mean of the kept responses: their sample covariance / rounds (the kept rows centred in place).
  for (let r = 0; r < rounds; r++) for (let j = 0; j < d; j++) kept[r * d + j] -= keptMean[j];
  const [cov] = weightedGrams(kept, rounds, d, [new Float64Array(rounds).fill(1 / ((rounds - 1) * rounds))]);
  const boot = createNormalSource(createRng(deriveSeed(options.seed, 8, index)));
  const meanNoise = drawGaussian(new Float64Array(d), { rows: d, cols: d, data: cov }, ctx.draws.length, boot);
  const aDraws = new Float64Array(ctx.draws.length);
  const vDraws = new Float64Array(ctx.draws.length);
  ctx.draws.forEach((wb, b) => {
    const meanB = keptMeanFor(wb);
    for (let j = 0; j < d; j++) meanB[j] += meanNoise[b][j];
    aDraws[b] = cosS(ctx, solveSigma(model, meanB), vStar);
    const rho = ctx.drawAlignments[b];
    vDraws[b] = expectedValueFromMoments(f, baseValueMean, ctx.valueSd, selectionMoments(rho, moments)) + (value.sd / Math.sqrt(rounds)) * boot.next();
  });
  const centerA = cosS(ctx, solveSigma(model, keptMeanFor(ctx.w)), vStar);
  const centerV = expectedValueFromMoments(f, baseValueMean, ctx.valueSd, selectionMoments(cosS(ctx, ctx.w, vStar), moments));
  const m2 = dotv(applySigma(model, ctx.vc), ctx.vc);
  const equivalentEta = gain / Math.sqrt(m2);
  const ac = judgeAlignment(geometry);
  return {
    n,
    gain,
    equivalentEta,
    ...compare(
      { alignment: basicInterval(alignment, centerA, aDraws, options.level), expectedValue: basicInterval(value.mean, centerV, vDraws, options.level) },
      {
        alignment: pathPoint(geometry, equivalentEta).alignment,
        expectedValue: expectedValueFromMoments(f, baseValueMean, ctx.valueSd, selectionMoments(ac, moments)),
      },
    ),
  };
}

/**
 * KL-penalised policy gradient: the policy N(Σθ, Σ) starts at θ = g and maximises E[η<û, φ>] − KL(π_θ || π_0)
 * (reward κ<û, φ> with κ = η, KL weight β = 1, û = ŵ/||ŵ||; KL = ½(θ − g)ᵀΣ(θ − g) in closed form). Each step
 * samples `pgBatch` responses φ = Σθ + Lz and takes a natural-gradient step (Fisher = Σ):
 * θ ← θ + lr·(Ĉov(r, L⁻ᵀz) − (θ − g)), the REINFORCE estimate with the batch-mean baseline (divided by B − 1,
 * so it is unbiased). Its fixed point is the exact tilt θ̂(η) = g + η û. The reported θ is the Polyak average of
 * the second half of the steps, per chain. Interval: the chains' spread (Student t) added to the basic bootstrap
 * interval of the fitted-reward tilt over ŵ_b.
 */
function measurePolicyGradient(ctx: Context, eta: number, index: number): PolicyGradientEntry {
  const { model, g, vStar, f, options } = ctx;
  const d = model.dim;
  const u = unit(ctx.w);
  const { pgChains: chains, pgSteps: steps, pgBatch: batch, pgLearningRate: lr } = options;
  const sigmaVStar = applySigma(model, vStar);
  const target = tilt(g, eta, u);
  const chainAlignment = new Float64Array(chains);
  const chainValue = new Float64Array(chains);
  let distance = 0;
  const z = new Float64Array(batch * d);
  const rewards = new Float64Array(batch);
  const zDots = new Float64Array(batch);
  const centred = new Float64Array(batch);
  const covRz = new Float64Array(d);
  const sigmaU = applySigma(model, u);
  const cholTU = model.chol ? lowerTransposeTimes(model, u) : u;
  for (let c = 0; c < chains; c++) {
    const normals = createNormalSource(createRng(deriveSeed(options.seed, 6, index, c)));
    const theta = Float64Array.from(g);
    const average = new Float64Array(d);
    let averaged = 0;
    for (let t = 0; t < steps; t++) {
      normals.fill(z, 0, batch * d);
      // r_i = η<û, Σθ + L z_i> = η(<Σû, θ> + <Lᵀû, z_i>): two d-vectors fixed for the whole run, no d² per step.
      const rewardBase = dotv(sigmaU, theta);
      rowDots(z, batch, d, cholTU, zDots);
      let rewardMean = 0;
      for (let i = 0; i < batch; i++) {
        rewards[i] = eta * (rewardBase + zDots[i]);
        rewardMean += rewards[i] / batch;
      }
      // Ĉov(r, z), then L⁻ᵀ: the natural gradient of E[r] is Σ⁻¹ Cov(r, φ) = L⁻ᵀ Cov(r, z).
      for (let i = 0; i < batch; i++) centred[i] = (rewards[i] - rewardMean) / (batch - 1);
      transposeTimes(z, batch, d, centred, covRz);
      const natural = model.chol ? upperSolve(model, covRz) : covRz;
      for (let j = 0; j < d; j++) theta[j] += lr * (natural[j] - (theta[j] - g[j]));
      if (t >= steps / 2) {
        for (let j = 0; j < d; j++) average[j] += theta[j];
        averaged++;
      }
    }
    for (let j = 0; j < d; j++) average[j] /= averaged;
    chainAlignment[c] = cosS(ctx, average, vStar);
    chainValue[c] = expectedValueGaussian(f, dotv(sigmaVStar, average), ctx.valueSd);
    let diff = 0;
    for (let j = 0; j < d; j++) diff += (average[j] - target[j]) ** 2;
    distance += Math.sqrt(diff) / Math.max(1, Math.sqrt(dotv(target, target))) / chains;
  }
  // The fitted reward's own uncertainty: the bootstrap law of the tilt's alignment and value over ŵ_b.
  const aDraws = new Float64Array(ctx.draws.length);
  const vDraws = new Float64Array(ctx.draws.length);
  ctx.drawUnits.forEach((ub, b) => {
    const thetaB = tilt(g, eta, ub);
    aDraws[b] = cosS(ctx, thetaB, vStar);
    vDraws[b] = expectedValueGaussian(f, dotv(sigmaVStar, thetaB), ctx.valueSd);
  });
  const widen = (values: Float64Array, draws: Float64Array, center: number): Estimate => {
    const { mean, sd } = meanSd(values);
    const half = chains > 1 ? (tQuantile(chains - 1, options.level) * sd) / Math.sqrt(chains) : 0;
    const basic = basicInterval(mean, center, draws, options.level);
    return { value: mean, low: basic.low - half, high: basic.high + half };
  };
  return {
    eta,
    distanceToTilt: distance,
    ...compare(
      {
        alignment: widen(chainAlignment, aDraws, cosS(ctx, target, vStar)),
        expectedValue: widen(chainValue, vDraws, expectedValueGaussian(f, dotv(sigmaVStar, target), ctx.valueSd)),
      },
      predictTilt(ctx, eta),
    ),
  };
}

// Solves Lᵀ x = b (L the lower Cholesky factor of Σ).
function upperSolve(model: ResponseModel, b: Float64Array): Float64Array {
  const d = model.dim;
  const l = model.chol!.data;
  const x = Float64Array.from(b);
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

/**
 * Runs the pipeline on a geometry: sample pairs from the base policy, label them with the AI judge and the true
 * values, fit the reward model, optimise the policy with each chosen optimiser, and put every measurement (with
 * its interval) next to the theory's prediction. Pure and deterministic given `options.seed`; prints nothing.
 */
export function runSimulation(geometry: Geometry, options: Partial<SimulateOptions> = {}, timings?: StageTimings): SimulationResult {
  const opts: SimulateOptions = { ...defaultSimulateOptions, ...options };
  validateOptions(opts);
  let clock = performance.now();
  const lap = (stage: string): void => {
    const now = performance.now();
    if (timings) timings[stage] = (timings[stage] ?? 0) + (now - clock) / 1000;
    clock = now;
  };
  const d = geometry.dim;
  const model = responseModel(d, geometry.covariance);
  const vStar = geometry.trueValue;
  const vc = judgeDirection(geometry.constitution);
  const g = geometry.generation;
  const f = opts.valueFunction;
  const sigmaVStar = applySigma(model, vStar);
  const valueSd = Math.sqrt(dotv(sigmaVStar, vStar));
  const judgeSd = Math.sqrt(dotv(applySigma(model, vc), vc));
  const zLevel = normalQuantile(0.5 + opts.level / 2);

  // 1. Pairs from the base policy, judged by the AI (along v_c) and by the true values (along v*, through f).
  const pairs = samplePairs(model, opts.pairs, createNormalSource(createRng(deriveSeed(opts.seed, 1))), { trueValue: vStar, theta: g });
  const judged = judgePairs(pairs, vc, { lambda: opts.lambda, positionBias: opts.positionBias, debias: opts.debias }, createRng(deriveSeed(opts.seed, 2)));
  const agreement = new Float64Array(opts.pairs);
  for (let i = 0; i < opts.pairs; i++) {
    const t = dotRow(pairs.diff, i * d, vStar, d);
    const sum = pairs.valueSum![i];
    // <v*, φ1> = (sum + t)/2, <v*, φ2> = (sum − t)/2.
    const first = applyValue(f, (sum + t) / 2);
    const second = applyValue(f, (sum - t) / 2);
    const y = judged.labels[i];
    agreement[i] = first > second ? y : first < second ? 1 - y : 0.5;
  }
  const judgeAgreement = meanEstimate(agreement, opts.pairs, zLevel);
  lap('pairs+judge');

  // 2. The reward model and its uncertainty.
  const fit = fitReward(pairs.diff, opts.pairs, d, judged.labels, { l2: opts.l2 });
  lap('fit');
  const covariance = rewardCovariance(pairs.diff, opts.pairs, d, judged.labels, fit.w, opts.l2);
  const draws = drawGaussian(fit.w, covariance, opts.bootstrap, createNormalSource(createRng(deriveSeed(opts.seed, 3))));
  const drawAlignments = Float64Array.from(draws, (wb) => sigmaCos(wb, vStar, geometry.covariance));
  const ctx: Context = { geometry, model, vStar, vc, g, f, w: fit.w, draws, drawUnits: draws.map(unit), drawAlignments, valueSd, options: opts };
  const rewardAlignmentValue = cosS(ctx, fit.w, vStar);
  const rewardAlignment = basicInterval(
    rewardAlignmentValue,
    rewardAlignmentValue,
    drawAlignments,
    opts.level,
  );
  lap('covariance+draws');

  // 3. Predictions.
  const ac = judgeAlignment(geometry);
  const linearAgreement = biasedJudgeAgreement(ac, opts.lambda, Math.SQRT2 * judgeSd, opts.positionBias);
  const vf = valueFunctionAgreement(
    { valueMean: dotv(sigmaVStar, g), valueStd: valueSd, judgeStd: judgeSd, correlation: ac, lambda: opts.lambda },
    theoryValueFunction(f),
  );
  // The theory's flip formula holds for any judge that sees only φ1 − φ2, so it carries the position bias too.
  const predictedAgreement = vf.flipProbability * (1 - linearAgreement) + (1 - vf.flipProbability) * linearAgreement;

  // 4. Optimisers.
  const etas = opts.eta ?? geometry.eta;
  const path = opts.optimizers.includes('tilt') ? etas.map((eta, i) => measureTilt(ctx, eta, i)) : [];
  lap('tilt');
  const bestOfN = opts.optimizers.includes('best-of-n') ? opts.bestOfN.map((n, i) => measureBestOfN(ctx, n, i)) : [];
  lap('best-of-n');
  const policyGradient = opts.optimizers.includes('pg') ? etas.map((eta, i) => measurePolicyGradient(ctx, eta, i)) : [];
  lap('pg');

  // 5. Checks.
  const checks: Check[] = [];
  const add = (quantity: string, e: Estimate, predicted: number): void => {
    checks.push({ quantity, measured: e.value, low: e.low, high: e.high, predicted, within: within(e, predicted) });
  };
  add('judgeAgreement', judgeAgreement, predictedAgreement);
  add('rewardAlignment', rewardAlignment, ac);
  const addPolicy = (label: string, c: PolicyComparison): void => {
    checks.push({ quantity: `${label}.alignment`, measured: c.measured.alignment, low: c.interval.alignment[0], high: c.interval.alignment[1], predicted: c.predicted.alignment, within: c.within.alignment });
    checks.push({ quantity: `${label}.expectedValue`, measured: c.measured.expectedValue, low: c.interval.expectedValue[0], high: c.interval.expectedValue[1], predicted: c.predicted.expectedValue, within: c.within.expectedValue });
  };
  for (const p of path) addPolicy(`tilt[eta=${p.eta}]`, p);
  for (const b of bestOfN) addPolicy(`bestOfN[n=${b.n}]`, b);
  for (const p of policyGradient) addPolicy(`pg[eta=${p.eta}]`, p);

  return {
    geometry: { dim: d, constitution: geometry.constitution.name, covariance: geometry.covariance !== undefined },
    options: opts,
    measured: { judgeAgreement: judgeAgreement.value, rewardAlignment: rewardAlignmentValue, rewardJudgeCosine: cosS(ctx, fit.w, vc) },
    intervals: { judgeAgreement: [judgeAgreement.low, judgeAgreement.high], rewardAlignment: [rewardAlignment.low, rewardAlignment.high] },
    predicted: {
      judgeAgreement: predictedAgreement,
      rewardAlignment: ac,
      judgeAgreementLinear: 1 - Math.acos(Math.max(-1, Math.min(1, ac))) / Math.PI,
      generationAlignment: generationAlignment(geometry),
    },
    rewardFit: { iterations: fit.iterations, passes: fit.passes, gradNorm: fit.gradNorm, tolerance: fit.tolerance, converged: fit.converged, weights: Array.from(fit.w) },
    valueFunction: {
      kind: valueFunctionName(f),
      measuredAgreement: judgeAgreement.value,
      interval: [judgeAgreement.low, judgeAgreement.high],
      predictedAgreement,
      linearPrediction: linearAgreement,
      shortfall: linearAgreement - judgeAgreement.value,
      flipProbability: vf.flipProbability,
    },
    path,
    bestOfN,
    policyGradient,
    checks,
    outside: checks.filter((c) => !c.within).map((c) => c.quantity),
    expectedOutsideByChance: (1 - opts.level) * checks.length,
  };
}

/** Throws on options no simulation can run with (the CLI validates flags before, naming them). */
function validateOptions(o: SimulateOptions): void {
  const bad = (field: string, why: string): never => {
    throw new Error(`runSimulation: options.${field} ${why}`);
  };
  const L = SIMULATE_LIMITS;
  const intIn = (x: number, r: { min: number; max: number }): boolean => Number.isInteger(x) && x >= r.min && x <= r.max;
  if (!intIn(o.pairs, L.pairs)) bad('pairs', `must be an integer in [${L.pairs.min}, ${L.pairs.max}]`);
  if (!(o.lambda > 0 && o.lambda <= L.lambda.max)) bad('lambda', `must be a number in (0, ${L.lambda.max}]`);
  if (!(Math.abs(o.positionBias) <= L.positionBias.maxAbs)) bad('positionBias', `must be a number in [-${L.positionBias.maxAbs}, ${L.positionBias.maxAbs}]`);
  if (!(o.l2 >= L.l2.min && o.l2 <= L.l2.max)) bad('l2', `must be a number in [${L.l2.min}, ${L.l2.max}]`);
  if (!(o.level > 0 && o.level < 1)) bad('level', 'must be in (0, 1)');
  if (!intIn(o.policySamples, L.policySamples)) bad('policySamples', `must be an integer in [${L.policySamples.min}, ${L.policySamples.max}]`);
  if (!intIn(o.bestOfNRounds, L.bestOfNRounds)) bad('bestOfNRounds', `must be an integer in [${L.bestOfNRounds.min}, ${L.bestOfNRounds.max}]`);
  if (!o.bestOfN.every((n) => intIn(n, L.bestOfN))) bad('bestOfN', `must hold integers in [${L.bestOfN.min}, ${L.bestOfN.max}]`);
  if (!(Number.isInteger(o.pgChains) && o.pgChains >= 1 && Number.isInteger(o.pgSteps) && o.pgSteps >= 2 && Number.isInteger(o.pgBatch) && o.pgBatch >= 2)) {
    bad('pgChains/pgSteps/pgBatch', 'must be integers (>= 1, >= 2, >= 2)');
  }
  if (!(o.pgLearningRate > 0 && o.pgLearningRate <= 1)) bad('pgLearningRate', 'must be in (0, 1]');
  if (!intIn(o.bootstrap, L.bootstrap)) bad('bootstrap', `must be an integer in [${L.bootstrap.min}, ${L.bootstrap.max}]`);
  if (o.eta && !o.eta.every((e) => e >= L.eta.min && e <= L.eta.max)) bad('eta', `must hold numbers in [${L.eta.min}, ${L.eta.max}]`);
}
