import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import type { Model } from '../../src/nn/index.js';
import { engineForward, releaseEngineModel } from '../../src/nn/onnx/forward.js';
import { hookPointNames } from '../../src/nn/onnx/family.js';
import { crossEntropyLoss } from '../../src/nn/onnx/loss.js';
import { buildGradGraph, buildLossGraph, lossBatchFeeds, trainEngine } from '../../src/nn/onnx/train.js';
import { createSession } from '../../src/nn/onnx/session.js';
import { Graph } from '../../src/nn/onnx/graph.js';
import { assertInterventionsMatchHooks, assertReferenceLogits, maxAbsDiff, onnxOf, referenceCases, referenceWeights, tfLogits, type InterventionCase } from '../helpers/engine.js';

const tf = nn.tf;
before(async () => {
  await nn.initBackend();
});

type LlamaOptions = Parameters<typeof nn.llamaConfig>[0];

// Random Llama-family fixtures with perturbed norms and biases (so that every parameter kind matters); `headDim` overrides hidden/heads.
function fixture(seed: number, o: LlamaOptions & { headDim?: number }): Model {
  const base = nn.llamaConfig(o);
  const model = nn.initModel(o.headDim ? { ...base, head_dim: o.headDim } : base, seed);
  let k = 0;
  for (const [name, t] of model.params) {
    if (name.includes('norm') || name.endsWith('.bias')) (t as nn.tf.Variable).assign(tf.tidy(() => tf.add(t, tf.randomUniform(t.shape, -0.3, 0.3, 'float32', seed * 100 + k++))));
  }
  return model;
}

// Non-GQA and GQA, tied and untied, Qwen2 biases, a head width that is not hidden/heads, rope_theta from 1e4 to 1e6.
const CONFIGS: (LlamaOptions & { headDim?: number; label: string })[] = [
  { label: 'llama GQA 4/2 untied', vocabSize: 31, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 64 },
  { label: 'llama MHA tied θ=5e5', vocabSize: 23, hiddenSize: 16, intermediateSize: 40, numLayers: 2, numHeads: 2, maxPositions: 64, tieWordEmbeddings: true, ropeTheta: 500000 },
  { label: 'qwen2 GQA 4/1 biases θ=1e6', vocabSize: 29, hiddenSize: 32, intermediateSize: 24, numLayers: 3, numHeads: 4, numKeyValueHeads: 1, maxPositions: 64, modelType: 'qwen2', ropeTheta: 1e6 },
  { label: 'mistral GQA 4/2 tied head_dim 6', vocabSize: 17, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 4, numKeyValueHeads: 2, maxPositions: 64, modelType: 'mistral', tieWordEmbeddings: true, headDim: 6 },
];

test('Llama/Mistral/Qwen2 fixtures: ORT logits equal the tfjs engine within 1e-4 (GQA and not, tied and untied, padded batch)', async () => {
  for (const [i, c] of CONFIGS.entries()) {
    const model = fixture(i + 1, c);
    const T = 24;
    const V = c.vocabSize;
    const ids = [Array.from({ length: T }, (_, t) => (t * 7 + i) % V), Array.from({ length: T }, (_, t) => (t < 5 ? 0 : (t * t + 3) % V))];
    const attentionMask = [ids[0].map(() => 1), ids[1].map((_, t) => (t < 5 ? 0 : 1))];
    const em = onnxOf(model);
    const full = await engineForward(em, ids);
    assert.ok(maxAbsDiff(full.logits.data, tfLogits(model, ids)) < 1e-4, `${c.label}: ${maxAbsDiff(full.logits.data, tfLogits(model, ids))}`);
    // Left padding: real positions agree (padding rows are not compared).
    const padded = await engineForward(em, ids, { attentionMask });
    const ref = tfLogits(model, ids, { attentionMask });
    assert.ok(maxAbsDiff(padded.logits.data.subarray(0, T * V), ref.subarray(0, T * V)) < 1e-4, c.label);
    assert.ok(maxAbsDiff(padded.logits.data.subarray((T + 5) * V), ref.subarray((T + 5) * V)) < 1e-4, c.label);
    await releaseEngineModel(em);
    nn.disposeModel(model);
  }
});

