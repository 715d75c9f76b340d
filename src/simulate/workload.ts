// The benchmark workload of ../shared/bench/README.md, run through the simulator's own sampler, judge and reward fit.
import { availableParallelism, cpus } from 'node:os';
import { createRng, deriveSeed, type Vector } from '../linalg/index.js';
import { fitReward, type RewardFit } from './reward-fit.js';
import { judgePairs } from './judge.js';
import { createPassEngine } from './passes.js';

/** The workload's parameters (the reference's flags). */
export interface RewardFitWorkload {
  dim: number;
  pairs: number;
  lam: number;
  l2: number;
  seed: number;
  /** Threads for sampling and the fit's passes (1 or 2; the result is the same bits either way). */
  threads: number;
}

/** The reference's defaults: d = 256, N = 100,000, λ = 2, l2 = 1e-3, seed 1; threads from `autoThreads()`. */
export const defaultRewardFitWorkload: Omit<RewardFitWorkload, 'threads'> = { dim: 256, pairs: 100_000, lam: 2, l2: 1e-3, seed: 1 };

/**
 * 2 when a second core is free now, else 1. Measured here under load average 5-6 on 2 cores: 2 threads took
 * 2.36 s (median of 8) against 2.06 s for 1, since the worker then competes with the other jobs and each pass
 * waits for the slower half; with a free core 2 threads take 1.02 s against 1.34 s. "Now" is the CPU time of
 * the last 200 ms (`busyCores`), not the 1-minute load average, which a run just before would still inflate.
 */
export function autoThreads(): number {
  return threadsForLoad(availableParallelism(), busyCores());
}

/** 2 threads when at least 0.75 of a core is idle besides the one this process runs on, else 1. */
export function threadsForLoad(cores: number, busy: number): number {
  return cores >= 2 && cores - busy >= 1.75 ? 2 : 1;
}

/** Cores busy over the next `ms` milliseconds (from the kernel's per-CPU times; this thread sleeps meanwhile). */
export function busyCores(ms = 200): number {
  const sample = () => cpus().map((c) => ({ idle: c.times.idle, total: c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle }));
  const before = sample();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const after = sample();
  let busy = 0;
  after.forEach((a, i) => {
    const total = a.total - before[i].total;
    if (total > 0) busy += 1 - (a.idle - before[i].idle) / total;
  });
  return busy;
}

/** What the workload prints: the reference's keys, in its order (seconds: wall time of the whole workload). */
export interface RewardFitWorkloadResult {
  dim: number;
  pairs: number;
  iterations: number;
  cosRewardJudge: number;
  cosRewardTrue: number;
  predictedTrue: number;
  seconds: number;
}

/** Phase timings and solver counts, for `--detail`. */
export interface RewardFitWorkloadDetail {
  sampleSeconds: number;
  judgeSeconds: number;
  fitSeconds: number;
  passes: number;
  cgSteps: number;
  gradNorm: number;
  tolerance: number;
}

function unit(v: Vector): Vector {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

function cos(a: Vector, b: Vector): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * Runs the workload: v* random unit, u ⊥ v* random unit, v_c = 0.8 v* + 0.6 u; N pairs D ~ N(0, 2I) from the
 * simulator's pair sampler (Σ = I; the first and second half of the rows each from its own stream); Bradley-Terry labels with temperature λ along v_c; the Newton-CG reward fit to
 * ||∇|| < 1e-6·N. Same seed, same numbers (but not numpy's numbers: the generators differ).
 */
export function runRewardFitWorkload(workload: Omit<RewardFitWorkload, 'threads'> & { threads?: number }): { result: RewardFitWorkloadResult; detail: RewardFitWorkloadDetail } {
  const t0 = performance.now();
  const { dim, pairs, lam, l2, seed } = workload;
  const threads = workload.threads ?? 1;
  const rng = createRng(seed);
  const vStar = unit(rng.normals(dim));
  const raw = rng.normals(dim);
  let proj = 0;
  for (let j = 0; j < dim; j++) proj += raw[j] * vStar[j];
  const u = unit(raw.map((x, j) => x - proj * vStar[j]));
  const vc = vStar.map((x, j) => 0.8 * x + 0.6 * u[j]);
  const report = (fit: RewardFit, t1: number, t2: number, t3: number): { result: RewardFitWorkloadResult; detail: RewardFitWorkloadDetail } => ({
    result: {
      dim,
      pairs,
      iterations: fit.iterations,
      cosRewardJudge: cos(fit.w, vc),
      cosRewardTrue: cos(fit.w, vStar),
      predictedTrue: 0.8,
      seconds: (t3 - t0) / 1000,
    },
    detail: {
      sampleSeconds: (t1 - t0) / 1000,
      judgeSeconds: (t2 - t1) / 1000,
      fitSeconds: (t3 - t2) / 1000,
      passes: fit.passes,
      cgSteps: fit.cgSteps,
      gradNorm: fit.gradNorm,
      tolerance: fit.tolerance,
    },
  });
  // The pass engine owns the worker thread for the whole workload: it samples the pair differences (each half of
  // the rows from its own stream, so one thread or two give the same numbers), then runs the fit's passes.
  const diff = new Float64Array(new SharedArrayBuffer(pairs * dim * Float64Array.BYTES_PER_ELEMENT));
  const engine = createPassEngine(diff, pairs, dim, null, threads);
  try {
    engine.samplePairs(deriveSeed(seed, 1, 0), deriveSeed(seed, 1, 1), null);
    const t1 = performance.now();
    const { labels } = judgePairs({ count: pairs, dim, diff, valueSum: null }, vc, { lambda: lam, positionBias: 0, debias: false }, createRng(deriveSeed(seed, 2)));
    engine.setLabels(labels);
    const t2 = performance.now();
    const fit = fitReward(diff, pairs, dim, labels, { l2, engine });
    const t3 = performance.now();
    return report(fit, t1, t2, t3);
  } finally {
    engine.close();
  }
}
