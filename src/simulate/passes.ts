// The reward fit's passes over the data, on one thread or split with a worker thread (synchronously, via Atomics).
import { Worker } from 'node:worker_threads';
import { createRng } from '../linalg/index.js';
import { logisticGradientPass, rowDots, weightedGramVector } from './kernels.js';
import { createNormalSource } from './normal.js';
import { fillPairDifferences } from './sampler.js';

/** Commands of the pass protocol (slot 1 of the control array). */
export const PASS_GRADIENT = 1;
export const PASS_HESSIAN_VECTOR = 2;
export const PASS_ROW_DOTS = 3;
export const PASS_STOP = 4;
export const PASS_SAMPLE = 5;

/** What the worker thread of a parallel engine receives (all arrays share memory with the main thread). */
export interface PassWorkerData {
  /** [0] command sequence number, [1] command, [2] sequence number of the last finished command, [3] a seed. */
  ctrl: Int32Array;
  /** Lower Cholesky factor of Σ (d × d) for sampling, or empty for Σ = I. */
  chol: Float64Array;
  x: Float64Array;
  y: Float64Array;
  s: Float64Array;
  z: Float64Array;
  vec: Float64Array;
  /** The worker's partial result (d entries) and, after a gradient pass, its partial loss at [d]. */
  out: Float64Array;
  split: number;
  n: number;
  d: number;
}

/**
 * The passes Newton-CG needs. Each pass splits the rows at `split` (half of n) and adds the two halves' sums in a
 * fixed order, so the result is the same bits whether the second half ran on a worker thread or not.
 */
export interface PassEngine {
  /** Hessian weights p(1 − p) per row, written by `gradient`. */
  readonly weights: Float64Array;
  /** Loss Σ softplus(z) − y z at w; writes Xᵀ(p − y) into grad and the weights. */
  gradient(w: Float64Array, grad: Float64Array): number;
  /** out = Xᵀ diag(weights) X v. */
  hessianVector(v: Float64Array, out: Float64Array): void;
  /** X·u (a view valid until the next call). */
  rowDots(u: Float64Array): Float64Array;
  /**
   * Fills X with pair differences N(0, 2Σ): rows [0, split) from the stream of seed `firstSeed`, rows [split, n)
   * from that of `secondSeed` (on the worker when there is one): the same numbers with one thread or two.
   */
  samplePairs(firstSeed: number, secondSeed: number, chol: Float64Array | null): void;
  /** Sets the labels y (after sampling, when the engine was created without them). */
  setLabels(y: Float64Array): void;
  /** Whether a worker thread shares the work. */
  readonly parallel: boolean;
  /** Stops the worker thread, if any. */
  close(): void;
}

function shared(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** Starts the pass worker: compiled `pass-worker.js`, or under tsx a bootstrap that registers tsx and imports the .ts. */
function startPassWorker(workerData: PassWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pass-worker.js', import.meta.url), { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL('./pass-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A pass engine over the n × d rows of x with labels y. `threads` 2 puts the second half of the rows on a worker
 * thread (x must then live in a SharedArrayBuffer, as `samplePairs` allocates it; otherwise it runs on one
 * thread). The calling thread blocks on Atomics.wait while the worker finishes, so the fit stays synchronous.
 */
export function createPassEngine(x: Float64Array, n: number, d: number, y: Float64Array | null, threads = 1): PassEngine {
  const split = Math.floor(n / 2);
  const parallel = threads >= 2 && n >= 2 && x.buffer instanceof SharedArrayBuffer;
  const weights = parallel ? shared(n) : new Float64Array(n);
  const labels = parallel || !y ? shared(n) : y;
  if (y && labels !== y) labels.set(y.subarray(0, n));
  const chol = parallel ? shared(d * d) : new Float64Array(d * d);
  const z = parallel ? shared(n) : new Float64Array(n);
  const vec = parallel ? shared(d) : new Float64Array(d);
  const second = parallel ? shared(d + 1) : new Float64Array(d + 1);
  const first = new Float64Array(d);
  const rows = n - split;
  const xa = x.subarray(0, split * d);
  const xb = x.subarray(split * d, n * d);
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  let worker: Worker | null = null;
  let seq = 0;
  if (parallel) {
    worker = startPassWorker({ ctrl, chol, x, y: labels, s: weights, z, vec, out: second, split, n, d });
    worker.unref();
  }
  const secondHalf = (command: number): void => {
    if (!worker) {
      const yb = labels.subarray(split, n);
      const sb = weights.subarray(split, n);
      if (command === PASS_GRADIENT) second[d] = logisticGradientPass(xb, rows, d, vec, yb, sb, second);
      else if (command === PASS_HESSIAN_VECTOR) weightedGramVector(xb, rows, d, sb, vec, second);
      else if (command === PASS_ROW_DOTS) rowDots(xb, rows, d, vec, z.subarray(split, n));
      else if (command === PASS_SAMPLE) samplePart(ctrl[3], chol[0] === 0 ? null : chol, split, n);
      return;
    }
    seq++;
    Atomics.store(ctrl, 1, command);
    Atomics.store(ctrl, 0, seq);
    Atomics.notify(ctrl, 0);
  };
  const samplePart = (seed: number, factor: Float64Array | null, from: number, to: number): void => {
    fillPairDifferences(d, factor, x, from, to, createNormalSource(createRng(seed >>> 0)));
  };
  const awaitSecond = (): void => {
    if (!worker) return;
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, 2);
      if (done === seq) return;
      Atomics.wait(ctrl, 2, done, 1000);
      if (Date.now() - started > 120_000) throw new Error('reward fit: the pass worker did not answer within 120 s');
    }
  };
  // Worker or not, the second half runs first (it is only posted when a worker exists), then the first half here.
  const run = (command: number, firstHalf: () => void): void => {
    if (worker) secondHalf(command);
    firstHalf();
    if (worker) awaitSecond();
    else secondHalf(command);
  };
  return {
    weights,
    parallel,
    gradient(w, grad) {
      vec.set(w);
      let lossFirst = 0;
      run(PASS_GRADIENT, () => {
        lossFirst = logisticGradientPass(xa, split, d, vec, labels, weights, first);
      });
      for (let j = 0; j < d; j++) grad[j] = first[j] + second[j];
      return lossFirst + second[d];
    },
    hessianVector(v, out) {
      vec.set(v);
      run(PASS_HESSIAN_VECTOR, () => weightedGramVector(xa, split, d, weights, vec, first));
      for (let j = 0; j < d; j++) out[j] = first[j] + second[j];
    },
    rowDots(u) {
      vec.set(u);
      run(PASS_ROW_DOTS, () => rowDots(xa, split, d, vec, z));
      return z;
    },
    samplePairs(firstSeed, secondSeed, factor) {
      // chol[0] = 0 marks Σ = I (a Cholesky factor has a positive diagonal).
      if (factor) chol.set(factor);
      else chol[0] = 0;
      Atomics.store(ctrl, 3, secondSeed | 0);
      run(PASS_SAMPLE, () => samplePart(firstSeed, factor, 0, split));
    },
    setLabels(y) {
      if (y !== labels) labels.set(y.subarray(0, n));
    },
    close() {
      if (!worker) return;
      secondHalf(PASS_STOP);
      awaitSecond();
      void worker.terminate();
      worker = null;
    },
  };
}
