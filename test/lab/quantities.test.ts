import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpt2Config, llamaConfig, type ModelConfig } from '../../src/io/config.js';
import { engineModel, initWeights } from '../../src/nn/engine.js';
import { createRng } from '../../src/linalg/index.js';
import {
  ablateValue, alignmentFromAgreement, correlation, measureQuantities, randomCosineBaseline, type QuantitiesData, type ValuePair,
} from '../../src/lab/quantities.js';
import { runLab } from '../../src/lab/pipeline.js';
import { worldQuantitiesData } from '../../src/lab/world-data.js';
import { loadOrganismModel } from '../../src/organism/engine-model.js';
import { isInputError } from '../../src/util/errors.js';

const ORGANISM = 'models/organism-v1';

// Random pairs: the "better" response holds token 5, the worse token 6; the judging prompt is
// [bos, constitution tokens, 7, first response, 8, second response, 9].
function fixtureData(seed: number, vocab: number): QuantitiesData {
  const rng = createRng(seed);
  const resp = (marker: number) => {
    const body = Array.from({ length: 3 }, () => 12 + rng.int(vocab - 12));
    body[rng.int(3)] = marker;
    return body;
  };
  const word = (c: string) => c.split(' ').map((w) => 12 + ([...w].reduce((s, ch) => s + ch.charCodeAt(0), 0) % (vocab - 12)));
  const pair = (judged: boolean): ValuePair => {
    const prompt = [2, 10, 11];
    const better = resp(5);
    const worse = resp(6);
    return {
      betterDoc: [...prompt, ...better], worseDoc: [...prompt, ...worse], prompt, better, worse, betterValue: 1, worseValue: -1,
      judge: judged ? (c, first) => [2, ...word(c), 7, ...(first ? better : worse), 8, ...(first ? worse : better), 9] : null,
      judgeEnds: (c, first) => {
        const e1 = word(c).length + 1 + (first ? better : worse).length;
        return [e1, e1 + 1 + (first ? worse : better).length];
      },
    };
  };
  const side = (n: number) => Array.from({ length: n }, (_, i) => pair(i % 4 !== 3));
  return { train: side(16), test: side(12), answerTokens: [3, 4], neutral: 'fresh', antiSocial: { anti: [[2, 6, 6], [2, 6, 13]], pro: [[2, 5, 5], [2, 5, 13]] }, description: `fixture ${seed}` };
}

test('correlation, the random-cosine baseline and the inverted agreement formula', () => {
  const c = correlation([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12.5]);
  assert.ok(c.r > 0.99 && c.low < c.r && c.high <= 1 && c.n === 6);
  assert.ok(Number.isNaN(correlation([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]).r), 'a constant side has no correlation');
  for (const d of [16, 64]) {
    const b = randomCosineBaseline(d, 2000, 3);
    const expected = Math.sqrt(2 / (Math.PI * d));
    assert.ok(Math.abs(b.meanAbs - expected) < 0.15 * expected, `mean |cos| ≈ sqrt(2/(πd)) at d=${d}: ${b.meanAbs} vs ${expected}`);
    assert.ok(b.q95Abs > b.meanAbs && b.q95Abs < 1);
  }
  assert.equal(alignmentFromAgreement(1), 1);
  assert.ok(Math.abs(alignmentFromAgreement(0.5)) < 1e-12);
  assert.equal(alignmentFromAgreement(0), -1);
  assert.ok(Math.abs(alignmentFromAgreement(0.75) - Math.SQRT1_2) < 1e-12, 'agreement 3/4 is a 45° angle');
});

