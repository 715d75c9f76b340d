// The simulator's options: what a run depends on besides the geometry, their defaults and accepted ranges.
import type { ValueFunctionSpec } from './value-function.js';

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

/** Throws on options no simulation can run with (the CLI validates flags before, naming them). */
export function validateSimulateOptions(o: SimulateOptions): void {
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
