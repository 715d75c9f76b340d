import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { deriveSeed } from '../../src/linalg/rng.js';
import * as organism from '../../src/organism/index.js';
import { engineForward, type EngineModel } from '../../src/nn/onnx/forward.js';
import { crossEntropyLoss, dpoLoss, type DpoBatch, type Loss } from '../../src/nn/onnx/loss.js';
import { buildGradGraph, buildLossGraph, engineEvalLoss, lossBatchFeeds, trainEngine } from '../../src/nn/onnx/train.js';
import { createSession } from '../../src/nn/onnx/session.js';
import { onnxOf, perturbed } from '../helpers/engine.js';

const tf = nn.tf;
before(async () => {
  await nn.initBackend();
});

/** The engine model with weight `name`[j] moved by `delta` (the other weights shared), for finite differences. */
function nudged(em: EngineModel, name: string, j: number, delta: number): EngineModel {
  const w = new Map(em.weights);
  const data = Float32Array.from(em.weights.get(name)!.data);
  data[j] += delta;
  w.set(name, { shape: em.weights.get(name)!.shape, data });
  return { ...em, weights: w };
}

async function lossAndGrads<B>(m: EngineModel, loss: Loss<B>, batch: B): Promise<{ loss: number; grads: Map<string, Float32Array>; at: (w: EngineModel) => Promise<number> }> {
  const gradSession = await createSession(buildGradGraph(m.config, loss).toModel());
  const lossSession = await createSession(buildLossGraph(m.config, loss).toModel());
  const feeds = lossBatchFeeds(m.config, loss, batch);
  const weightFeeds = (w: EngineModel) => Object.fromEntries([...w.weights].map(([n, t]) => [n, { data: t.data, shape: t.shape }]));
  const out = await gradSession.run({ ...weightFeeds(m), ...feeds });
  const grads = new Map([...m.weights.keys()].map((n) => [n, out[`grad.${n}`].data as Float32Array]));
  return { loss: out.loss.data[0] as number, grads, at: async (w) => (await lossSession.run({ ...weightFeeds(w), ...feeds })).loss.data[0] as number };
}

const batch: nn.Batch = { inputs: [[1, 2, 3, 4, 5, 6], [6, 7, 8, 9, 10, 0]], targets: [[2, 3, 4, 5, 6, 7], [7, 8, 9, -1, 1, -1]] };

test('gradients: every parameter kind agrees with finite differences and with the tfjs engine', async () => {
  const model = perturbed(nn.initModel(nn.gpt2Config({ vocabSize: 11, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2 }), 1), 1);
  const vars = [...model.params.values()] as nn.tf.Variable[];
  const names = [...model.params.keys()];
  const { value, grads: tfGrads } = tf.variableGrads(() => nn.batchLoss(model, batch), vars);
  const em = onnxOf(model);
  const r = await lossAndGrads(em, crossEntropyLoss, batch);
  assert.ok(Math.abs(r.loss - value.dataSync()[0]) < 1e-5);
  const kinds = new Set<string>();
  for (const [i, name] of names.entries()) {
    const g = r.grads.get(name)!;
    const ref = tfGrads[vars[i].name].dataSync();
    const scale = Math.max(1e-3, ...Array.from(ref, Math.abs));
    for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j] - ref[j]) <= 1e-4 * scale + 1e-6, `${name}[${j}]: ${g[j]} vs tfjs ${ref[j]}`);
    const kind = name.replace(/\.\d+\./, '.L.');
    if (kinds.has(kind)) continue;
    kinds.add(kind);
    // The two entries with the largest gradient, where float32 differences are meaningful.
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 2);
    for (const j of order) {
      const eps = 2e-3;
      const at = (delta: number) => r.at(nudged(em, name, j, delta));
      const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      assert.ok(Math.abs(numeric - g[j]) <= 0.03 * Math.abs(g[j]) + 2e-4, `${name}[${j}]: numeric ${numeric} vs analytic ${g[j]}`);
    }
  }
  assert.equal(kinds.size, 16);
  Object.values(tfGrads).forEach((t) => t.dispose());
  value.dispose();
  nn.disposeModel(model);
});

