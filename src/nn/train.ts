import { createRng } from '../linalg/rng.js';
import type { NamedTensor } from '../io/safetensors.js';
import type { TrainState } from './checkpoint.js';
import { forwardInternal } from './forward.js';
import type { Model } from './model.js';
import { softmaxCrossEntropy, tf } from './ops.js';

/** A batch of next-token examples: inputs and targets (B, T); a target of −1 is ignored. */
export interface Batch {
  inputs: number[][];
  targets: number[][];
}

/** Progress of one optimiser step. */
export interface StepInfo {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
}

/** Training options. Either `trainBatches` or `tokens` (+ batchSize, seqLen) supplies the data. */
export interface TrainOptions {
  steps: number;
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps, then cosine decay to `minLrRatio`·lr at the last step. */
  warmupSteps?: number;
  minLrRatio?: number;
  /** Decoupled weight decay (AdamW) on matrices (rank ≥ 2). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip the global gradient norm to this (0 or undefined: no clipping). */
  clipNorm?: number;
  /** Batch supplier, called once per step with the step index. */
  trainBatches?: (step: number) => Batch;
  /** A token stream to sample windows from (with `batchSize`, `seqLen`, `seed`). */
  tokens?: ArrayLike<number>;
  batchSize?: number;
  seqLen?: number;
  seed?: number;
  /** Every `evalEvery` steps (and after the last) the mean loss over `evalBatches` is computed. */
  evalEvery?: number;
  evalBatches?: Batch[] | (() => Batch[]);
  onStep?: (info: StepInfo) => void;
  onEval?: (info: { step: number; loss: number }) => void;
  /** Continue a run from this state (weights, moments, step, losses); `steps` stays the whole run's length; `trainBatches` must continue where it stopped. */
  resume?: TrainState;
  /** Steps between calls of `onCheckpoint` (it is also called after the last step); 0 or undefined: after the last only. */
  checkpointEvery?: number;
  /** Receives the full state after a step (after `onStep` and `onEval`), to be saved by the caller. */
  onCheckpoint?: (state: TrainState) => void;
}

/** Result of training: per-step losses, eval losses with their steps, and wall time (a resumed run's include the earlier part). */
export interface TrainResult {
  losses: number[];
  evalLosses: { step: number; loss: number }[];
  seconds: number;
}

/** Learning rate at `step` (0-based): linear warm-up then cosine decay. */
export function learningRate(step: number, o: { lr: number; steps: number; warmupSteps?: number; minLrRatio?: number }): number {
  const warm = o.warmupSteps ?? 0;
  if (step < warm) return (o.lr * (step + 1)) / warm;
  const span = Math.max(1, o.steps - warm - 1);
  const progress = Math.min(1, (step - warm) / span);
  const minLr = o.lr * (o.minLrRatio ?? 0.1);
  return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/** A seeded sampler of (B, T) windows from a token stream; targets are inputs shifted by one. */
export function windowSampler(tokens: ArrayLike<number>, batchSize: number, seqLen: number, seed: number): () => Batch {
  if (tokens.length < seqLen + 1) throw new Error(`windowSampler: ${tokens.length} tokens are fewer than seqLen + 1 = ${seqLen + 1}`);
  const rng = createRng(seed);
  return () => {
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const start = rng.int(tokens.length - seqLen);
      const row: number[] = [];
      const next: number[] = [];
      for (let t = 0; t < seqLen; t++) {
        row.push(tokens[start + t]);
        next.push(tokens[start + t + 1]);
      }
      inputs.push(row);
      targets.push(next);
    }
    return { inputs, targets };
  };
}

/** Mean next-token cross-entropy (nats) of a batch, as a scalar tensor (differentiable). */
export function batchLoss(model: Model, batch: Batch): tf.Scalar {
  const r = forwardInternal(model, batch.inputs);
  return softmaxCrossEntropy(r.logits2d, batch.targets.flat());
}

/** Mean loss over batches (no gradients). */
export function evalLoss(model: Model, batches: Batch[]): number {
  let total = 0;
  for (const b of batches) {
    const l = tf.tidy(() => batchLoss(model, b));
    total += l.dataSync()[0];
    l.dispose();
  }
  return total / Math.max(1, batches.length);
}

