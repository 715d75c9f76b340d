/**
 * The training step as one ONNX graph: forward, a pluggable scalar loss, reverse-mode gradients from the
 * builder's autodiff, global-norm clipping and AdamW, with weights and moments fed in and the updated ones
 * read out each step. Hyperparameters and schedule are the tfjs engine's (src/nn/train.ts).
 */
import type * as ort from 'onnxruntime-node';
import type { TrainState } from '../checkpoint.js';
import type { ModelConfig } from '../../io/config.js';
import { paramSpecs } from '../../io/params.js';
import { learningRate, windowSampler, type Batch, type TrainOptions, type TrainResult } from '../train.js';
import { familyForward, type FamilyIO } from './family.js';
import { batchInputs, type EngineModel } from './forward.js';
import { Graph, type Value } from './graph.js';
import { crossEntropyLoss, type Loss } from './loss.js';
import { createSession, type GraphSession, type HostTensor } from './session.js';

/** AdamW and clipping constants baked into a training graph. */
export interface OptimizerConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Global gradient-norm clip; 0: none. */
  clipNorm: number;
}

// The family inputs with the given parameter values and hooks as identities.
function paramIO(g: Graph, params: Map<string, Value>): FamilyIO {
  return {
    ids: g.input('input_ids', 'int64', ['batch', 'time']),
    positions: g.input('position_ids', 'int64', ['batch', 'time']),
    attnBias: g.input('attention_bias', 'float32', ['batch', 1, 'time', 'keys']),
    param: (name) => {
      const v = params.get(name);
      if (!v) throw new Error(`onnx engine: the model has no parameter "${name}"`);
      return v;
    },
    hasParam: (name) => params.has(name),
    point: (_name, x) => x,
  };
}

/** The forward graph with weights as inputs (HF names) and hooks as identities; returns the graph, the parameter values and the logits. */
function forwardWithParamInputs(config: ModelConfig): { g: Graph; params: Map<string, Value>; logits: Value } {
  const g = new Graph();
  const params = new Map(paramSpecs(config).map((s) => [s.name, g.input(s.name, 'float32', s.shape)]));
  return { g, params, logits: familyForward(config)(g, config, paramIO(g, params)) };
}

/** The loss graph (no gradients): outputs `loss`. */
export function buildLossGraph<B>(config: ModelConfig, loss: Loss<B>): Graph {
  const { g, logits } = forwardWithParamInputs(config);
  g.output(loss.build(g, logits), 'loss');
  return g;
}

/** The loss and its gradient for every parameter (outputs `loss` and `grad.{name}`), for checks and custom optimisers. */
export function buildGradGraph<B>(config: ModelConfig, loss: Loss<B>): Graph {
  const { g, params, logits } = forwardWithParamInputs(config);
  const value = g.output(loss.build(g, logits), 'loss');
  const names = [...params.keys()];
  g.grad(value, names.map((n) => params.get(n)!)).forEach((gr, i) => g.output(gr, `grad.${names[i]}`));
  return g;
}

/** Feeds of one batch for a loss graph (ids, positions, attention bias and the loss's own inputs). */
export function lossBatchFeeds<B>(config: ModelConfig, loss: Loss<B>, batch: B): Record<string, HostTensor> {
  return batchFeeds(config, loss, batch);
}

/** Where each parameter lies in the flat vectors of the training state (paramSpecs order). */
export function flatLayout(config: ModelConfig): { name: string; shape: number[]; offset: number; size: number }[] {
  let offset = 0;
  return paramSpecs(config).map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const entry = { name: s.name, shape: s.shape, offset, size };
    offset += size;
    return entry;
  });
}

/**
 * The training step graph. The state is three flat vectors (parameters, AdamW m and v, in `flatLayout` order), so
 * the optimiser is a dozen ops on one vector rather than a dozen per parameter. Inputs: `params`, `adam_m`,
 * `adam_v` (P), each parameter by its HF name (views of `params`, for the forward), the batch (`input_ids`, `position_ids`, `attention_bias` and the loss's inputs), and scalars
 * `step_size` (lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)), `eps_hat` (ε·√(1 − β₂ᵗ)), and `decay_vector` (P: 1 − lr·weight decay on
 * matrices, 1 elsewhere).
 * Outputs: `loss`, `grad_norm`, `params:new`, `adam_m:new`, `adam_v:new`.
 */