test('every Llama hook point comes back as an output equal to the tfjs cache (GQA, Qwen2 biases)', async () => {
  for (const c of [CONFIGS[0], CONFIGS[2]]) {
    const model = fixture(7, c);
    const ids = [[1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1]];
    const names = nn.hookNames(model);
    assert.deepEqual(hookPointNames(model.config), names);
    const ref = nn.runWithCache(model, ids, { names });
    const em = onnxOf(model);
    const r = await engineForward(em, ids, { names });
    for (const name of names) {
      const want = ref.cache.get(name)!;
      const got = r.cache.get(name)!;
      assert.deepEqual(got.shape, want.shape, name);
      assert.ok(maxAbsDiff(got.data, want.dataSync()) < 1e-4, `${c.label} ${name}`);
    }
    ref.logits.dispose();
    ref.cache.forEach((t) => t.dispose());
    await releaseEngineModel(em);
    nn.disposeModel(model);
  }
});

test('Llama interventions equal the tfjs hooks (add, ablate, replace at chosen layers and positions)', async () => {
  const c = CONFIGS[0];
  const model = fixture(8, c);
  const d = c.hiddenSize;
  const ids = [[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]];
  const vec = Array.from({ length: d }, (_, i) => Math.sin(i + 1));
  const basis = [vec, Array.from({ length: d }, (_, i) => Math.cos(3 * i))];
  const cases: InterventionCase[] = [
    { ivs: [{ kind: 'add', hook: 'blocks.1.hook_resid_post', vector: vec, scale: 2 }], hooks: [nn.addVectorHook(vec, { layers: [1] }, 2)] },
    { ivs: [{ kind: 'add', hook: 'blocks.0.hook_attn_out', vector: vec, positions: [1, 6] }], hooks: [nn.addVectorHook(vec, { layers: [0], hookName: 'hook_attn_out', positions: [1, 6] })] },
    { ivs: [0, 1].map((l) => ({ kind: 'ablate' as const, hook: `blocks.${l}.hook_resid_pre`, basis })), hooks: [nn.ablateSubspaceHook(basis, { hookName: 'hook_resid_pre' })] },
    { ivs: [{ kind: 'replace', hook: 'blocks.1.hook_mlp_out', value: vec, positions: [0, 7] }], hooks: [nn.replaceHook(vec, { layers: [1], hookName: 'hook_mlp_out', positions: [0, 7] })] },
  ];
  await assertInterventionsMatchHooks(model, ids, cases);
});

