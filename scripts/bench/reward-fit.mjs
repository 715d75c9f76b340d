#!/usr/bin/env node
// Times `lvh bench reward-fit` against ../shared/bench/reward_fit_ref.py (numpy), alternating ours/reference,
// and prints every run, the median of the per-pair ratios ours/reference, and the quality check.
// Run after `npm run build` (npm run bench does it). Env: BENCH_QUICK=1 for a small workload, BENCH_PAIRS=k pairs of
// runs (default 3), BENCH_THREADS=1|2|auto threads for ours (default auto: 2 when a core is free),
// BENCH_REF_THREADS=k sets OPENBLAS_NUM_THREADS for the reference (default: OpenBLAS's own choice).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reference = join(root, '..', 'shared', 'bench', 'reward_fit_ref.py');
const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const rounds = Number(process.env.BENCH_PAIRS ?? 3);
const threads = process.env.BENCH_THREADS ?? 'auto';
const flags = quick ? ['--dim', '64', '--pairs', '20000'] : ['--dim', '256', '--pairs', '100000'];
flags.push('--lam', '2', '--l2', '0.001', '--seed', '1');

if (!existsSync(reference)) {
  console.log(`reward-fit: reference ${reference} not found; skipping`);
  process.exit(0);
}
// numpy's OpenBLAS can be slowed by these; unset them for the reference's process only and say what they were.
const blasVars = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];
const refEnv = { ...process.env };
for (const v of blasVars) delete refEnv[v];
if (process.env.BENCH_REF_THREADS) refEnv.OPENBLAS_NUM_THREADS = process.env.BENCH_REF_THREADS;
console.log(`reward-fit: ${flags.join(' ')}; ours with --threads ${threads}; numpy with OPENBLAS_NUM_THREADS=${refEnv.OPENBLAS_NUM_THREADS ?? '(default)'}; ${rounds} alternating pairs; unset for the reference: ${blasVars.map((v) => `${v}=${process.env[v] ?? '(unset)'}`).join(', ')}`);

function runOnce(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd: root });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ratios = [];
const oursSeconds = [];
const refSeconds = [];
let worstJudge = Infinity;
for (let i = 0; i < rounds; i++) {
  const ours = runOnce(process.execPath, [join(root, 'bin', 'lvh.js'), 'bench', 'reward-fit', ...flags, '--threads', threads], process.env);
  const ref = runOnce('python3', [reference, ...flags], refEnv);
  ratios.push(ours.seconds / ref.seconds);
  oursSeconds.push(ours.seconds);
  refSeconds.push(ref.seconds);
  worstJudge = Math.min(worstJudge, ours.cosRewardJudge);
  console.log(
    `  pair ${i + 1}: ours ${ours.seconds.toFixed(3)} s (${ours.iterations} Newton steps, cos(w, v_c) ${ours.cosRewardJudge.toFixed(4)}, cos(w, v*) ${ours.cosRewardTrue.toFixed(4)})` +
      `  numpy ${ref.seconds.toFixed(3)} s (${ref.iterations} steps, cos(w, v_c) ${ref.cosRewardJudge.toFixed(4)}, cos(w, v*) ${ref.cosRewardTrue.toFixed(4)})` +
      `  ratio ${(ours.seconds / ref.seconds).toFixed(3)}`,
  );
}
const sorted = [...ratios].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(`reward-fit: median ratio ours/numpy ${median.toFixed(3)} (min ${sorted[0].toFixed(3)}, max ${sorted[sorted.length - 1].toFixed(3)}); ${median <= 1 ? 'at least as fast as numpy' : 'slower than numpy'}`);
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(`reward-fit: median seconds ours ${med(oursSeconds).toFixed(3)}, numpy ${med(refSeconds).toFixed(3)}`);
const qualityOk = quick || worstJudge >= 0.99;
console.log(`reward-fit: quality cos(w, v_c) >= 0.99: ${qualityOk ? 'ok' : 'FAILED'} (worst ${worstJudge.toFixed(4)})`);
process.exit(qualityOk ? 0 : 1);