export function buildTrainGraph<B>(config: ModelConfig, loss: Loss<B>, o: OptimizerConstants): Graph {
  const g = new Graph();
  const layout = flatLayout(config);
  const total = layout.reduce((n, e) => n + e.size, 0);
  const flat = g.input('params', 'float32', [total]);
  // The forward reads each parameter as its own input (HF name): the caller feeds views of the flat vector, so
  // nothing is copied; the update reads the flat vector.
  const params = new Map(layout.map((e) => [e.name, g.input(e.name, 'float32', e.shape)]));
  const logits = familyForward(config)(g, config, paramIO(g, params));
  const value = loss.build(g, logits);
  g.output(value, 'loss');
  const grads = g.grad(value, layout.map((e) => params.get(e.name)!));
  const grad = g.concat(grads.map((gr) => g.reshape(gr, [-1])), 0); // (P)
  const norm = g.output(g.sqrt(g.reduceSum(g.mul(grad, grad))), 'grad_norm');
  // Scale min(1, clip / norm) equals the tfjs engine's "clip / norm when norm > clip"; it is folded into the moment coefficients.
  const scale = o.clipNorm > 0 ? g.min(g.scalar(1), g.div(g.scalar(o.clipNorm), norm)) : g.scalar(1);
  const c1 = g.mul(g.scalar(1 - o.beta1), scale);
  const c2 = g.mul(g.scalar(1 - o.beta2), g.mul(scale, scale));
  // The new moments are outputs and also used below: named as outputs now, so no copy is made for the output.
  const m = g.rename(g.add(g.mul(g.input('adam_m', 'float32', [total]), g.scalar(o.beta1)), g.mul(grad, c1)), 'adam_m:new');
  const v = g.rename(g.add(g.mul(g.input('adam_v', 'float32', [total]), g.scalar(o.beta2)), g.mul(g.mul(grad, grad), c2)), 'adam_v:new');
  // lr·(m/bc1)/(√(v/bc2) + ε) = m·(lr·√bc2/bc1)/(√v + ε·√bc2): two scalars fed per step.
  const update = g.div(g.mul(m, g.input('step_size', 'float32', [])), g.add(g.sqrt(v), g.input('eps_hat', 'float32', [])));
  // Decoupled weight decay on matrices only (rank ≥ 2): `decay_vector` holds 1 − lr·wd there and 1 elsewhere.
  const decayed = o.weightDecay > 0 ? g.mul(flat, g.input('decay_vector', 'float32', [total])) : flat;
  g.outputFinal(g.sub(decayed, update), 'params:new');
  g.output(m);
  g.output(v);
  return g;
}

type Tensorish = HostTensor | ort.Tensor;

function batchFeeds<B>(config: ModelConfig, loss: Loss<B>, batch: B): Record<string, HostTensor> {
  const rows = loss.rows(batch);
  return { ...batchInputs(config, rows.ids, rows.attentionMask).feeds, ...loss.feeds(batch) };
}

function tokensOf(rows: { ids: number[][] }): number {
  return rows.ids.length * (rows.ids[0]?.length ?? 0);
}

/** Options of `trainEngine`: the tfjs engine's, plus the loss (default cross-entropy) for batches of its kind. */
export type EngineTrainOptions<B = Batch> = Omit<TrainOptions, 'trainBatches' | 'evalBatches'> & {
  trainBatches?: (step: number) => B;
  evalBatches?: B[] | (() => B[]);
  loss?: Loss<B>;
};

/** The mean loss over batches on the model's current weights. */
export async function engineEvalLoss<B>(m: EngineModel, batches: B[], loss: Loss<B> = crossEntropyLoss as unknown as Loss<B>, session?: GraphSession): Promise<number> {
  const s = session ?? (await createSession(buildLossGraph(m.config, loss).toModel(), m.options));
  const weights = Object.fromEntries([...m.weights].map(([n, w]) => [n, { data: w.data, shape: w.shape }]));
  let total = 0;
  for (const b of batches) total += (await s.run({ ...weights, ...batchFeeds(m.config, loss, b) }, ['loss'])).loss.data[0] as number;
  if (!session) await s.release();
  return total / Math.max(1, batches.length);
}

/**
 * Trains the model's weights with AdamW (warm-up + cosine schedule, clipping) on ORT, one graph run per step;
 * `m.weights` holds the trained weights afterwards. Resume and checkpoints use the engine-neutral TrainState.
 */
