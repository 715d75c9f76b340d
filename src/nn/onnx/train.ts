/**
 * The training step as one ONNX graph: forward, a pluggable scalar loss, reverse-mode gradients from the
 * builder's autodiff, global-norm clipping and AdamW, with weights and moments fed in and the updated ones
 * read out each step. Hyperparameters and schedule are the tfjs engine's (src/nn/train.ts).
 */
import type * as ort from 'onnxruntime-node';
import type { TrainState } from '../checkpoint.js';
import type { ModelConfig } from '../config.js';
import { paramSpecs } from '../model.js';
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

/** The forward graph with weights as inputs and hooks as identities; returns the graph, the parameter values and the logits. */
function forwardWithParamInputs(config: ModelConfig): { g: Graph; params: Map<string, Value>; logits: Value } {
  const g = new Graph();
  const specs = paramSpecs(config);
  const params = new Map(specs.map((s) => [s.name, g.input(s.name, 'float32', s.shape)]));
  const io: FamilyIO = {
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
  return { g, params, logits: familyForward(config)(g, config, io) };
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

/**
 * The training step graph. Inputs: every parameter (HF name), its moments `adam_m.{name}` and `adam_v.{name}`,
 * the batch (`input_ids`, `position_ids`, `attention_bias` and the loss's inputs), and scalars `step_size`
 * (lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)), `eps_hat` (ε·√(1 − β₂ᵗ)) and `decay` (1 − lr·weight decay). Outputs: `loss`, `grad_norm`, and `{name}:new`, `adam_m.{name}:new`,
 * `adam_v.{name}:new`.
 */
export function buildTrainGraph<B>(config: ModelConfig, loss: Loss<B>, o: OptimizerConstants): Graph {
  const { g, params, logits } = forwardWithParamInputs(config);
  const value = loss.build(g, logits);
  g.output(value, 'loss');
  const names = [...params.keys()];
  const grads = g.grad(value, names.map((n) => params.get(n)!));
  const sumSquares = grads.map((gr) => g.reduceSum(g.mul(gr, gr))).reduce((a, b) => g.add(a, b));
  const norm = g.output(g.sqrt(sumSquares), 'grad_norm');
  // Scale min(1, clip / norm) equals the tfjs engine's "clip / norm when norm > clip"; it is folded into the moment coefficients.
  const scale = o.clipNorm > 0 ? g.min(g.scalar(1), g.div(g.scalar(o.clipNorm), norm)) : g.scalar(1);
  const c1 = g.mul(g.scalar(1 - o.beta1), scale);
  const c2 = g.mul(g.scalar(1 - o.beta2), g.mul(scale, scale));
  // lr·(m/bc1)/(√(v/bc2) + ε) = m·(lr·√bc2/bc1)/(√v + ε·√bc2): two scalars fed per step, four tensor ops.
  const stepSize = g.input('step_size', 'float32', []);
  const epsHat = g.input('eps_hat', 'float32', []);
  const decay = g.input('decay', 'float32', []);
  names.forEach((name, i) => {
    const p = params.get(name)!;
    const grad = grads[i];
    const m = g.add(g.mul(g.input(`adam_m.${name}`, 'float32', [...p.shape]), g.scalar(o.beta1)), g.mul(grad, c1));
    const v = g.add(g.mul(g.input(`adam_v.${name}`, 'float32', [...p.shape]), g.scalar(o.beta2)), g.mul(g.mul(grad, grad), c2));
    const update = g.div(g.mul(m, stepSize), g.add(g.sqrt(v), epsHat));
    const decayed = o.weightDecay > 0 && p.shape.length >= 2 ? g.mul(p, decay) : p;
    g.outputFinal(g.sub(decayed, update), `${name}:new`);
    g.output(m, `adam_m.${name}:new`);
    g.output(v, `adam_v.${name}:new`);
  });
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
  const names = paramSpecs(m.config).map((s) => s.name);
  const state = new Map<string, Tensorish>();
  for (const name of names) {
    const w = m.weights.get(name)!;
    const resumed = o.resume;
    const from = (map: Map<string, { shape: number[]; data: Float32Array }> | undefined, fallback: () => Float32Array) => {
      const t = map?.get(name);
      if (resumed && !t) throw new Error(`train: the resumed state lacks "${name}"`);
      return { data: t ? Float32Array.from(t.data) : fallback(), shape: w.shape };
    };
    state.set(name, from(resumed?.params, () => Float32Array.from(w.data)));
    state.set(`adam_m.${name}`, from(resumed?.adamM, () => new Float32Array(w.data.length)));
    state.set(`adam_v.${name}`, from(resumed?.adamV, () => new Float32Array(w.data.length)));
  }
  const losses: number[] = [...(o.resume?.losses ?? [])];
  const evalLosses = [...(o.resume?.evalLosses ?? [])].map((e) => ({ ...e }));
  const startStep = o.resume?.step ?? 0;
  if (!o.trainBatches) for (let i = 0; i < startStep; i++) next(i);
  const evalSet = () => (typeof o.evalBatches === 'function' ? o.evalBatches() : o.evalBatches);
  const host = (t: Tensorish) => ({ shape: [...('dims' in t ? t.dims : t.shape)], data: Float32Array.from(t.data as Float32Array) });
  const sync = () => {
    for (const name of names) m.weights.set(name, host(state.get(name)!));
    m.weightTensors = undefined;
    m.sessions.clear(); // sessions with baked-in weights are stale
  };
  const snapshot = (step: number): TrainState => ({
    step,
    params: new Map(names.map((n) => [n, host(state.get(n)!)])),
    adamM: new Map(names.map((n) => [n, host(state.get(`adam_m.${n}`)!)])),
    adamV: new Map(names.map((n) => [n, host(state.get(`adam_v.${n}`)!)])),
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
        ...Object.fromEntries(state),
        ...batchFeeds(m.config, loss, batch),
        step_size: scalar((lr * Math.sqrt(1 - Math.pow(constants.beta2, step + 1))) / (1 - Math.pow(constants.beta1, step + 1))),
        eps_hat: scalar(constants.epsilon * Math.sqrt(1 - Math.pow(constants.beta2, step + 1))),
        decay: scalar(1 - lr * constants.weightDecay),
      };
      const out = await session.run(feeds);
      for (const name of names) {
        state.set(name, out[`${name}:new`]);
        state.set(`adam_m.${name}`, out[`adam_m.${name}:new`]);
        state.set(`adam_v.${name}`, out[`adam_v.${name}:new`]);
      }
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
