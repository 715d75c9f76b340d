// `runSimulation`: the whole RLAIF pipeline of THEORY.md by sampling, every measured quantity next to the theory's prediction.
// The stages live in their own files: sampler and judge, reward-fit, uncertainty (sandwich covariance and draws),
// tilt, best-of-n, policy-gradient; options and result hold the types.
import { createRng, deriveSeed } from '../linalg/index.js';
import { generationAlignment, judgeAlignment, judgeDirection, valueFunctionAgreement, type Geometry } from '../theory/index.js';
import { measureBestOfN } from './best-of-n.js';
import { cosS, dotRow, dotv, trueAlignment, unit, type SimulationContext } from './context.js';
import { judgePairs } from './judge.js';
import { createNormalSource } from './normal.js';
import { defaultSimulateOptions, validateSimulateOptions, type SimulateOptions } from './options.js';
import { measurePolicyGradient } from './policy-gradient.js';
import type { Check, PolicyComparison, SimulationResult, StageTimings } from './result.js';
import { fitReward } from './reward-fit.js';
import { applySigma, responseModel, samplePairs } from './sampler.js';
import { basicInterval, biasedJudgeAgreement, meanEstimate, normalQuantile, within, type Estimate } from './stats.js';
import { measureTilt } from './tilt.js';
import { drawGaussian, rewardCovariance } from './uncertainty.js';
import { applyValue, theoryValueFunction, valueFunctionName } from './value-function.js';

export * from './options.js';
export * from './result.js';

/**
 * Runs the pipeline on a geometry: sample pairs from the base policy, label them with the AI judge and the true
 * values, fit the reward model, optimise the policy with each chosen optimiser, and put every measurement (with
 * its interval) next to the theory's prediction. Pure and deterministic given `options.seed`; prints nothing.
 */
export function runSimulation(geometry: Geometry, options: Partial<SimulateOptions> = {}, timings?: StageTimings): SimulationResult {
  const opts: SimulateOptions = { ...defaultSimulateOptions, ...options };
  validateSimulateOptions(opts);
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
  const drawAlignments = new Float64Array(draws.length);
  const ctx: SimulationContext = { geometry, model, vStar, vc, g, f, w: fit.w, draws, drawUnits: draws.map(unit), drawAlignments, sigmaVStar, valueSd, options: opts };
  draws.forEach((wb, b) => (drawAlignments[b] = trueAlignment(ctx, wb)));
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
