// Best-of-n on the fitted reward: the kept responses' mean against the tilt at the equivalent η, with its bootstrap interval.
import { createRng, deriveSeed } from '../linalg/index.js';
import { judgeAlignment, pathPoint } from '../theory/index.js';
import { columnMeans, compare, cosS, dotRow, dotv, meanAlignment, type SimulationContext } from './context.js';
import { weightedGrams } from './gemm.js';
import { createNormalSource } from './normal.js';
import type { BestOfNEntry } from './result.js';
import { applySigma, fillResponses, solveSigma } from './sampler.js';
import { basicInterval, maxNormalMoments, meanSd } from './stats.js';
import { drawGaussian } from './uncertainty.js';
import { applyValue, expectedValueFromMoments } from './value-function.js';

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
export function measureBestOfN(ctx: SimulationContext, n: number, index: number): BestOfNEntry {
  const { model, g, vStar, f, options, geometry } = ctx;
  const d = model.dim;
  const rounds = options.bestOfNRounds;
  const normals = createNormalSource(createRng(deriveSeed(options.seed, 5, index)));
  const kept = new Float64Array(rounds * d);
  const values = new Float64Array(rounds);
  const baseMean = applySigma(model, g);
  // Rounds in batches of about 4096 responses: one fill and (Σ ≠ I) one product per batch, the same stream.
  const batch = Math.max(1, Math.min(rounds, Math.floor(4096 / n)));
  const phi = new Float64Array(batch * n * d);
  for (let r0 = 0; r0 < rounds; r0 += batch) {
    const inBatch = Math.min(batch, rounds - r0);
    fillResponses(model, baseMean, inBatch * n, normals, phi);
    for (let r = r0; r < r0 + inBatch; r++) {
      const first = (r - r0) * n;
      let best = first;
      let bestReward = -Infinity;
      for (let i = first; i < first + n; i++) {
        const reward = dotRow(phi, i * d, ctx.w, d);
        if (reward > bestReward) {
          bestReward = reward;
          best = i;
        }
      }
      for (let j = 0; j < d; j++) kept[r * d + j] = phi[best * d + j];
      values[r] = applyValue(f, dotRow(phi, best * d, vStar, d));
    }
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
    aDraws[b] = meanAlignment(ctx, meanB);
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
