// The reward model: L2-regularised logistic regression without intercept on pair differences, by Newton-CG.
import { createPassEngine, type PassEngine } from './passes.js';

/** Settings of the reward fit; defaults match ../shared/bench/reward_fit_ref.py. */
export interface RewardFitOptions {
  /** L2 penalty l2·||w||²/2. */
  l2: number;
  /** Stop when ||∇|| < gradTol · n (the reference's 1e-6·N). */
  gradTol: number;
  /** At most this many Newton steps. */
  maxNewton: number;
  /** At most this many conjugate-gradient steps per Newton step. */
  maxCg: number;
  /** Start Newton at the best point on the line of the first gradient (default true). */
  warmStart?: boolean;
  /** 2: split every pass with a worker thread (same result bits as 1; needs x in a SharedArrayBuffer). Default 1. */
  threads?: number;
  /** A pass engine over the same x and y to use (and leave open) instead of creating one. */
  engine?: PassEngine;

}

/** The reference's settings: l2 = 1e-3, ||∇|| < 1e-6·n, 50 Newton steps. */
export const defaultRewardFitOptions: RewardFitOptions = { l2: 1e-3, gradTol: 1e-6, maxNewton: 50, maxCg: 100 };

/** A fitted reward direction and how the solver got there. */
export interface RewardFit {
  /** The fitted weights ŵ (reward r(φ) = <ŵ, φ>). */
  w: Float64Array;
  /** Newton steps taken (the reference's `iterations`). */
  iterations: number;
  /** Conjugate-gradient steps over all Newton steps (each one pass over the data). */
  cgSteps: number;
  /** Passes over the data (gradients + Hessian-vector products). */
  passes: number;
  /** ||∇|| at the returned w, and the tolerance it was held to (gradTol·n). */
  gradNorm: number;
  tolerance: number;
  converged: boolean;
  /** The regularised loss Σ softplus(z) − y z + l2/2 ||w||² at w. */
  loss: number;
  /** s[i] = p_i (1 − p_i) at w: the Hessian weights, kept for the uncertainty estimates. */
  hessianWeights: Float64Array;
}

/**
 * Fits ŵ = argmin Σ_i [log(1 + e^{<x_i, w>}) − y_i <x_i, w>] + (l2/2)||w||² for the n × d row-major `x` and labels
 * y ∈ [0, 1] (soft labels allowed). Solver: inexact Newton with conjugate gradients on Hessian-vector products
 * Xᵀ diag(p(1 − p)) X v (two fused passes over the data each, never forming the d × d Hessian), started at
 * w = 0, CG stopped when its residual is below min(0.5, √(||∇||/||∇₀||))·||∇|| (Eisenstat-Walker style forcing, so
 * the final steps are near-exact Newton steps and convergence is superlinear) or below tolerance/4 (solving
 * further than the stopping rule needs buys nothing); a step that raises the loss is
 * halved. Stops when ||∇|| < gradTol·n, like the numpy reference.
 *
 * Warm start: the gradient at 0 is −Xᵀ(y − ½), whose direction is already a consistent estimate of the reward
 * direction for Gaussian pair differences (Stein's lemma: E[D (y − ½)] ∝ Σ v_c); one pass computes z = X·u
 * along it and a scalar Newton iteration (O(n) each, no data pass) finds the best scale c, so Newton starts at
 * c·u instead of 0. This skips the slow first Newton steps from w = 0 and costs one half-pass.
 */
