// What a simulation returns: every measured quantity with its interval, next to the theory's prediction.
import type { SimulateOptions } from './options.js';

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
