import onnxProto from 'onnx-proto';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import type { Model } from '../../src/nn/index.js';
import { buildForwardGraph, engineForward, engineModel, engineWeights, releaseEngineModel, type Intervention } from '../../src/nn/onnx/forward.js';
import { checkDevice, createSession, deviceAvailable } from '../../src/nn/onnx/session.js';
import { Graph } from '../../src/nn/onnx/graph.js';
import { isInputError } from '../../src/util/errors.js';
import { assertInterventionsMatchHooks, assertReferenceLogits, maxAbsDiff, onnxOf, perturbed, referenceCases, referenceWeights, tfLogits, type InterventionCase } from '../helpers/engine.js';

const tf = nn.tf;
before(async () => {
  await nn.initBackend();
});

// Random GPT-2 fixtures with perturbed norms and biases (so that every parameter kind matters).
function fixture(seed: number, o: { vocabSize: number; nPositions: number; nEmbd: number; nLayer: number; nHead: number }): Model {
  return perturbed(nn.initModel(nn.gpt2Config(o), seed), seed);
}

test('organism-v1: ORT logits equal the tfjs engine within 1e-4 (both GPT-2 key layouts, both weight modes, padded batch)', async () => {
  const { model } = await nn.loadModelDir('models/organism-v1');
  const ids = [[2, 5, 7, 9, 11, 40, 3, 8, 60, 61, 62, 63], [0, 0, 0, 2, 6, 1, 100, 11, 40, 3, 8, 9]];
  const attentionMask = [ids[0].map(() => 1), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
  const ref = tfLogits(model, ids, { attentionMask });
  const named = nn.modelWeights(model);
  const unprefixed = new Map([...named].map(([n, t]) => [n.replace(/^transformer\./, ''), t]));
  for (const weights of [named, unprefixed]) {
    for (const mode of ['inputs', 'initializers'] as const) {
      const em = engineModel(model.config, engineWeights(model.config, weights), { weightMode: mode });
      const r = await engineForward(em, ids, { attentionMask });
      assert.deepEqual(r.logits.shape, [2, 12, 205]);
      // Padding positions differ (the engines agree on real positions only): compare row 0 whole and row 1 after the pad.
      const V = 205;
      assert.ok(maxAbsDiff(r.logits.data.subarray(0, 12 * V), ref.subarray(0, 12 * V)) < 1e-4);
      assert.ok(maxAbsDiff(r.logits.data.subarray(15 * V), ref.subarray(15 * V)) < 1e-4);
      await releaseEngineModel(em);
    }
  }
  nn.disposeModel(model);
});

test('random GPT-2 fixtures: logits equal the tfjs engine within 1e-4', async () => {
  const configs = [
    { vocabSize: 11, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2 },
    { vocabSize: 37, nPositions: 24, nEmbd: 24, nLayer: 3, nHead: 3 },
    { vocabSize: 50, nPositions: 32, nEmbd: 32, nLayer: 1, nHead: 4 },
  ];
  for (const [i, c] of configs.entries()) {
    const model = fixture(i + 1, c);
    const ids = [Array.from({ length: c.nPositions }, (_, t) => (t * 7 + i) % c.vocabSize), Array.from({ length: c.nPositions }, (_, t) => (t * t + 3) % c.vocabSize)];
    const em = onnxOf(model);
    const r = await engineForward(em, ids);
    assert.ok(maxAbsDiff(r.logits.data, tfLogits(model, ids)) < 1e-4, `config ${i}`);
    await releaseEngineModel(em);
    nn.disposeModel(model);
  }
});

test('every hook point comes back as an output equal to the tfjs cache', async () => {
  const model = fixture(4, { vocabSize: 19, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2 });
  const ids = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]];
  const names = nn.hookNames(model);
  const ref = nn.runWithCache(model, ids, { names });
  const em = onnxOf(model);
  const r = await engineForward(em, ids, { names });
  for (const name of names) {
    const want = ref.cache.get(name)!;
    const got = r.cache.get(name)!;
    assert.deepEqual(got.shape, want.shape, name);
    assert.ok(maxAbsDiff(got.data, want.dataSync()) < 1e-4, name);
  }
  ref.logits.dispose();
  ref.cache.forEach((t) => t.dispose());
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('interventions as graph inputs equal the tfjs hooks (add, ablate a subspace, replace; chosen layers and positions)', async () => {
  const model = fixture(5, { vocabSize: 23, nPositions: 16, nEmbd: 16, nLayer: 3, nHead: 4 });
  const ids = [[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]];
  const vec = Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
  const basis = [vec, Array.from({ length: 16 }, (_, i) => Math.cos(3 * i)), Array.from({ length: 16 }, (_, i) => (i % 3) - 1)];
  const cases: InterventionCase[] = [
    { ivs: [{ kind: 'add', hook: 'blocks.1.hook_resid_post', vector: vec, scale: 2.5 }], hooks: [nn.addVectorHook(vec, { layers: [1] }, 2.5)] },
    { ivs: [{ kind: 'add', hook: 'blocks.0.hook_attn_out', vector: vec, positions: [2, 5] }], hooks: [nn.addVectorHook(vec, { layers: [0], hookName: 'hook_attn_out', positions: [2, 5] })] },
    {
      ivs: [0, 1, 2].map((l) => ({ kind: 'ablate' as const, hook: `blocks.${l}.hook_resid_pre`, basis })),
      hooks: [nn.ablateSubspaceHook(basis, { hookName: 'hook_resid_pre' })],
    },
    { ivs: [{ kind: 'replace', hook: 'blocks.2.hook_mlp_out', value: vec, positions: [0, 7] }], hooks: [nn.replaceHook(vec, { layers: [2], hookName: 'hook_mlp_out', positions: [0, 7] })] },
    {
      ivs: [{ kind: 'ablate', hook: 'blocks.1.hook_resid_mid', basis: [vec] }, { kind: 'add', hook: 'blocks.1.hook_resid_mid', vector: basis[1], positions: [3] }],
      hooks: [nn.ablateDirectionHook(vec, { layers: [1], hookName: 'hook_resid_mid' }), nn.addVectorHook(basis[1], { layers: [1], hookName: 'hook_resid_mid', positions: [3] })],
    },
  ];
  await assertInterventionsMatchHooks(model, ids, cases);
});

test('key/value cache: prefix then continuation equals one pass over the whole sequence', async () => {
  const model = fixture(6, { vocabSize: 29, nPositions: 24, nEmbd: 16, nLayer: 2, nHead: 2 });
  const seq = [4, 8, 15, 16, 23, 0, 1, 2, 3, 5];
  const em = onnxOf(model);
  const full = await engineForward(em, [seq]);
  const a = await engineForward(em, [seq.slice(0, 6)], { returnKv: true });
  const b = await engineForward(em, [seq.slice(6, 9)], { past: a.kv });
  const c = await engineForward(em, [seq.slice(9)], { past: b.kv, lastOnly: true });
  const V = 29;
  assert.ok(maxAbsDiff(b.logits.data, full.logits.data.subarray(6 * V, 9 * V)) < 1e-5);
  assert.deepEqual(c.logits.shape, [1, 1, V]);
  assert.ok(maxAbsDiff(c.logits.data, full.logits.data.subarray(9 * V)) < 1e-5);
  assert.equal(c.kv!.length, 10);
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('determinism: the same weights, ids and threads give the same bytes; 1 and 2 threads agree within 1e-5', async () => {
  const model = fixture(7, { vocabSize: 64, nPositions: 32, nEmbd: 64, nLayer: 2, nHead: 4 });
  const ids = [Array.from({ length: 32 }, (_, t) => (t * 13) % 64)];
  const runs: Float32Array[] = [];
  for (const threads of [1, 1, 2, 2]) {
    const em = onnxOf(model, { threads });
    runs.push(Float32Array.from((await engineForward(em, ids)).logits.data));
    await releaseEngineModel(em);
  }
  assert.deepEqual(Buffer.from(runs[0].buffer), Buffer.from(runs[1].buffer));
  assert.deepEqual(Buffer.from(runs[2].buffer), Buffer.from(runs[3].buffer));
  assert.ok(maxAbsDiff(runs[0], runs[2]) < 1e-5);
  nn.disposeModel(model);
});

test('device: cpu always runs; cuda is refused with an InputError when the binding lacks it; unknown hook names are InputErrors', async () => {
  assert.equal(deviceAvailable('cpu'), true);
  checkDevice('cpu');
  if (!deviceAvailable('cuda')) {
    assert.throws(() => checkDevice('cuda'), (e) => isInputError(e) && /CUDA/.test(e.message));
    const g = new Graph();
    g.output(g.neg(g.input('x', 'float32', [1])), 'y');
    await assert.rejects(createSession(g.toModel(), { device: 'cuda' }), (e) => isInputError(e));
  }
  assert.throws(() => checkDevice('tpu' as 'cpu'), (e) => isInputError(e));
  const model = fixture(8, { vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 });
  const em = onnxOf(model);
  await assert.rejects(engineForward(em, [[1, 2]], { names: ['blocks.5.hook_resid_post'] }), (e) => isInputError(e));
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('JavaScript hooks run the graph in segments and equal the tfjs hooks (residual and non-residual cuts, captures, kv cache)', async () => {
  const model = fixture(9, { vocabSize: 31, nPositions: 16, nEmbd: 16, nLayer: 3, nHead: 2 });
  const ids = [[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]];
  const halve = (a: { data: Float32Array; shape: number[] }) => ({ data: a.data.map((v) => v * 0.5 + 0.1), shape: a.shape });
  const squash = (a: { data: Float32Array; shape: number[] }) => ({ data: a.data.map(Math.tanh), shape: a.shape });
  const hooks = [{ name: 'blocks.0.hook_resid_post', fn: halve }, { name: /^blocks\.1\.hook_attn_out$/, fn: squash }];
  const tfHooks: nn.Hook[] = [
    { name: 'blocks.0.hook_resid_post', fn: (x) => tf.add(tf.mul(x, 0.5), 0.1) },
    { name: 'blocks.1.hook_attn_out', fn: (x) => tf.tanh(x) },
  ];
  const names = ['blocks.0.hook_resid_post', 'blocks.1.hook_attn_out', 'blocks.1.hook_resid_mid', 'blocks.2.hook_resid_post'];
  const ref = nn.runWithCache(model, ids, { names, hooks: tfHooks });
  const em = onnxOf(model);
  const r = await engineForward(em, ids, { hooks, names });
  assert.ok(maxAbsDiff(r.logits.data, ref.logits.dataSync()) < 1e-4);
  for (const name of names) assert.ok(maxAbsDiff(r.cache.get(name)!.data, ref.cache.get(name)!.dataSync()) < 1e-4, name);
  ref.logits.dispose();
  ref.cache.forEach((t) => t.dispose());
  // With an intervention before a cut and the key/value cache: prefix + continuation equal the whole hooked pass.
  const iv: Intervention[] = [{ kind: 'add', hook: 'blocks.1.hook_resid_pre', vector: Array.from({ length: 16 }, (_, i) => i / 16) }];
  const whole = await engineForward(em, [ids[0]], { hooks, interventions: iv });
  const a = await engineForward(em, [ids[0].slice(0, 5)], { hooks, interventions: iv, returnKv: true });
  const b = await engineForward(em, [ids[0].slice(5)], { hooks, interventions: iv, past: a.kv });
  assert.ok(maxAbsDiff(b.logits.data, whole.logits.data.subarray(5 * 31)) < 1e-5);
  const want = tfLogits(model, [ids[0]], { hooks: [...tfHooks, nn.addVectorHook(iv[0].kind === 'add' ? iv[0].vector : [], { layers: [1], hookName: 'hook_resid_pre' })] });
  assert.ok(maxAbsDiff(whole.logits.data, want) < 1e-4);
  await assert.rejects(engineForward(em, ids, { hooks: [{ name: 'blocks.0.hook_mlp_out', fn: (x) => ({ data: x.data.subarray(1), shape: x.shape }) }] }), /returned shape/);
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('interventions at mlp.hook_post take the MLP width; attention patterns and wrong widths are refused', async () => {
  const model = fixture(10, { vocabSize: 17, nPositions: 12, nEmbd: 8, nLayer: 2, nHead: 2 });
  const ids = [[1, 2, 3, 4, 5]];
  const wide = Array.from({ length: 32 }, (_, i) => Math.cos(i));
  const em = onnxOf(model);
  const r = await engineForward(em, ids, { interventions: [{ kind: 'replace', hook: 'blocks.1.mlp.hook_post', value: wide, positions: [1, 3] }, { kind: 'ablate', hook: 'blocks.0.mlp.hook_post', basis: [wide] }] });
  const want = tfLogits(model, ids, { hooks: [nn.replaceHook(wide, { layers: [1], hookName: 'mlp.hook_post', positions: [1, 3] }), nn.ablateDirectionHook(wide, { layers: [0], hookName: 'mlp.hook_post' })] });
  assert.ok(maxAbsDiff(r.logits.data, want) < 1e-4);
  await assert.rejects(engineForward(em, ids, { interventions: [{ kind: 'add', hook: 'blocks.0.attn.hook_pattern', vector: [1] }] }), (e) => isInputError(e));
  await assert.rejects(engineForward(em, ids, { interventions: [{ kind: 'add', hook: 'blocks.0.hook_resid_post', vector: wide }] }), (e) => isInputError(e) && /length 8/.test(e.message));
  await releaseEngineModel(em);
  nn.disposeModel(model);
});

test('GPT-2 logits equal float64 numpy references written from the HF definition within 1e-4 (both key layouts, both weight modes, 32 tokens)', async () => {
  const cases = referenceCases('test/nn/fixtures/onnx-gpt2-numpy.json');
  assert.equal(cases.length, 2);
  for (const c of cases) {
    // The generator's weights, in sorted (prefixed) name order.
    const named = referenceWeights(c.config, (name) => /\.ln_[^.]*\.weight$/.test(name));
    const unprefixed = new Map([...named].map(([n, t]) => [n.replace(/^transformer\./, ''), t]));
    for (const [layout, weights] of [['transformer.*', named], ['unprefixed', unprefixed]] as const) {
      for (const mode of ['inputs', 'initializers'] as const) await assertReferenceLogits(c, weights, `${c.label} (${layout}, ${mode})`, mode);
    }
    assert.ok(Math.max(...c.logits.map(Math.abs)) > 0.5, `${c.label}: the reference logits are not trivially small`);
  }
});

test('forward-only GPT-2 graphs use the fused kernels (FastGelu, MultiHeadAttention); the kv cache and a cut at the pattern keep the plain attention', async () => {
  const config = nn.gpt2Config({ vocabSize: 30, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2 });
  const ops = (v: Parameters<typeof buildForwardGraph>[1]) => {
    const nodes = onnxProto.onnx.ModelProto.decode(buildForwardGraph(config, v, { mode: 'inputs' }).toModel()).graph!.node!;
    const count = (op: string) => nodes.filter((n) => n.opType === op).length;
    return { fastGelu: count('FastGelu'), mha: count('MultiHeadAttention'), softmax: count('Softmax') };
  };
  const base = { hooks: [], interventions: [], kvCache: false, lastOnly: false };
  assert.deepEqual(ops(base), { fastGelu: 2, mha: 2, softmax: 0 });
  assert.deepEqual(ops({ ...base, hooks: ['blocks.1.attn.hook_pattern'] }), { fastGelu: 2, mha: 2, softmax: 1 }); // the pattern output alone
  assert.deepEqual(ops({ ...base, kvCache: true }), { fastGelu: 2, mha: 0, softmax: 2 });
  assert.deepEqual(ops({ ...base, segment: { cutsBefore: ['blocks.0.attn.hook_pattern'] } }), { fastGelu: 2, mha: 1, softmax: 0 });
  // The training graph never sees them (it takes gradients): buildTrainGraph's own tests cover it; grad on an inference graph throws.
  const g = new Graph({ inference: true });
  const x = g.input('x', 'float32', [2]);
  assert.throws(() => g.grad(g.reduceSum(g.mul(x, x)), [x]), /inference/);
});