test('interventions at ln_final equal applying them by hand to the cached activation and the head', async () => {
  const c = CONFIGS[1]; // tied head: logits = h · Eᵀ
  const model = fixture(9, c);
  const d = c.hiddenSize;
  const V = c.vocabSize;
  const ids = [[5, 3, 2, 8, 13, 21]];
  const T = ids[0].length;
  const em = onnxOf(model);
  const head = nn.modelWeights(model).get('model.embed_tokens.weight')!.data; // (V, d)
  const h = (await engineForward(em, ids, { names: ['ln_final.hook_normalized'] })).cache.get('ln_final.hook_normalized')!.data; // (1, T, d)
  const logitsOf = (hid: Float64Array) => {
    const out = new Float64Array(T * V);
    for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) for (let j = 0; j < d; j++) out[t * V + v] += hid[t * d + j] * head[v * d + j];
    return out;
  };
  const u = Array.from({ length: d }, (_, i) => (i % 4) - 1.5);
  const norm = Math.hypot(...u);
  // add 0.5·u at positions 2 and 4
  const added = Float64Array.from(h);
  for (const t of [2, 4]) for (let j = 0; j < d; j++) added[t * d + j] += 0.5 * u[j];
  const add = await engineForward(em, ids, { interventions: [{ kind: 'add', hook: 'ln_final.hook_normalized', vector: u, scale: 0.5, positions: [2, 4] }] });
  assert.ok(maxAbsDiff(add.logits.data, logitsOf(added)) < 1e-4);
  // ablate the direction u everywhere: h − (h·û)û
  const ablated = Float64Array.from(h);
  for (let t = 0; t < T; t++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += h[t * d + j] * (u[j] / norm);
    for (let j = 0; j < d; j++) ablated[t * d + j] -= dot * (u[j] / norm);
  }
  const abl = await engineForward(em, ids, { interventions: [{ kind: 'ablate', hook: 'ln_final.hook_normalized', basis: [u] }], names: ['ln_final.hook_normalized'] });
  assert.ok(maxAbsDiff(abl.logits.data, logitsOf(ablated)) < 1e-4);
  const after = abl.cache.get('ln_final.hook_normalized')!.data;
  for (let t = 0; t < T; t++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += after[t * d + j] * u[j];
    assert.ok(Math.abs(dot) < 1e-4, 'the hook output has no component along u');
  }
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('Llama key/value cache (GQA, left-padded batch): prefix then continuation equals one pass', async () => {
  const c = CONFIGS[2];
  const model = fixture(10, c);
  const V = c.vocabSize;
  const seqs = [[4, 8, 15, 16, 23, 0, 1, 2, 3, 5], [0, 0, 9, 9, 8, 7, 6, 5, 4, 3]];
  const attentionMask = [seqs[0].map(() => 1), seqs[1].map((_, t) => (t < 2 ? 0 : 1))];
  const em = onnxOf(model);
  const full = await engineForward(em, seqs, { attentionMask });
  const a = await engineForward(em, seqs.map((s) => s.slice(0, 6)), { attentionMask: attentionMask.map((m) => m.slice(0, 6)), returnKv: true });
  const b = await engineForward(em, seqs.map((s) => s.slice(6)), { past: a.kv });
  for (let r = 0; r < 2; r++) {
    const want = full.logits.data.subarray((r * 10 + 6) * V, (r + 1) * 10 * V);
    assert.ok(maxAbsDiff(b.logits.data.subarray(r * 4 * V, (r + 1) * 4 * V), want) < 1e-5, `row ${r}`);
  }
  assert.deepEqual(b.kv!.nextPosition, [10, 8]);
  assert.deepEqual(b.kv!.layers[0].k.dims, [2, 1, 10, 8]);
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('Llama gradients through rotary, GQA repeat, RMSNorm and SwiGLU: every parameter agrees with the tfjs engine and finite differences', async () => {
  const batch: nn.Batch = { inputs: [[1, 2, 3, 4, 5, 6], [6, 7, 8, 9, 10, 0]], targets: [[2, 3, 4, 5, 6, 7], [7, 8, 9, -1, 1, -1]] };
  for (const c of [CONFIGS[2], CONFIGS[3]]) {
    const model = fixture(12, c);
    const vars = [...model.params.values()] as nn.tf.Variable[];
    const names = [...model.params.keys()];
    const { value, grads: tfGrads } = tf.variableGrads(() => nn.batchLoss(model, batch), vars);
    const em = onnxOf(model);
    const feeds = lossBatchFeeds(model.config, crossEntropyLoss, batch);
    const weightFeeds = (w: Map<string, { shape: number[]; data: Float32Array }>) => Object.fromEntries([...w].map(([n, t]) => [n, { data: t.data, shape: t.shape }]));
    const gradSession = await createSession(buildGradGraph(model.config, crossEntropyLoss).toModel());
    const lossSession = await createSession(buildLossGraph(model.config, crossEntropyLoss).toModel());
    const out = await gradSession.run({ ...weightFeeds(em.weights), ...feeds });
    assert.ok(Math.abs((out.loss.data[0] as number) - value.dataSync()[0]) < 1e-5, c.label);
    for (const [i, name] of names.entries()) {
      const g = out[`grad.${name}`].data as Float32Array;
      const ref = tfGrads[vars[i].name].dataSync();
      const scale = Math.max(1e-3, ...Array.from(ref, Math.abs));
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j] - ref[j]) <= 1e-4 * scale + 1e-6, `${c.label} ${name}[${j}]: ${g[j]} vs tfjs ${ref[j]}`);
    }
    // Finite differences on the largest entry of the parameters rotary and the GQA repeat act on (layer 0 q, k, v).
    for (const name of ['q_proj.weight', 'k_proj.weight', 'v_proj.weight'].map((s) => `model.layers.0.self_attn.${s}`)) {
      const g = out[`grad.${name}`].data as Float32Array;
      const j = Array.from(g.keys()).reduce((a, b) => (Math.abs(g[b]) > Math.abs(g[a]) ? b : a), 0);
      const at = async (delta: number) => {
        const w = new Map(em.weights);
        const data = Float32Array.from(em.weights.get(name)!.data);
        data[j] += delta;
        w.set(name, { shape: em.weights.get(name)!.shape, data });
        return (await lossSession.run({ ...weightFeeds(w), ...feeds })).loss.data[0] as number;
      };
      const eps = 2e-3;
      const numeric = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      assert.ok(Math.abs(numeric - g[j]) <= 0.03 * Math.abs(g[j]) + 2e-4, `${c.label} ${name}[${j}]: numeric ${numeric} vs analytic ${g[j]}`);
    }
    await gradSession.release();
    await lossSession.release();
    Object.values(tfGrads).forEach((t) => t.dispose());
    value.dispose();
    nn.disposeModel(model);
  }
});

