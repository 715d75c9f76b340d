// The worker thread of a parallel pass engine: waits on the shared control array, runs its half of each pass.
import { workerData } from 'node:worker_threads';
import { createRng } from '../linalg/index.js';
import { logisticGradientPass, rowDots, weightedGramVector } from './kernels.js';
import { createNormalSource } from './normal.js';
import { PASS_GRADIENT, PASS_HESSIAN_VECTOR, PASS_ROW_DOTS, PASS_SAMPLE, PASS_STOP, type PassWorkerData } from './passes.js';
import { fillPairDifferences } from './sampler.js';

const { ctrl, chol, x, y, s, z, vec, out, split, n, d } = workerData as PassWorkerData;
const rows = n - split;
const xb = x.subarray(split * d, n * d);
const yb = y.subarray(split, n);
const sb = s.subarray(split, n);
const zb = z.subarray(split, n);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const seq = Atomics.load(ctrl, 0);
  if (seq === seen) continue;
  seen = seq;
  const command = Atomics.load(ctrl, 1);
  if (command === PASS_GRADIENT) out[d] = logisticGradientPass(xb, rows, d, vec, yb, sb, out);
  else if (command === PASS_HESSIAN_VECTOR) weightedGramVector(xb, rows, d, sb, vec, out);
  else if (command === PASS_ROW_DOTS) rowDots(xb, rows, d, vec, zb);
  else if (command === PASS_SAMPLE) fillPairDifferences(d, chol[0] === 0 ? null : chol, x, split, n, createNormalSource(createRng(Atomics.load(ctrl, 3) >>> 0)));
  Atomics.store(ctrl, 2, seq);
  Atomics.notify(ctrl, 2);
  if (command === PASS_STOP) break;
}
