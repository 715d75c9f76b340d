// `lvh bench reward-fit`: the reward-fit workload of ../shared/bench/README.md through the simulator's own code.
import { autoThreads, defaultRewardFitWorkload, runRewardFitWorkload } from '../simulate/workload.js';
import { numberFlag, oneOf, parseCommandArgs, seedFlag } from '../util/args.js';

const HELP = `usage: lvh bench reward-fit [--dim D] [--pairs N] [--lam L] [--l2 R] [--seed S] [--threads 1|2|auto] [--detail]

Samples N pair differences D ~ N(0, 2I) in d dimensions, labels them with a Bradley-Terry judge (temperature L)
along v_c = 0.8 v* + 0.6 u, fits the reward model (logistic regression, no intercept, L2 penalty R) to
||grad|| < 1e-6 N, and prints one JSON line with the keys of ../shared/bench/reward_fit_ref.py:
dim, pairs, iterations, cosRewardJudge, cosRewardTrue, predictedTrue, seconds.
--threads 2 splits the sampling and each pass over the data with a worker thread (the numbers are the same
bits); auto (default) takes 2 when a second core is free now (at least 1.75 cores idle over the last 200 ms of
CPU time, measured before the run), else 1.
--detail adds phase timings, solver counts and the threads used under "detail". seconds is rounded to 1 ms.
Defaults: --dim ${defaultRewardFitWorkload.dim} --pairs ${defaultRewardFitWorkload.pairs} --lam ${defaultRewardFitWorkload.lam} --l2 ${defaultRewardFitWorkload.l2} --seed ${defaultRewardFitWorkload.seed} --threads auto.
Ranges: --dim 2-4096, --pairs 1-10000000, --lam >= 0, --l2 >= 0, --seed 0-${Number.MAX_SAFE_INTEGER}.`;

/** Runs `lvh bench reward-fit`. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('bench reward-fit', args, {
    dim: { type: 'string' },
    pairs: { type: 'string' },
    lam: { type: 'string' },
    l2: { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    detail: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const values = parsed.values as { dim?: string; pairs?: string; lam?: string; l2?: string; seed?: string; threads?: string; detail?: boolean; help?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const d = defaultRewardFitWorkload;
  const cmd = 'bench reward-fit';
  const threads = values.threads === undefined ? 'auto' : oneOf(cmd, 'threads', values.threads, ['1', '2', 'auto']);
  const workload = {
    dim: numberFlag(cmd, 'dim', values.dim, d.dim, { min: 2, max: 4096, integer: true }),
    pairs: numberFlag(cmd, 'pairs', values.pairs, d.pairs, { min: 1, max: 10_000_000, integer: true }),
    lam: numberFlag(cmd, 'lam', values.lam, d.lam, { min: 0 }),
    l2: numberFlag(cmd, 'l2', values.l2, d.l2, { min: 0 }),
    seed: seedFlag(cmd, values.seed, d.seed),
    threads: threads === 'auto' ? autoThreads() : Number(threads),
  };
  const { result: measured, detail } = runRewardFitWorkload(workload);
  const result = { ...measured, seconds: Math.round(measured.seconds * 1000) / 1000 };
  console.log(JSON.stringify(values.detail ? { ...result, detail: { ...detail, threads: workload.threads } } : result));
  return 0;
}
