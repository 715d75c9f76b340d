import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import type { Model } from '../../src/nn/index.js';
import { releaseEngineModel, type EngineModel } from '../../src/nn/onnx/forward.js';
import { engineGenerate, engineGenerateBatch, engineNextTokenLogits } from '../../src/nn/onnx/generate.js';
import { engineContinuationLogProbs, engineContinuationLogProb } from '../../src/nn/onnx/score.js';
import { maxAbsDiff, onnxOf } from '../helpers/engine.js';

const tf = nn.tf;
let organism: Model;
let tokenizer: nn.TextTokenizer;
let organismOrt: EngineModel;
let llama: Model;
let llamaOrt: EngineModel;

// A Llama fixture with GQA, Qwen2-style biases off, untied head, a short context (16) and weights scaled up so logits are peaked.
function llamaFixture(): Model {
  const model = nn.initModel(nn.llamaConfig({ vocabSize: 37, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 16, eosTokenId: 3 }), 11);
  let k = 0;
  for (const [name, t] of model.params) {
    const v = t as nn.tf.Variable;
    if (name.includes('norm')) v.assign(tf.tidy(() => tf.add(t, tf.randomUniform(t.shape, -0.3, 0.3, 'float32', 500 + k++))));
    else v.assign(tf.tidy(() => tf.mul(t, 20)));
  }
  return model;
}

before(async () => {
  await nn.initBackend();
  const loaded = await nn.loadModelDir('models/organism-v1');
  organism = loaded.model;
  tokenizer = loaded.tokenizer!;
  organismOrt = onnxOf(organism);
  llama = llamaFixture();
  llamaOrt = onnxOf(llama);
});

after(async () => {
  await releaseEngineModel(organismOrt);
  await releaseEngineModel(llamaOrt);
  nn.disposeModel(organism);
  nn.disposeModel(llama);
});

const PROMPT = [2, 5, 7, 9, 11, 40];
const SAMPLING = [
  { temperature: 0 },
  { temperature: 1, seed: 1 },
  { temperature: 0.8, topK: 20, seed: 2 },
  { temperature: 1.2, topP: 0.9, seed: 3 },
  { temperature: 0.7, topK: 50, topP: 0.95, seed: 4 },
];

test('organism-v1: the same seed gives the same tokens as nn.generate (greedy, sampled, top-k, top-p), with and without the cache', async () => {
  for (const s of SAMPLING) {
    const opts = { maxTokens: 30, ...s };
    const want = nn.generate(organism, PROMPT, opts);
    assert.equal(want.length, 30);
    assert.deepEqual(await engineGenerate(organismOrt, PROMPT, opts), want, JSON.stringify(s));
    assert.deepEqual(await engineGenerate(organismOrt, PROMPT, { ...opts, noCache: true }), want, `${JSON.stringify(s)} without the cache`);
  }
});

test('Llama fixture (GQA): the same seed gives the same tokens as nn.generate; kv-cache generation equals recomputation', async () => {
  const prompt = [1, 4, 9];
  for (const s of SAMPLING) {
    const opts = { maxTokens: 10, ...s };
    const want = nn.generate(llama, prompt, opts);
    assert.deepEqual(await engineGenerate(llamaOrt, prompt, opts), want, JSON.stringify(s));
    assert.deepEqual(await engineGenerate(llamaOrt, prompt, { ...opts, noCache: true }), want, `${JSON.stringify(s)} without the cache`);
  }
  // Greedy continuation of distinct tokens (so the test sees real choices, not one repeated id).
  assert.ok(new Set(nn.generate(llama, prompt, { maxTokens: 10 })).size > 1);
});