/** Trains the model's variables in place with AdamW, warm-up + cosine schedule and gradient clipping. */
export function train(model: Model, o: TrainOptions): TrainResult {
  const next = o.trainBatches ?? (o.tokens ? wrap(windowSampler(o.tokens, o.batchSize ?? 8, o.seqLen ?? 64, o.seed ?? 0)) : undefined);
  if (!next) throw new Error('train: give trainBatches or tokens');
  const vars = [...model.params.entries()].filter((e): e is [string, tf.Variable] => e[1] instanceof tf.Variable && e[1].trainable);
  if (vars.length === 0) throw new Error('train: the model has no trainable variables');
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.95;
  const eps = o.epsilon ?? 1e-8;
  const wd = o.weightDecay ?? 0;
  // AdamW state for all parameters as two flat vectors: the moment updates run as a few kernels on one
  // vector instead of a dozen small kernels per parameter (same elementwise math).
  const sizes = vars.map(([, v]) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const m = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  const s = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  const losses: number[] = [...(o.resume?.losses ?? [])];
  const evalLosses: { step: number; loss: number }[] = [...(o.resume?.evalLosses ?? [])];
  const evalSet = () => (typeof o.evalBatches === 'function' ? o.evalBatches() : o.evalBatches);
  const startStep = o.resume ? restoreState(o.resume, vars, m, s, o.steps) : 0;
  // The built-in window sampler is replayed to the resumed step; a `trainBatches` supplier is the caller's to restore.
  if (!o.trainBatches) for (let i = 0; i < startStep; i++) next(i);
  const earlierSeconds = o.resume?.seconds ?? 0;
  const start = performance.now();
  const snapshot = (step: number): TrainState => ({
    step,
    ...exportState(vars, m, s),
    losses: [...losses],
    evalLosses: evalLosses.map((e) => ({ ...e })),
    seconds: earlierSeconds + (performance.now() - start) / 1000,
  });
  try {
    for (let step = startStep; step < o.steps; step++) {
      const t0 = performance.now();
      const batch = next(step);
      const lr = learningRate(step, { lr: o.lr, steps: o.steps, warmupSteps: o.warmupSteps, minLrRatio: o.minLrRatio });
      const [lossValue, gradNorm] = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), vars.map(([, v]) => v));
        const flat = tf.concat(vars.map(([, v]) => tf.reshape(grads[v.name], [-1])));
        const norm = tf.sqrt(tf.sum(tf.mul(flat, flat)));
        const normValue = norm.dataSync()[0];
        const scale = o.clipNorm && normValue > o.clipNorm ? o.clipNorm / normValue : 1;
        const bc1 = 1 - Math.pow(beta1, step + 1);
        const bc2 = 1 - Math.pow(beta2, step + 1);
        const g = scale === 1 ? flat : tf.mul(flat, scale);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        s.assign(tf.add(tf.mul(s, beta2), tf.mul(tf.mul(g, g), 1 - beta2)));
        // The flat update is read back once and cut with subarray views (tf.split/slice are slow on WASM).
        const update = tf.mul(tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(s, bc2)), eps)), lr).dataSync() as Float32Array;
        let offset = 0;
        vars.forEach(([, v], i) => {
          const part = tf.tensor(update.subarray(offset, offset + sizes[i]), v.shape, 'float32');
          offset += sizes[i];
          const decayed = wd > 0 && v.rank >= 2 ? tf.mul(v, 1 - lr * wd) : v;
          v.assign(tf.sub(decayed, part));
        });
        return [value.dataSync()[0], normValue];
      });
      losses.push(lossValue);
      const tokens = batch.inputs.length * (batch.inputs[0]?.length ?? 0);
      o.onStep?.({ step, loss: lossValue, lr, gradNorm, tokensPerSecond: tokens / ((performance.now() - t0) / 1000) });
      if (o.evalEvery && evalSet() && ((step + 1) % o.evalEvery === 0 || step === o.steps - 1)) {
        const loss = evalLoss(model, evalSet()!);
        evalLosses.push({ step: step + 1, loss });
        o.onEval?.({ step: step + 1, loss });
      }
      const every = o.checkpointEvery ?? 0;
      if (o.onCheckpoint && ((every > 0 && (step + 1) % every === 0) || step === o.steps - 1)) o.onCheckpoint(snapshot(step + 1));
    }
  } finally {
    m.dispose();
    s.dispose();
  }
  return { losses, evalLosses, seconds: earlierSeconds + (performance.now() - start) / 1000 };
}

/** Copies the trainable parameters and the flat AdamW moments out as named float32 tensors. */
function exportState(vars: [string, tf.Variable][], m: tf.Variable, s: tf.Variable): Pick<TrainState, 'params' | 'adamM' | 'adamV'> {
  const params = new Map<string, NamedTensor>();
  const adamM = new Map<string, NamedTensor>();
  const adamV = new Map<string, NamedTensor>();
  const mFlat = m.dataSync() as Float32Array;
  const sFlat = s.dataSync() as Float32Array;
  let offset = 0;
  for (const [name, v] of vars) {
    const shape = [...v.shape];
    params.set(name, { shape, data: Float32Array.from(v.dataSync() as Float32Array) });
    adamM.set(name, { shape, data: mFlat.slice(offset, offset + v.size) });
    adamV.set(name, { shape, data: sFlat.slice(offset, offset + v.size) });
    offset += v.size;
  }
  return { params, adamM, adamV };
}

/** Loads a saved state into the variables and moments (names and shapes checked); returns the step to continue from. */
function restoreState(state: TrainState, vars: [string, tf.Variable][], m: tf.Variable, s: tf.Variable, steps: number): number {
  if (!Number.isInteger(state.step) || state.step < 0 || state.step > steps) throw new Error(`train: resume step ${state.step} is outside [0, ${steps}]`);
  if (state.params.size !== vars.length) throw new Error(`train: resume state has ${state.params.size} parameters, the model ${vars.length}`);
  const mFlat = new Float32Array(m.size);
  const sFlat = new Float32Array(s.size);
  let offset = 0;
  for (const [name, v] of vars) {
    const [p, pm, pv] = [state.params.get(name), state.adamM.get(name), state.adamV.get(name)];
    for (const t of [p, pm, pv]) {
      if (!t || t.shape.join(',') !== v.shape.join(',') || t.data.length !== v.size) throw new Error(`train: resume state lacks ${name} of shape [${v.shape.join(', ')}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(p!.data, v.shape, 'float32')));
    mFlat.set(pm!.data, offset);
    sFlat.set(pv!.data, offset);
    offset += v.size;
  }
  tf.tidy(() => {
    m.assign(tf.tensor(mFlat, [m.size], 'float32'));
    s.assign(tf.tensor(sFlat, [s.size], 'float32'));
  });
  return state.step;
}

function wrap(f: () => Batch): (step: number) => Batch {
  return () => f();
}