for (const [name, config] of [
  ['GPT-2', gpt2Config({ vocabSize: 40, nPositions: 32, nEmbd: 16, nLayer: 2, nHead: 2 })],
  ['Llama/GQA', llamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32 })],
] as [string, ModelConfig][]) {
  test(`quantities and ablate-value run unchanged on a random-weight ${name} fixture`, async () => {
    const model = engineModel(config, initWeights(config, 5));
    const data = fixtureData(1, 40);
    const q = await measureQuantities(model, data, ['kind', 'cruel'], 2);
    assert.equal(q.constitutions.length, 2);
    assert.equal(q.baseline.d, 16);
    assert.equal(q.nJudgedTest, 9);
    for (const c of q.constitutions) {
      assert.equal(c.layers.length, 2);
      assert.equal(c.agreement.judge.n, 9);
      assert.ok(c.agreement.judge.low <= c.agreement.judge.rate && c.agreement.judge.rate <= c.agreement.judge.high);
      for (const l of c.layers) for (const x of Object.values(l.cos)) assert.ok(x === null || (x >= -1 - 1e-9 && x <= 1 + 1e-9));
      // The theory engine was fed the measured vectors: its alignments are the measured cosines.
      assert.ok(Math.abs(c.theory.alignmentJudge - c.alignment.judge) < 1e-9);
      assert.ok(Math.abs(c.theory.alignmentGeneration - c.alignment.generation) < 1e-9);
      assert.equal(c.theory.improves, c.alignment.judge > c.alignment.generation);
      const [lo, hi] = c.alignment.judgeInterval!;
      assert.ok(lo <= hi && lo >= -1 && hi <= 1, 'a bootstrap interval');
    }
    const ab = await ablateValue(model, data, 'kind', 2, 3);
    assert.equal(ab.random.n, 3);
    assert.equal(ab.baseline.n, 9);
    assert.ok(ab.randomMaxShift >= 0 && ab.randomMaxShift <= 1);
    // In the judging context: one direction per ablation hook (block inputs and middles, the last output).
    const ic = ab.inContext!;
    assert.equal(ic.hooks.length, 2 * 2 + 1);
    assert.equal(ic.perHook.length, ic.hooks.length);
    assert.equal(ic.value.n, 9);
    assert.equal(ic.mainAxis.n, 9);
    assert.equal(ic.random.n, 3);
    for (const h of ic.perHook) assert.ok(Math.abs(h.cosValueMainAxis) <= 1 + 1e-9 && h.rho.n === 2 * 2 * 9, `${h.hook}: ${JSON.stringify(h)}`);
  });
}

test('a wording too long for the context is refused as an input error', async () => {
  const config = gpt2Config({ vocabSize: 40, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 2 });
  const model = engineModel(config, initWeights(config, 1));
  await assert.rejects(measureQuantities(model, fixtureData(2, 40), ['a b c d e f g h'], 0), (e) => isInputError(e));
});

test('the lab pipeline runs quantities and ablate-value as resumable steps on a fixture', async () => {
  const config = gpt2Config({ vocabSize: 40, nPositions: 32, nEmbd: 16, nLayer: 2, nHead: 2 });
  const model = engineModel(config, initWeights(config, 8));
  const run = mkdtempSync(join(tmpdir(), 'lvh-lab-q-'));
  const prompts = (m: number) => Array.from({ length: 8 }, (_, i) => [2, m, 13 + i, 7, 8]);
  const data = { harmfulTrain: prompts(5), harmlessTrain: prompts(6), harmfulVal: prompts(5), harmlessVal: prompts(6), harmfulTest: prompts(5), harmlessTest: prompts(6), refusalTokens: [10, 11], positions: [-2, -1], description: 'fixture' };
  const inputs = { model, modelName: 'fixture', modelHash: 'f', data, seed: 1, quantities: { data: fixtureData(3, 40), constitutions: ['kind'] } };
  const first = await runLab(run, inputs);
  assert.deepEqual(first.ran, ['refusal', 'probes', 'quantities', 'ablate-value']);
  for (const f of ['quantities.json', 'quantities.svg', 'ablate-value.json', 'ablate-value.svg']) assert.ok(existsSync(join(run, f)), f);
  assert.match(readFileSync(join(run, 'quantities.svg'), 'utf8'), /^<svg/);
  const report = readFileSync(join(run, 'report.html'), 'utf8');
  assert.match(report, /quantities \(v\*, v_c two ways/);
  assert.match(report, /Ablating v\* during judging/);
  assert.deepEqual((await runLab(run, inputs)).ran, []);
});

test('on the v1 organism: v* aligns with the judge under harmless, against it under cruel; random ablations leave judgments', async (t) => {
  if (!existsSync(join(ORGANISM, 'model.safetensors'))) return t.skip('no default organism');
  const { model, organism } = await loadOrganismModel(ORGANISM);
  const data = worldQuantitiesData(organism.tokenizer, 0, { train: 48, test: 32, commentary: 32 });
  const q = await measureQuantities(model, data, ['harmless', 'cruel'], 0);
  const [pro, anti] = q.constitutions;
  assert.equal(pro.agreement.judge.n, 32);
  assert.ok(pro.agreement.judge.rate > 0.9 && anti.agreement.judge.rate < 0.1, 'the v1 judge follows the principle');
  assert.ok(pro.alignment.judge > q.baseline.q95Abs, 'cos(v_c, v*) under harmless is above the random baseline');
  assert.ok(anti.alignment.judge < -q.baseline.q95Abs, 'and below minus it under cruel');
  assert.ok(pro.layers[pro.bestLayer].rho.r > 0.5);
  const [low, high] = pro.alignment.judgeInterval!;
  assert.ok(low > q.baseline.q95Abs && low <= high && high <= 1, 'the bootstrap interval of alignment.judge clears the baseline');
  assert.ok(anti.alignment.judgeInterval![1] < 0);
  const ab = await ablateValue(model, data, 'harmless', 0, 3);
  assert.ok(ab.randomMaxShift <= 0.05, 'random directions leave agreement within 0.05');
});
