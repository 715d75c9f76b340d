// The KL-penalised natural policy gradient on the fitted reward, against the exact tilt it converges to.
import { createRng, deriveSeed } from '../linalg/index.js';
import { compare, cosS, dotv, lowerTransposeTimes, predictTilt, tilt, trueAlignment, unit, type SimulationContext } from './context.js';
import { rowDots, transposeTimes } from './kernels.js';
import { createNormalSource } from './normal.js';
import type { PolicyGradientEntry } from './result.js';
import { applySigma } from './sampler.js';
import { basicInterval, meanSd, tQuantile, type Estimate } from './stats.js';
import { inverseTransposedLower } from './uncertainty.js';
import { expectedValueGaussian } from './value-function.js';

/**
 * KL-penalised policy gradient: the policy N(Σθ, Σ) starts at θ = g and maximises E[η<û, φ>] − KL(π_θ || π_0)
 * (reward κ<û, φ> with κ = η, KL weight β = 1, û = ŵ/||ŵ||; KL = ½(θ − g)ᵀΣ(θ − g) in closed form). Each step
 * samples `pgBatch` responses φ = Σθ + Lz and takes a natural-gradient step (Fisher = Σ):
 * θ ← θ + lr·(Ĉov(r, L⁻ᵀz) − (θ − g)), the REINFORCE estimate with the batch-mean baseline (divided by B − 1,
 * so it is unbiased). Its fixed point is the exact tilt θ̂(η) = g + η û. The reported θ is the Polyak average of
 * the second half of the steps, per chain. Interval: the chains' spread (Student t) added to the basic bootstrap
 * interval of the fitted-reward tilt over ŵ_b.
 */
export function measurePolicyGradient(ctx: SimulationContext, eta: number, index: number): PolicyGradientEntry {
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
  // L⁻ᵀ once (its rows contiguous), so that each step's natural gradient is a product, not a strided solve.
  const lInvT = model.chol ? inverseTransposedLower(model.chol.data, d) : null;
  const naturalBuffer = new Float64Array(d);
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
      const natural = lInvT ? upperTimes(lInvT, d, covRz, naturalBuffer) : covRz;
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
    aDraws[b] = trueAlignment(ctx, thetaB);
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

// out = U x for an upper-triangular row-major U.
function upperTimes(u: Float64Array, d: number, x: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = i; k < d; k++) s += u[i * d + k] * x[k];
    out[i] = s;
  }
  return out;
}
