// `lvh bench reward-fit`: the reward-fit workload of ../shared/bench/README.md through the simulator's own code.
import { autoThreads, defaultRewardFitWorkload, runRewardFitWorkload } from '../simulate/workload.js';
import { numberFlag, parseCommandArgs } from '../util/args.js';

const HELP = `usage: lvh bench reward-fit [--dim D] [--pairs N] [--lam L] [--l2 R] [--seed S] [--threads 1|2|auto] [--detail]

Samples N pair differences D ~ N(0, 2I) in d dimensions, labels them with a Bradley-Terry judge (temperature L)
along v_c = 0.8 v* + 0.6 u, fits the reward model (logistic regression, no intercept, L2 penalty R) to
||grad|| < 1e-6 N, and prints one JSON line with the keys of ../shared/bench/reward_fit_ref.py:
dim, pairs, iterations, cosRewardJudge, cosRewardTrue, predictedTrue, seconds.
--threads 2 splits the sampling and each pass over the data with a worker thread (the numbers are the same
bits); auto (default) takes 2 when a core is free (1-minute load average <= cores - 1), else 1.
--detail adds phase timings and solver counts under "detail".
Defaults: --dim 256 --pairs 100000 --lam 2 --l2 0.001 --seed 1 --threads auto.`;

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
  const positionals = parsed.positionals;
  const values = parsed.values as { dim?: string; pairs?: string; lam?: string; l2?: string; seed?: string; threads?: string; detail?: boolean; help?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    console.error(`lvh bench reward-fit: unexpected argument "${positionals[0]}"\n${HELP}`);
    return 2;
  }
  const d = defaultRewardFitWorkload;
  const cmd = 'bench reward-fit';
  const workload = {
    dim: numberFlag(cmd, 'dim', values.dim, d.dim, { min: 2, max: 4096, integer: true }),
    pairs: numberFlag(cmd, 'pairs', values.pairs, d.pairs, { min: 1, max: 10_000_000, integer: true }),
    lam: numberFlag(cmd, 'lam', values.lam, d.lam, { min: 0 }),
    l2: numberFlag(cmd, 'l2', values.l2, d.l2, { min: 0 }),
    seed: numberFlag(cmd, 'seed', values.seed, d.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
    threads: values.threads === undefined || values.threads === 'auto' ? autoThreads() : numberFlag(cmd, 'threads', values.threads, 1, { min: 1, max: 2, integer: true }),
  };
  const { result, detail } = runRewardFitWorkload(workload);
  console.log(JSON.stringify(values.detail ? { ...result, detail: { ...detail, threads: workload.threads } } : result));
  return 0;
}