test('Llama/Qwen2/Mistral logits equal float64 numpy references written from the HF definition within 1e-4 (32 tokens)', async () => {
  const cases = referenceCases('test/nn/fixtures/onnx-llama-numpy.json');
  assert.equal(cases.length, 3);
  for (const c of cases) {
    // The generator's weights, in sorted name order.
    await assertReferenceLogits(c, referenceWeights(c.config, (name) => name.endsWith('norm.weight')), c.label);
    assert.ok(Math.max(...c.logits.map(Math.abs)) > 0.5, `${c.label}: the reference logits are not trivially small`);
  }
});

test('graph ops added for Llama: cos, sin and expand, forward values and gradients (analytic and finite differences)', async () => {
  // loss = Σ w ⊙ (cos(x) + sin(2x)) expanded from (2, 1, 3) to (2, 4, 3): dloss/dx = Σ_axis1 w ⊙ (−sin x + 2 cos 2x).
  const g = new Graph();
  const x = g.input('x', 'float32', [2, 1, 3]);
  const w = g.input('w', 'float32', [2, 4, 3]);
  const y = g.expand(g.add(g.cos(x), g.sin(g.mul(x, g.scalar(2)))), [1, 4, 1]);
  assert.deepEqual(y.shape, [2, 4, 3]);
  const loss = g.output(g.reduceSum(g.mul(y, w)), 'loss');
  const [gx] = g.grad(loss, [x]);
  g.output(gx, 'gx');
  g.output(y, 'y');
  const session = await createSession(g.toModel());
  const xs = Float32Array.from([0.3, -1.2, 2.5, 0.9, -0.4, 1.7]);
  const ws = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 0.5));
  const run = async (xv: Float32Array) => session.run({ x: { data: xv, shape: [2, 1, 3] }, w: { data: ws, shape: [2, 4, 3] } });
  const out = await run(xs);
  const yv = out.y.data as Float32Array;
  const gv = out.gx.data as Float32Array;
  for (let b = 0; b < 2; b++) {
    for (let j = 0; j < 3; j++) {
      const xv = xs[b * 3 + j];
      let want = 0;
      for (let r = 0; r < 4; r++) {
        assert.ok(Math.abs(yv[(b * 4 + r) * 3 + j] - (Math.cos(xv) + Math.sin(2 * xv))) < 1e-6);
        want += ws[(b * 4 + r) * 3 + j] * (-Math.sin(xv) + 2 * Math.cos(2 * xv));
      }
      assert.ok(Math.abs(gv[b * 3 + j] - want) < 1e-5, `gx[${b},${j}]: ${gv[b * 3 + j]} vs ${want}`);
      const at = async (delta: number) => {
        const xd = Float32Array.from(xs);
        xd[b * 3 + j] += delta;
        return (await run(xd)).loss.data[0] as number;
      };
      const numeric = ((await at(1e-2)) - (await at(-1e-2))) / 2e-2;
      assert.ok(Math.abs(numeric - want) < 2e-3 * Math.max(1, Math.abs(want)), `finite difference at [${b},${j}]`);
    }
  }
  await session.release();
});

test('Llama training on the engine follows the tfjs engine (Qwen2 GQA with biases: 12 AdamW steps, losses within 1e-4)', async () => {
  const config = nn.llamaConfig({ vocabSize: 32, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32, modelType: 'qwen2' });
  const tokens = Array.from({ length: 2000 }, (_, i) => (i * 31 + (i >> 3)) % 32);
  const opts = { tokens, batchSize: 4, seqLen: 16, steps: 12, lr: 3e-3, warmupSteps: 3, weightDecay: 0.1, clipNorm: 1, seed: 3 };
  const model = nn.initModel(config, 2);
  const em = onnxOf(model);
  const a = nn.train(model, opts);
  const b = await trainEngine(em, opts);
  a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) < 1e-4, `step ${i}: ${l} vs ${b.losses[i]}`));
  assert.ok(b.losses.at(-1)! < b.losses[0] - 0.1);
  nn.disposeModel(model);
});
