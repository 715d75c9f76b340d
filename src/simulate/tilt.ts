// The exact tilt on the fitted reward, θ̂(η) = g + η ŵ/||ŵ||, measured from sampled responses with its bootstrap interval.
import { createRng, deriveSeed } from '../linalg/index.js';
import { columnMeans, compare, cosS, dotRow, dotv, lowerTimes, meanAlignment, predictTilt, tilt, unit, type SimulationContext } from './context.js';
import { createNormalSource } from './normal.js';
import type { PathEntry } from './result.js';
import { applySigma, sampleResponses, solveSigma } from './sampler.js';
import { basicInterval, meanSd } from './stats.js';
import { applyValue, expectedValueGaussian } from './value-function.js';

/**
 * The exact tilt on the fitted reward, θ̂(η) = g + η ŵ/||ŵ||, measured from `policySamples` responses: alignment
 * cosS(Σ⁻¹ φ̄, v*) of the sample mean's natural parameter, and the mean true value f(<v*, φ>). Interval: basic
 * parametric bootstrap over both error sources, ŵ_b ~ N(ŵ, sandwich) and the sample mean ~ N(Σθ_b, Σ/M).
 */
export function measureTilt(ctx: SimulationContext, eta: number, index: number): PathEntry {
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
    aDraws[b] = meanAlignment(ctx, meanB);
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