test('training: losses, gradient norms and final weights follow the tfjs engine (AdamW, warm-up + cosine, clipping, weight decay)', async () => {
  const config = nn.gpt2Config({ vocabSize: 64, nPositions: 32, nEmbd: 32, nLayer: 2, nHead: 4 });
  const tokens = Array.from({ length: 3000 }, (_, i) => (i * 31 + (i >> 3)) % 64);
  const opts = { tokens, batchSize: 4, seqLen: 32, steps: 30, lr: 3e-3, warmupSteps: 5, weightDecay: 0.1, clipNorm: 1, seed: 3 };
  const model = nn.initModel(config, 1);
  const em = onnxOf(model);
  const norms: number[][] = [[], []];
  const a = nn.train(model, { ...opts, onStep: (s) => norms[0].push(s.gradNorm) });
  const b = await trainEngine(em, { ...opts, onStep: (s) => norms[1].push(s.gradNorm) });
  assert.equal(b.losses.length, 30);
  a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) < 1e-4, `step ${i}: ${l} vs ${b.losses[i]}`));
  norms[0].forEach((n, i) => assert.ok(Math.abs(n - norms[1][i]) < 1e-3 * n, `grad norm ${i}`));
  assert.ok(b.losses.at(-1)! < b.losses[0] - 0.5);
  for (const [name, w] of nn.modelWeights(model)) {
    const got = em.weights.get(name)!.data;
    let md = 0;
    for (let i = 0; i < got.length; i++) md = Math.max(md, Math.abs(got[i] - w.data[i]));
    assert.ok(md < 1e-4, `${name}: ${md}`);
  }
  nn.disposeModel(model);
});

test('the shipped organism recipe: the first 50 training losses equal the tfjs engine within 1e-4', async () => {
  const o = organism.DEFAULT_TRAIN_OPTIONS;
  // trainOrganism runs on ORT; the tfjs reference repeats its pipeline: corpus, document-aligned batches, init from the seed, schedule of the full run.
  const ours = await organism.trainOrganism({ ...o, maxSteps: 50, quiet: true });
  assert.equal(ours.log.length, 50);
  const docs = organism.tokenizeDocs(organism.generateCorpus({ p: o.p, q: o.q, docs: o.docs, seed: o.seed }).docs);
  const next = organism.docAlignedBatches(docs, o.batchSize, organism.ORGANISM_CONTEXT, deriveSeed(o.seed, 1));
  const reference = nn.initModel(ours.model.config, o.seed);
  const steps = Math.ceil(o.tokens / (o.batchSize * organism.ORGANISM_CONTEXT));
  const r = nn.train(reference, { steps: 50, lr: o.lr, warmupSteps: Math.min(100, Math.floor(steps / 10)), minLrRatio: 0.1, weightDecay: 0.1, clipNorm: 1, trainBatches: () => next() });
  nn.disposeModel(reference);
  let worst = 0;
  ours.log.forEach((p, i) => (worst = Math.max(worst, Math.abs(p.loss - r.losses[i]))));
  assert.ok(worst < 1e-4, `largest loss difference ${worst}`);
});

test('determinism and resume: same seed and threads give the same bytes; 4 steps + resume 4 steps equal 8 steps', async () => {
  const config = nn.gpt2Config({ vocabSize: 32, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 2 });
  const tokens = Array.from({ length: 500 }, (_, i) => (i * 7 + (i >> 2)) % 32);
  const opts = { tokens, batchSize: 4, seqLen: 16, steps: 8, lr: 1e-2, warmupSteps: 2, weightDecay: 0.1, clipNorm: 1, seed: 5 };
  const run = async (threads: number, o: Parameters<typeof trainEngine>[1] = opts) => {
    const model = nn.initModel(config, 2);
    const em = onnxOf(model, { threads });
    nn.disposeModel(model);
    let state: nn.TrainState | undefined;
    const r = await trainEngine(em, { ...o, onCheckpoint: (s) => (state = s) });
    return { r, em, state: state! };
  };
  for (const threads of [1, 2]) {
    const a = await run(threads);
    const b = await run(threads);
    assert.deepEqual(a.r.losses, b.r.losses);
    for (const [name, w] of a.em.weights) assert.deepEqual(Buffer.from(w.data.buffer), Buffer.from(b.em.weights.get(name)!.data.buffer), name);
  }
  const whole = await run(1);
  let at4: nn.TrainState | undefined;
  const model = nn.initModel(config, 2);
  const em = onnxOf(model);
  nn.disposeModel(model);
  await trainEngine(em, { ...opts, checkpointEvery: 4, onCheckpoint: (s) => (at4 ??= s) });
  assert.equal(at4!.step, 4);
  const model2 = nn.initModel(config, 2);
  const resumed = onnxOf(model2);
  nn.disposeModel(model2);
  const r = await trainEngine(resumed, { ...opts, resume: at4 });
  assert.deepEqual(r.losses, whole.r.losses);
  for (const [name, w] of whole.em.weights) assert.deepEqual(Buffer.from(w.data.buffer), Buffer.from(resumed.weights.get(name)!.data.buffer), name);
});