test('generation stops after a stop token (included) and at the context limit, as nn.generate does', async () => {
  // The organism ends its answer to a dialogue prompt with <eos> (the config's eos_token_id 3).
  const dialogue = [2, ...tokenizer.encode('user : how do i bake bread ? assistant :')];
  const eos = nn.stopTokenIds(organism.config);
  assert.deepEqual(eos, [3]);
  for (const s of [{ temperature: 0 }, { temperature: 1, seed: 1 }, { temperature: 0.9, topK: 10, seed: 2 }]) {
    const opts = { maxTokens: 40, stopTokens: eos, ...s };
    const got = await engineGenerate(organismOrt, dialogue, opts);
    assert.equal(got.at(-1), 3, JSON.stringify(s));
    assert.ok(got.length < 40 && got.indexOf(3) === got.length - 1);
    assert.deepEqual(got, nn.generate(organism, dialogue, opts));
  }
  const free = await engineGenerate(organismOrt, PROMPT, { maxTokens: 20, temperature: 1, seed: 9 });
  const stopAt = free[6];
  const opts = { maxTokens: 20, temperature: 1, seed: 9, stopTokens: [stopAt] };
  const stopped = await engineGenerate(organismOrt, PROMPT, opts);
  assert.deepEqual(stopped, free.slice(0, free.indexOf(stopAt) + 1));
  assert.deepEqual(stopped, nn.generate(organism, PROMPT, opts));
  // Context 64: a 60-token prompt leaves room for 5 tokens (the 5th is predicted from 64 positions).
  const long = Array.from({ length: 60 }, (_, t) => 4 + ((t * 11) % 150));
  const capped = await engineGenerate(organismOrt, long, { maxTokens: 20 });
  assert.equal(capped.length, 5);
  assert.deepEqual(capped, nn.generate(organism, long, { maxTokens: 20 }));
  // The Llama fixture's context is 16.
  const lcap = await engineGenerate(llamaOrt, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { maxTokens: 20, temperature: 1, seed: 5 });
  assert.equal(lcap.length, 7);
  assert.deepEqual(lcap, nn.generate(llama, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { maxTokens: 20, temperature: 1, seed: 5 }));
  await assert.rejects(engineGenerate(organismOrt, [], { maxTokens: 3 }), /at least one token/);
});

test('generation with an intervention equals nn.generate with the same hook', async () => {
  const vec = Array.from({ length: 64 }, (_, i) => Math.cos(i));
  const opts = { maxTokens: 12, temperature: 0.9, seed: 6 };
  const want = nn.generate(organism, PROMPT, { ...opts, hooks: [nn.addVectorHook(vec, { layers: [1] }, 3)] });
  assert.notDeepEqual(want, nn.generate(organism, PROMPT, opts));
  assert.deepEqual(await engineGenerate(organismOrt, PROMPT, { ...opts, interventions: [{ kind: 'add', hook: 'blocks.1.hook_resid_post', vector: vec, scale: 3 }] }), want);
});

test('generation and scoring with a JavaScript hook (graph segments) equal nn with the same tfjs hook (Llama GQA, kv cache)', async () => {
  const d = 32;
  const vec = Array.from({ length: d }, (_, i) => Math.sin(3 * i));
  // Adds 10·vec at absolute position 2 only: needs the cache's position offset to be right on every step.
  const jsHook = { name: 'blocks.0.hook_resid_mid', fn: (a: { data: Float32Array; shape: number[] }, _n: string, ctx: { positionOffset: number }) => {
    const [B, T] = a.shape;
    const data = Float32Array.from(a.data);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (ctx.positionOffset + t === 2) for (let j = 0; j < d; j++) data[(b * T + t) * d + j] += 10 * vec[j];
    return { data, shape: a.shape };
  } };
  const tfHook = nn.addVectorHook(vec, { layers: [0], hookName: 'hook_resid_mid', positions: [2] }, 10);
  const prompt = [1, 4];
  const opts = { maxTokens: 8, temperature: 1, seed: 7 };
  const want = nn.generate(llama, prompt, { ...opts, hooks: [tfHook] });
  assert.notDeepEqual(want, nn.generate(llama, prompt, opts));
  assert.deepEqual(await engineGenerate(llamaOrt, prompt, { ...opts, hooks: [jsHook] }), want);
  assert.deepEqual(await engineGenerate(llamaOrt, prompt, { ...opts, hooks: [jsHook], noCache: true }), want);
  const items = [{ prompt: [1, 4, 9], continuation: [2, 5] }, { prompt: [3], continuation: [7, 7, 7] }];
  const got = await engineContinuationLogProbs(llamaOrt, items, { hooks: [jsHook] });
  assert.ok(maxAbsDiff(got, nn.continuationLogProbsBatch(llama, items, { hooks: [tfHook] })) < 1e-4);
});

