import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpt2Config, llamaConfig, type ModelConfig } from '../../src/io/config.js';
import { engineModel, initWeights } from '../../src/nn/engine.js';
import { createRng } from '../../src/linalg/index.js';
import { collectActivations, nextTokenLogProbs, ablateEverywhere } from '../../src/lab/activations.js';
import { refusalExperiment, type RefusalData } from '../../src/lab/refusal.js';
import { loadDirection } from '../../src/lab/files.js';
import { runLab } from '../../src/lab/pipeline.js';
import { cosine } from '../../src/lab/directions.js';
import { runCli } from '../helpers/cli.js';

const ORGANISM = 'models/organism-v1';

// Random prompts for a fixture: "harmful" ones contain token 5, "harmless" ones token 6, both end in [7, 8].
function fixtureData(seed: number, vocab: number): RefusalData {
  const rng = createRng(seed);
  const make = (marker: number, n: number) => Array.from({ length: n }, () => {
    const len = 3 + rng.int(4);
    const body = Array.from({ length: len }, () => 9 + rng.int(vocab - 9));
    body[rng.int(len)] = marker;
    return [2, ...body, 7, 8];
  });
  return {
    harmfulTrain: make(5, 16), harmlessTrain: make(6, 16), harmfulVal: make(5, 8), harmlessVal: make(6, 8), harmfulTest: make(5, 12), harmlessTest: make(6, 12),
    refusalTokens: [10, 11], positions: [-2, -1], description: `fixture seed ${seed}`,
  };
}

for (const [name, config] of [
  ['GPT-2', gpt2Config({ vocabSize: 40, nPositions: 32, nEmbd: 16, nLayer: 3, nHead: 2 })],
  ['Llama/GQA', llamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numLayers: 3, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32 })],
] as [string, ModelConfig][]) {
  test(`refusal experiment runs unchanged on a random-weight ${name} fixture`, async () => {
    const model = engineModel(config, initWeights(config, 3));
    const data = fixtureData(1, 40);
    const { result, direction } = await refusalExperiment(model, data, { model: name, randomControls: 3, seed: 2 });
    assert.equal(result.layers, 3);
    // Block inputs 0, 1, 2 and the last block's output (layer 3), at two positions each.
    assert.equal(result.candidates.length, 8);
    assert.deepEqual(result.candidates.map((c) => c.hook).slice(-2), ['blocks.2.hook_resid_post', 'blocks.2.hook_resid_post']);
    // ⌊3·0.8⌋ = 2: layers 2 and 3 are pruned, layers 0 and 1 are not.
    assert.ok(result.candidates.filter((c) => c.layer >= 2).every((c) => c.filtered.some((f) => f.startsWith('layer')) || c.norm === 0));
    assert.ok(result.candidates.filter((c) => c.layer < 2).every((c) => !c.filtered.some((f) => f.startsWith('layer'))));
    assert.equal(result.ablation.refusal.n, 12);
    assert.ok(result.ablation.refusal.low <= result.ablation.refusal.rate + 1e-12 && result.ablation.refusal.rate <= result.ablation.refusal.high + 1e-12);
    assert.ok(result.ablation.klHarmless >= 0 && Number.isFinite(result.addition.klHarmless));
    assert.equal(result.randomAblation.refusalRate.n, 3);
    // The dose-response: scale 1 is the addition itself; every strength has its random controls.
    assert.deepEqual(result.additionDoses.map((d) => d.scale), [1, 1.5, 2, 3]);
    assert.deepEqual(result.additionDoses[0].condition, result.addition);
    for (const d of result.additionDoses) assert.ok(d.random.refusalRate.n === 3 && d.condition.refusal.n === 12 && Number.isFinite(d.condition.klHarmless));
    assert.equal(direction.vector.length, 16);
    assert.equal(direction.provenance.hook, result.selected.hook);
  });
}

test('ablating a direction everywhere removes it from every residual stream the blocks read', async () => {
  const config = llamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32 });
  const model = engineModel(config, initWeights(config, 5));
  const prompts = fixtureData(4, 40).harmfulTest;
  const r = Float64Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
  const { engineForward } = await import('../../src/nn/engine.js');
  const { cache } = await engineForward(model, [prompts[0]], { names: ['blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post'], interventions: ablateEverywhere(model, [r]) });
  for (const h of ['blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post']) {
    const t = cache.get(h)!;
    for (let p = 0; p < t.shape[1]; p++) assert.ok(Math.abs(cosine(t.data.subarray(p * 16, (p + 1) * 16), r)) < 1e-4, `${h} position ${p}`);
  }
  // Left padding keeps negative positions on the same tokens: activations at −1 do not depend on batch-mates.
  const alone = await collectActivations(model, [prompts[0]], ['blocks.1.hook_resid_post'], [-1]);
  const batched = await collectActivations(model, [prompts[0], [2, 9, 9, 9, 9, 9, 9, 9, 9, 7, 8]], ['blocks.1.hook_resid_post'], [-1]);
  const a = alone.get('blocks.1.hook_resid_post')![0][0];
  const b = batched.get('blocks.1.hook_resid_post')![0][0];
  assert.ok(a.every((x, i) => Math.abs(x - b[i]) < 1e-4));
  const lp = await nextTokenLogProbs(model, prompts.slice(0, 2));
  assert.ok(Math.abs(lp[0].reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-5);
});