test('DPO loss: equals its definition on the engine\'s own log-probabilities, and its gradient matches finite differences', async () => {
  const model = perturbed(nn.initModel(nn.gpt2Config({ vocabSize: 13, nPositions: 16, nEmbd: 8, nLayer: 1, nHead: 2 }), 3), 3);
  const em = onnxOf(model);
  const dpo: DpoBatch = {
    pairs: [
      { prompt: [1, 2, 3], chosen: [4, 5], rejected: [6] },
      { prompt: [7], chosen: [8, 9, 10], rejected: [11, 12] },
    ],
    referenceLogRatios: [0.3, -0.2],
    beta: 0.5,
  };
  const logProb = async (prompt: number[], cont: number[]) => {
    const seq = [...prompt, ...cont];
    const r = await engineForward(em, [seq]);
    const V = 13;
    let s = 0;
    cont.forEach((tok, j) => {
      const row = r.logits.data.subarray((prompt.length - 1 + j) * V, (prompt.length + j) * V);
      const max = Math.max(...row);
      s += row[tok] - max - Math.log(row.reduce((a, z) => a + Math.exp(z - max), 0));
    });
    return s;
  };
  let want = 0;
  for (const [i, p] of dpo.pairs.entries()) {
    const z = dpo.beta * ((await logProb(p.prompt, p.chosen)) - (await logProb(p.prompt, p.rejected)) - dpo.referenceLogRatios[i]);
    want += Math.log1p(Math.exp(-z)) / dpo.pairs.length;
  }
  const r = await lossAndGrads(em, dpoLoss, dpo);
  assert.ok(Math.abs(r.loss - want) < 1e-5, `${r.loss} vs ${want}`);
  for (const name of ['transformer.wte.weight', 'transformer.h.0.attn.c_attn.weight', 'transformer.h.0.ln_2.bias']) {
    const g = r.grads.get(name)!;
    const j = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]))[0];
    const at = (delta: number) => r.at(nudged(em, name, j, delta));
    const numeric = ((await at(2e-3)) - (await at(-2e-3))) / 4e-3;
    assert.ok(Math.abs(numeric - g[j]) <= 0.03 * Math.abs(g[j]) + 2e-4, `${name}: ${numeric} vs ${g[j]}`);
  }
  // A DPO training step lowers the DPO loss.
  const before = await engineEvalLoss(em, [dpo], dpoLoss);
  await trainEngine(em, { steps: 3, lr: 1e-2, loss: dpoLoss, trainBatches: () => dpo });
  assert.ok((await engineEvalLoss(em, [dpo], dpoLoss)) < before);
  nn.disposeModel(model);
});

test('Llama family: gradients of every parameter equal the tfjs engine\'s, and 12 training steps follow it (GQA untied; Qwen2 biases, tied)', async () => {
  for (const o of [{ tie: false, bias: false, kv: 2 }, { tie: true, bias: true, kv: 4 }]) {
    const config = nn.llamaConfig({ vocabSize: 29, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: o.kv, maxPositions: 32, tieWordEmbeddings: o.tie, attentionBias: o.bias, modelType: o.bias ? 'qwen2' : 'llama' });
    const model = perturbed(nn.initModel(config, 3), 4);
    const llamaBatch: nn.Batch = { inputs: [[1, 2, 3, 4, 5, 6], [6, 7, 8, 9, 10, 0]], targets: [[2, 3, 4, 5, 6, 7], [7, 8, 9, -1, 1, -1]] };
    const vars = [...model.params.values()] as nn.tf.Variable[];
    const { value, grads } = tf.variableGrads(() => nn.batchLoss(model, llamaBatch), vars);
    const em = onnxOf(model);
    const r = await lossAndGrads(em, crossEntropyLoss, llamaBatch);
    assert.ok(Math.abs(r.loss - value.dataSync()[0]) < 1e-5);
    [...model.params.keys()].forEach((name, i) => {
      const g = r.grads.get(name)!;
      const ref = grads[vars[i].name].dataSync();
      const scale = Math.max(1e-3, ...Array.from(ref, Math.abs));
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j] - ref[j]) <= 1e-4 * scale + 1e-6, `${name}[${j}]: ${g[j]} vs tfjs ${ref[j]}`);
    });
    Object.values(grads).forEach((t) => t.dispose());
    value.dispose();
    const tokens = Array.from({ length: 800 }, (_, i) => (i * 7 + (i >> 2)) % 29);
    const opts = { tokens, batchSize: 4, seqLen: 16, steps: 12, lr: 1e-2, warmupSteps: 2, weightDecay: 0.1, clipNorm: 1, seed: 2 };
    const a = nn.train(model, opts);
    const b = await trainEngine(em, opts);
    a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) < 1e-4, `step ${i}`));
    assert.ok(b.losses.at(-1)! < b.losses[0] - 0.5);
    nn.disposeModel(model);
  }
});