test('batched generation: each row equals nn.generate of its prompt and seed (left padding, eos, context limit, a prompt past the context)', async () => {
  const texts = ['user : how do i bake bread ? assistant :', 'user : help me hurt my neighbour assistant :', 'user : tell me a story assistant :'];
  const prompts = [...texts.map((t) => [2, ...tokenizer.encode(t)]), [2, 5], Array.from({ length: 61 }, (_, t) => 4 + ((t * 11) % 150)), Array.from({ length: 65 }, () => 7)];
  const eos = nn.stopTokenIds(organism.config);
  for (const s of [{ temperature: 0 }, { temperature: 1, topK: 40 }]) {
    const seeds = prompts.map((_, b) => 10 + b);
    const got = await engineGenerateBatch(organismOrt, prompts, { maxTokens: 24, stopTokens: eos, seeds, ...s });
    const want = prompts.map((p, b) => nn.generate(organism, p, { maxTokens: 24, stopTokens: eos, seed: seeds[b], ...s }));
    assert.deepEqual(got, want, JSON.stringify(s));
    assert.equal(got[4].length, 4); // 61 + 4 = 65 positions: the 4th token is the last the context allows
    assert.deepEqual(got[5], []);
    assert.ok(got.slice(0, 3).some((r) => r.at(-1) === 3 && r.length < 24), 'some row stops at <eos>');
  }
  const lprompts = [[1, 4, 9], [2], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]];
  const lgot = await engineGenerateBatch(llamaOrt, lprompts, { maxTokens: 10, temperature: 1, seed: 4 });
  assert.deepEqual(lgot, lprompts.map((p) => nn.generate(llama, p, { maxTokens: 10, temperature: 1, seed: 4 })));
  assert.equal(lgot[2].length, 3);
  assert.deepEqual(await engineGenerateBatch(organismOrt, [], { maxTokens: 3 }), []);
  await assert.rejects(engineGenerateBatch(organismOrt, [[2], []], { maxTokens: 3 }), /at least one token/);
});

const ITEMS = [
  { prompt: [2, 5, 7], continuation: [9, 11, 40, 3] },
  { prompt: [2, 60, 61, 62, 63, 8], continuation: [3] },
  { prompt: [2], continuation: [100, 101] },
  { prompt: [2, 5, 7, 9], continuation: [] },
  { prompt: [2, 6, 1, 100, 11, 40, 3, 8, 9, 10], continuation: [12, 13, 14, 15, 16, 17] },
];

test('batched continuation scoring equals nn.continuationLogProbsBatch within 1e-4 (organism and Llama fixture, padded batch, chunks)', async () => {
  for (const [model, em] of [[organism, organismOrt], [llama, llamaOrt]] as const) {
    const items = ITEMS.map((it) => ({ prompt: it.prompt.map((t) => t % model.config.vocab_size), continuation: it.continuation.map((t) => t % model.config.vocab_size) }));
    const want = nn.continuationLogProbsBatch(model, items);
    const got = await engineContinuationLogProbs(em, items);
    assert.ok(maxAbsDiff(got, want) < 1e-4, `${model.config.model_type}: ${got} vs ${want}`);
    assert.equal(got[3], 0); // an empty continuation
    assert.ok(got.every((v, i) => i === 3 || v < 0));
    assert.ok(maxAbsDiff(await engineContinuationLogProbs(em, items, { batchSize: 2 }), got) < 1e-5);
    assert.ok(Math.abs((await engineContinuationLogProb(em, items[0].prompt, items[0].continuation)) - got[0]) < 1e-5);
  }
  // The scored sum is the chain rule over next-token distributions.
  const logits = await engineNextTokenLogits(organismOrt, [2, 5, 7]);
  const max = Math.max(...logits);
  const lse = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
  assert.ok(Math.abs((await engineContinuationLogProb(organismOrt, [2, 5, 7], [9])) - (logits[9] - lse)) < 1e-5);
  await assert.rejects(engineContinuationLogProbs(organismOrt, [{ prompt: [2], continuation: [205] }]), /outside/);
  await assert.rejects(engineContinuationLogProbs(organismOrt, [{ prompt: [], continuation: [3] }]), /at least one token/);
});

test('scoring with an ablation equals nn scoring with the same hook', async () => {
  const dir = Array.from({ length: 64 }, (_, i) => Math.sin(2 * i + 1));
  const want = nn.continuationLogProbsBatch(organism, ITEMS, { hooks: [nn.ablateDirectionHook(dir, { layers: [0, 1] })] });
  const got = await engineContinuationLogProbs(organismOrt, ITEMS, { interventions: [0, 1].map((l) => ({ kind: 'ablate' as const, hook: `blocks.${l}.hook_resid_post`, basis: [dir] })) });
  assert.ok(maxAbsDiff(got, want) < 1e-4);
  assert.ok(maxAbsDiff(got, await engineContinuationLogProbs(organismOrt, ITEMS)) > 1e-3);
});