test('lvh lab on the v1 default organism: refusal step, probes, files, resume, report', async (t) => {
  if (!existsSync(join(ORGANISM, 'model.safetensors'))) return t.skip('no default organism');
  const run = mkdtempSync(join(tmpdir(), 'lvh-lab-run-'));
  const first = await runCli(['lab', '--model', ORGANISM, '--out', run, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as Awaited<ReturnType<typeof runLab>>;
  assert.deepEqual(out.ran, ['refusal', 'probes', 'quantities', 'ablate-value', 'subspaces']);
  // The paper's quantities under the default constitutions (harmless, cruel), measured on v1.
  const q = out.quantities!.result.constitutions;
  assert.deepEqual(q.map((c) => c.constitution), ['harmless', 'cruel']);
  assert.ok(q[0].alignment.judge > 0.3 && q[1].alignment.judge < -0.3, 'v_c aligns with v* under harmless and against it under cruel');
  assert.ok(q[0].agreement.judge.low > 0.9 && q[1].agreement.judge.high < 0.1);
  assert.ok(existsSync(join(run, 'quantities.json')) && existsSync(join(run, 'ablate-value.json')));
  assert.equal(out.ablateValue!.result.random.n, 10);
  const r = out.refusal.result;
  assert.equal(r.layers, 2);
  // ⌊2·0.8⌋ = 1 prunes layer 1; layer 0's block input at "assistant :" barely differs, so the rule is relaxed and said.
  assert.ok(r.selected.relaxed.includes('layer rule'));
  assert.ok(r.baseline.harmful.rate > 0.9 && r.baseline.harmless.rate < 0.05, 'the organism refuses harmful and not harmless first tokens');
  assert.ok(r.baseline.harmful.n > 150 && r.baseline.harmless.n > 150);
  assert.equal(r.randomAblation.refusalRate.n, 10);
  assert.ok(r.ablation.klHarmless <= 0.1);
  // Measured on v1: only the last block's output (layer 2) carries a direction that mediates refusal.
  assert.equal(r.selected.hook, 'blocks.1.hook_resid_post');
  assert.ok(r.ablation.refusal.rate < 0.1 && r.randomAblation.refusalRate.min > 0.9, 'ablation removes refusal, random ablations do not');
  assert.ok(r.addition.refusal.rate > 0.9 && r.randomAddition.refusalRate.max < 0.1, 'addition induces refusal, random additions do not');
  assert.ok(existsSync(join(run, 'refusal-direction.gguf')), 'blocks.1.hook_resid_post is llama.cpp layer 1: exportable');
  // Whole sampled responses, classified by the world.
  const resp = r.responses!;
  assert.equal(resp.harmfulAblated.complied.n, r.baseline.harmful.n);
  assert.ok(resp.harmfulAblated.complied.rate > resp.harmfulBase.complied.rate + 0.3, 'ablation raises harmful compliance');
  assert.ok(resp.harmlessBase.refused.rate < 0.05 && resp.harmlessAddedOnPrompt.refused.rate > 0.2, 'addition on the prompt induces refusals');
  const dir = loadDirection(join(run, 'refusal-direction.safetensors'));
  assert.ok('vector' in dir && dir.vector.length === 64 && dir.provenance.method === 'diff-of-means');
  assert.ok(out.probes.result.layers[1].probeAccuracy > 0.9, 'harmfulness is linearly readable at the last prompt token after block 0');
  for (const f of ['refusal.json', 'refusal.svg', 'probes.json', 'pca.L1.safetensors', 'report.html']) assert.ok(existsSync(join(run, f)), f);
  assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /Refusal direction/);
  const before = statSync(join(run, 'refusal.json')).mtimeMs;
  const second = await runCli(['lab', '--model', ORGANISM, '--out', run, '--json']);
  assert.equal(second.code, 0);
  assert.deepEqual((JSON.parse(second.stdout) as { ran: string[] }).ran, [], 'a second run skips every step');
  assert.equal(statSync(join(run, 'refusal.json')).mtimeMs, before);
});

test('lvh lab: bad input exits 2 with one line', async () => {
  const missing = await runCli(['lab', '--out', join(tmpdir(), 'lvh-lab-x')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr.trim(), /^[^\n]*--model[^\n]*$/);
  const bad = await runCli(['lab', '--model', '/nonexistent-model', '--out', join(tmpdir(), 'lvh-lab-y')]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('the lab pipeline runs unchanged on a random-weight GPT-2 fixture (files, report, resume)', async () => {
  const config = gpt2Config({ vocabSize: 40, nPositions: 32, nEmbd: 16, nLayer: 3, nHead: 2 });
  const model = engineModel(config, initWeights(config, 8));
  const run = mkdtempSync(join(tmpdir(), 'lvh-lab-fixture-'));
  const inputs = { model, modelName: 'gpt2-fixture', modelHash: 'fixture-8', data: fixtureData(2, 40), seed: 1 };
  const first = await runLab(run, inputs);
  assert.deepEqual(first.ran, ['refusal', 'probes']);
  assert.equal(first.probes.result.layers.length, 4, 'three block inputs and the last block output');
  assert.ok(existsSync(join(run, 'probe.L2.safetensors')) && existsSync(join(run, 'report.html')));
  const again = await runLab(run, inputs);
  assert.deepEqual(again.ran, []);
  const changed = await runLab(run, { ...inputs, seed: 2 });
  assert.deepEqual(changed.ran, ['refusal', 'probes'], 'another seed is another input hash');
});