export function fitReward(x: Float64Array, n: number, d: number, y: Float64Array, options: Partial<RewardFitOptions> = {}): RewardFit {
  const { l2, gradTol, maxNewton, maxCg } = { ...defaultRewardFitOptions, ...options };
  if (x.length < n * d || y.length < n) throw new Error(`fitReward: need ${n}×${d} data and ${n} labels`);
  const tolerance = gradTol * n;
  let w = new Float64Array(d);
  let prevW = new Float64Array(d);
  const step = new Float64Array(d);
  const grad = new Float64Array(d);
  const engine = options.engine ?? createPassEngine(x, n, d, y, options.threads ?? 1);
  const r = new Float64Array(d);
  const p = new Float64Array(d);
  const hp = new Float64Array(d);
  let passes = 0;
  let cgSteps = 0;
  let iterations = 0;
  let prevLoss = Infinity;
  let firstGradNorm = NaN;
  let stepScale = 1;
  let loss = NaN;
  let gradNorm = NaN;
  let warmStart = options.warmStart ?? true;
  try {
    for (;;) {
      loss = engine.gradient(w, grad) + 0.5 * l2 * sq(w);
      passes++;
      for (let j = 0; j < d; j++) grad[j] += l2 * w[j];
      gradNorm = Math.sqrt(sq(grad));
      // Converged: stop, whatever the loss did within its rounding noise.
      if (gradNorm < tolerance) break;
      // A step that raised the loss by more than its rounding error: go back and try half of it (the gradient
      // pass above was the check). Near the optimum the loss changes by ~1e-16 relative and its sign is noise,
      // so comparing without the slack halved good Newton steps until maxNewton ran out.
      if (loss > prevLoss + lossRoundingSlack(prevLoss, n) && stepScale > 1e-4) {
        stepScale /= 2;
        for (let j = 0; j < d; j++) w[j] = prevW[j] + stepScale * step[j];
        continue;
      }
      if (iterations >= maxNewton) break;
      if (Number.isNaN(firstGradNorm)) {
        firstGradNorm = gradNorm;
        if (warmStart) {
          // Start along the first gradient, at the best scale on that line (see the doc comment).
          const u = grad.map((g) => -g / gradNorm);
          const z = engine.rowDots(u);
          passes++;
          const c = lineMinimum(z, y, n, l2);
          if (c > 0) {
            for (let j = 0; j < d; j++) w[j] = c * u[j];
            warmStart = false;
            continue;
          }
        }
      }
      // Solve (Xᵀ S X + l2 I) step = −grad by CG from 0.
      const forcing = Math.min(0.5, Math.sqrt(gradNorm / firstGradNorm));
      step.fill(0);
      for (let j = 0; j < d; j++) r[j] = -grad[j];
      p.set(r);
      let rr = sq(r);
      for (let k = 0; k < maxCg; k++) {
        engine.hessianVector(p, hp);
        passes++;
        cgSteps++;
        let php = 0;
        for (let j = 0; j < d; j++) {
          hp[j] += l2 * p[j];
          php += p[j] * hp[j];
        }
        const alpha = rr / php;
        for (let j = 0; j < d; j++) {
          step[j] += alpha * p[j];
          r[j] -= alpha * hp[j];
        }
        const rrNew = sq(r);
        if (Math.sqrt(rrNew) <= Math.max(forcing * gradNorm, 0.25 * tolerance)) break;
        const beta = rrNew / rr;
        rr = rrNew;
        for (let j = 0; j < d; j++) p[j] = r[j] + beta * p[j];
      }
      [prevW, w] = [w, prevW];
      for (let j = 0; j < d; j++) w[j] = prevW[j] + step[j];
      prevLoss = loss;
      stepScale = 1;
      iterations++;
    }
  } finally {
    if (!options.engine) engine.close();
  }
  return { w, iterations, cgSteps, passes, gradNorm, tolerance, converged: gradNorm < tolerance, loss, hessianWeights: engine.weights };
}

/** argmin_c Σ softplus(c z_i) − y_i c z_i + l2 c²/2 by safeguarded scalar Newton from c = 0 (convex in c). */
function lineMinimum(z: Float64Array, y: Float64Array, n: number, l2: number): number {
  let c = 0;
  for (let it = 0; it < 50; it++) {
    let g = l2 * c;
    let h = l2;
    for (let i = 0; i < n; i++) {
      const zi = z[i];
      const e = Math.exp(-Math.abs(c * zi));
      const p = c * zi >= 0 ? 1 / (1 + e) : e / (1 + e);
      g += (p - y[i]) * zi;
      h += p * (1 - p) * zi * zi;
    }
    if (!(h > 0)) return c;
    const step = g / h;
    c -= step;
    if (Math.abs(step) <= 1e-10 * Math.max(1, Math.abs(c))) break;
  }
  return c;
}

/** The rounding error of a loss summed over n terms: below it, two losses cannot be told apart. */
function lossRoundingSlack(loss: number, n: number): number {
  return 4 * Number.EPSILON * Math.sqrt(n) * Math.abs(loss);
}

function sq(v: Float64Array): number {
  let t = 0;
  for (let j = 0; j < v.length; j++) t += v[j] * v[j];
  return t;
}