export async function trainEngine<B = Batch>(m: EngineModel, o: EngineTrainOptions<B>): Promise<TrainResult> {
  const loss = o.loss ?? (crossEntropyLoss as unknown as Loss<B>);
  const next = o.trainBatches ?? (o.tokens ? ((sampler) => () => sampler() as unknown as B)(windowSampler(o.tokens, o.batchSize ?? 8, o.seqLen ?? 64, o.seed ?? 0)) : undefined);
  if (!next) throw new Error('train: give trainBatches or tokens');
  const constants: OptimizerConstants = { beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.95, epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? 0, clipNorm: o.clipNorm ?? 0 };
  const session = await createSession(buildTrainGraph(m.config, loss, constants).toModel(), m.options);
  const evalSession = o.evalEvery && o.evalBatches ? await createSession(buildLossGraph(m.config, loss).toModel(), m.options) : undefined;
  const layout = flatLayout(m.config);
  const total = layout.reduce((n, e) => n + e.size, 0);
  const flatOf = (map: Map<string, { data: Float32Array }> | undefined, fallback: (name: string) => Float32Array | undefined, what: string) => {
    const out = new Float32Array(total);
    for (const e of layout) {
      const t = map?.get(e.name)?.data ?? fallback(e.name);
      if (!t || t.length !== e.size) throw new Error(`train: the ${what} lack "${e.name}" or have the wrong size`);
      out.set(t, e.offset);
    }
    return out;
  };
  const resumed = o.resume;
  const zeros = () => new Float32Array(total);
  // The training state: three flat vectors, fed in and read back each step.
  const state: Record<'params' | 'adam_m' | 'adam_v', Tensorish> = {
    params: { data: flatOf(resumed?.params, (n) => (resumed ? undefined : m.weights.get(n)?.data), resumed ? 'resumed parameters' : 'weights'), shape: [total] },
    adam_m: { data: resumed ? flatOf(resumed.adamM, () => undefined, 'resumed moments') : zeros(), shape: [total] },
    adam_v: { data: resumed ? flatOf(resumed.adamV, () => undefined, 'resumed moments') : zeros(), shape: [total] },
  };
  const losses: number[] = [...(o.resume?.losses ?? [])];
  const evalLosses = [...(o.resume?.evalLosses ?? [])].map((e) => ({ ...e }));
  const startStep = o.resume?.step ?? 0;
  if (!o.trainBatches) for (let i = 0; i < startStep; i++) next(i);
  const evalSet = () => (typeof o.evalBatches === 'function' ? o.evalBatches() : o.evalBatches);
  // 1 − lr·wd on the matrices' entries, 1 on the vectors' (refilled each step; a memset per parameter).
  const decayData = new Float32Array(total).fill(1);
  const decayVector = (factor: number): HostTensor => {
    for (const e of layout) if (e.shape.length >= 2) decayData.fill(factor, e.offset, e.offset + e.size);
    return { data: decayData, shape: [total] };
  };
  // Zero-copy views of the flat parameter vector, one per parameter (the forward's inputs).
  const views = (t: Tensorish): Record<string, HostTensor> => {
    const data = t.data as Float32Array;
    return Object.fromEntries(layout.map((e) => [e.name, { data: data.subarray(e.offset, e.offset + e.size), shape: e.shape }]));
  };
  const named = (t: Tensorish) => {
    const data = t.data as Float32Array;
    return new Map(layout.map((e) => [e.name, { shape: e.shape, data: data.slice(e.offset, e.offset + e.size) }]));
  };
  const sync = () => {
    for (const [name, w] of named(state.params)) m.weights.set(name, w);
    m.weightTensors = undefined;
    m.sessions.clear(); // sessions with baked-in weights are stale
  };
  const snapshot = (step: number): TrainState => ({
    step,
    params: named(state.params),
    adamM: named(state.adam_m),
    adamV: named(state.adam_v),
    losses: [...losses],
    evalLosses: evalLosses.map((e) => ({ ...e })),
    seconds: (o.resume?.seconds ?? 0) + (performance.now() - start) / 1000,
  });
  const start = performance.now();
  try {
    for (let step = startStep; step < o.steps; step++) {
      const t0 = performance.now();
      const batch = next(step);
      const lr = learningRate(step, { lr: o.lr, steps: o.steps, warmupSteps: o.warmupSteps, minLrRatio: o.minLrRatio });
      const scalar = (x: number) => ({ data: Float32Array.of(x), shape: [] });
      const feeds: Record<string, Tensorish> = {
        ...state,
        ...views(state.params),
        ...batchFeeds(m.config, loss, batch),
        step_size: scalar((lr * Math.sqrt(1 - Math.pow(constants.beta2, step + 1))) / (1 - Math.pow(constants.beta1, step + 1))),
        eps_hat: scalar(constants.epsilon * Math.sqrt(1 - Math.pow(constants.beta2, step + 1))),
        decay_vector: decayVector(1 - lr * constants.weightDecay),
      };
      const out = await session.run(feeds);
      state.params = out['params:new'];
      state.adam_m = out['adam_m:new'];
      state.adam_v = out['adam_v:new'];
      const lossValue = out.loss.data[0] as number;
      losses.push(lossValue);
      o.onStep?.({ step, loss: lossValue, lr, gradNorm: out.grad_norm.data[0] as number, tokensPerSecond: tokensOf(loss.rows(batch)) / ((performance.now() - t0) / 1000) });
      if (evalSession && evalSet() && ((step + 1) % o.evalEvery! === 0 || step === o.steps - 1)) {
        sync();
        const value = await engineEvalLoss(m, evalSet()!, loss, evalSession);
        evalLosses.push({ step: step + 1, loss: value });
        o.onEval?.({ step: step + 1, loss: value });
      }
      const every = o.checkpointEvery ?? 0;
      if (o.onCheckpoint && ((every > 0 && (step + 1) % every === 0) || step === o.steps - 1)) o.onCheckpoint(snapshot(step + 1));
    }
  } finally {
    sync();
    await session.release();
    await evalSession?.release();
  }
  return { losses, evalLosses, seconds: (o.resume?.seconds ?? 0) + (performance.now() - start) / 1000 };
}

/** Parameter count of a config (for benchmarks and cards). */
export function engineParamCount(config: ModelConfig): number {
  return paramSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
