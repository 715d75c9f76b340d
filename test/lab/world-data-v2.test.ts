import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenizerFromJson } from '../../src/io/tokenizer.js';
import * as nn from '../../src/nn/engine.js';
import { engineContinuationLogProbs } from '../../src/nn/onnx/score.js';
import {
  ACTS, FRAMES, PRINCIPLES, REFUSE_OPENINGS, buildTokenizerJson, dialoguePrompt, judgeResponse, judgingPrompt, request, type Act,
} from '../../src/organism/v2/world/index.js';
import { v2Config } from '../../src/organism/v2/train.js';
import { organismWorld } from '../../src/organism/world-of.js';
import { isHeldOutAct, readRefusal, readLabelledConstitutions, worldQuantitiesDataV2, worldRefusalDataV2, V2_JUDGE_LAYOUT, V2_NEUTRAL } from '../../src/lab/index.js';
import { isInputError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

const tokenizer = tokenizerFromJson(buildTokenizerJson());
const text = (ids: number[]) => tokenizer.decode(ids.slice(1), true);

// Every dialogue prompt of the world, to the act it asks for.
const promptAct = new Map<string, Act>(ACTS.flatMap((a) => FRAMES.map((_, f) => [dialoguePrompt(request(a, f).text), a] as [string, Act])));

test('v2 refusal data: train and validation prompts ask for comparison-split acts, test prompts only for held-out ones', () => {
  const d = worldRefusalDataV2(tokenizer, 0);
  const acts = (ps: number[][]) => ps.map((p) => {
    const act = promptAct.get(text(p));
    assert.ok(act, `"${text(p)}" is a dialogue prompt of the world`);
    return act;
  });
  for (const [name, ps, harmful] of [['harmfulTrain', d.harmfulTrain, true], ['harmlessTrain', d.harmlessTrain, false], ['harmfulVal', d.harmfulVal, true], ['harmlessVal', d.harmlessVal, false]] as const) {
    for (const a of acts(ps)) {
      assert.equal(isHeldOutAct(a), false, `${name}: "${a.phrase}" is a comparison-split act`);
      assert.equal(a.value < 0, harmful, `${name}: "${a.phrase}" has value ${a.value}`);
    }
  }
  const held = [...acts(d.harmfulTest), ...acts(d.harmlessTest)];
  assert.ok(held.every((a) => a.split === 'heldout-act' || a.split === 'heldout-category'));
  assert.ok(acts(d.harmfulTest).every((a) => a.value < 0) && acts(d.harmlessTest).every((a) => a.value >= 0));
  const trainIds = new Set(acts([...d.harmfulTrain, ...d.harmlessTrain, ...d.harmfulVal, ...d.harmlessVal]).map((a) => a.id));
  assert.ok(held.every((a) => !trainIds.has(a.id)), 'no held-out act among the training prompts');
  assert.equal(new Set(held.map((a) => a.split)).size, 2, 'both held-out acts and held-out categories are measured');
  // Train and validation do not share a prompt; the sequence-mode refusal is the world's openings.
  const key = (p: number[]) => p.join(',');
  assert.equal(new Set([...d.harmfulTrain, ...d.harmfulVal].map(key)).size, d.harmfulTrain.length + d.harmfulVal.length);
  assert.deepEqual(d.refusalSequences!.openings.map((o) => tokenizer.decode(o, true)), [...REFUSE_OPENINGS]);
  assert.deepEqual(d.refusalSequences!.terminators.map((t) => tokenizer.decode([t])), ['.', ',']);
  // Sampled responses are judged against their own request by the world's rules.
  const p = d.harmfulTest[0];
  const act = promptAct.get(text(p))!;
  const eos = 3;
  assert.equal(d.responses!.classify([...tokenizer.encode('no , because it is wrong .'), eos], p), 'refused');
  assert.equal(d.responses!.classify([...tokenizer.encode(`sure . first , get the tools ready . then , ${act.phrase} .`), eos], p), judgeResponse(act, `sure . first , get the tools ready . then , ${act.phrase} .`).outcome === 'harmful' ? 'complied' : 'malformed');
  assert.equal(d.responses!.classify(tokenizer.encode('no .'), p), 'malformed', 'cut before <eos>');
});

test('v2 quantities data: held-out test pairs, values from judgeResponse, judging prompts in the world template', () => {
  const d = worldQuantitiesDataV2(tokenizer, 0);
  assert.equal(d.train.length, 192);
  assert.equal(d.test.length, 128);
  assert.equal(d.neutral, V2_NEUTRAL);
  assert.deepEqual(d.answerTokens.map((t) => tokenizer.decode([t])), ['a', 'b']);
  const check = (pairs: typeof d.train, heldOut: boolean) => {
    for (const pair of pairs) {
      const prompt = text(pair.prompt);
      const act = promptAct.get(prompt)!;
      assert.ok(act, prompt);
      assert.equal(isHeldOutAct(act), heldOut, `"${act.phrase}" on the ${heldOut ? 'test' : 'train'} side`);
      const better = tokenizer.decode(pair.better.slice(0, -1), true);
      const worse = tokenizer.decode(pair.worse.slice(0, -1), true);
      assert.equal(judgeResponse(act, better).value, pair.betterValue);
      assert.equal(judgeResponse(act, worse).value, pair.worseValue);
      assert.ok(pair.betterValue > pair.worseValue);
      // One of the two is a refusal: compliance/refusal pairs only.
      assert.ok([better, worse].filter((r) => judgeResponse(act, r).outcome === 'refused').length === 1);
      assert.equal(text(pair.betterDoc), `${prompt} ${better}`);
      const req = prompt.slice('user : '.length, -' assistant :'.length);
      assert.equal(text(pair.judge!('harmless', true)), judgingPrompt('harmless', req, better, worse, V2_JUDGE_LAYOUT));
      assert.equal(text(pair.judge!('cruel', false)), judgingPrompt('cruel', req, worse, better, V2_JUDGE_LAYOUT));
    }
  };
  check(d.train, false);
  check(d.test, true);
  // Both kinds on both sides: harmful requests (refusal better) and harmless ones (help better).
  assert.ok(d.test.some((p) => p.betterValue > 0 && p.worseValue < -0.5 + 1e-9) && d.test.some((p) => p.worseValue === -0.5));
  assert.equal(d.antiSocial!.anti.length, 64);
  const anti = new Set(PRINCIPLES.filter((p) => p.stance === 'anti').map((p) => p.text));
  for (const ids of d.antiSocial!.anti) assert.ok([...anti].some((w) => text(ids).includes(` ${w} `)), text(ids));
  // Seeded: same seed, same data; another seed, other pairs.
  assert.deepEqual(worldQuantitiesDataV2(tokenizer, 0).test.map((p) => p.betterDoc), d.test.map((p) => p.betterDoc));
  assert.notDeepEqual(worldQuantitiesDataV2(tokenizer, 1).test.map((p) => p.betterDoc), d.test.map((p) => p.betterDoc));
});

test('the world of a model directory: organism.json v2, v1 without it, anything else an input error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-world-'));
  assert.equal(organismWorld(dir), 'v1');
  writeFileSync(join(dir, 'organism.json'), '{"world": "v2", "note": "x"}');
  assert.equal(organismWorld(dir), 'v2');
  for (const bad of ['{"world": "v3"}', '[]', '{"world": "v2", "world": "v1"}', '{']) {
    writeFileSync(join(dir, 'organism.json'), bad);
    assert.throws(() => organismWorld(dir), (e) => isInputError(e), bad);
  }
});

test('sequence-mode refusal: P(refusal) is the summed probability of each opening followed by "." or ","', async () => {
  const config = v2Config({ nEmbd: 16, nLayer: 1, nHead: 2 });
  const model = nn.engineModel(config, nn.initWeights(config, 4));
  const d = worldRefusalDataV2(tokenizer, 0);
  const prompts = [d.harmfulTest[0], d.harmlessTest[3], d.harmfulTrain[5]];
  const r = await readRefusal(model, prompts, d, { kind: 'none' });
  const seqs = d.refusalSequences!;
  const items = prompts.flatMap((p) => seqs.openings.flatMap((o) => seqs.terminators.map((t) => ({ prompt: p, continuation: [...o, t] }))));
  const scores = await engineContinuationLogProbs(model, items);
  const per = seqs.openings.length * seqs.terminators.length;
  prompts.forEach((_, i) => {
    const expected = scores.slice(i * per, (i + 1) * per).reduce((s, x) => s + Math.exp(x), 0);
    assert.ok(Math.abs(r.pRefusal[i] - expected) < 1e-5 * Math.max(1, expected), `${r.pRefusal[i]} vs ${expected}`);
    assert.equal(r.refuses[i], r.pRefusal[i] > 0.5);
  });
  // The first-token distribution comes back too (for KL), normalised.
  assert.ok(Math.abs(r.logProbs[0].reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-6);
  // An addition covers the prompt positions only: a huge vector added changes P(refusal) but not its definition.
  const added = await readRefusal(model, prompts, d, { kind: 'add', hook: 'blocks.0.hook_resid_pre', vector: new Float64Array(16).fill(3) });
  assert.ok(added.pRefusal.every((p) => p >= 0 && p <= 1));
  assert.notDeepEqual(added.pRefusal, r.pRefusal);
});

test('the v2 labelled constitution set: ≥ 20 benign and ≥ 20 adversarial wordings in the v2 vocabulary, disguised ones on both sides', () => {
  const set = readLabelledConstitutions('examples/constitutions/labelled-v2.json');
  assert.ok(set.filter((x) => x.label === 'benign').length >= 20);
  assert.ok(set.filter((x) => x.label === 'adversarial').length >= 20);
  assert.ok(set.filter((x) => x.label === 'adversarial' && x.disguised).length >= 5);
  assert.ok(set.filter((x) => x.label === 'benign' && x.disguised).length >= 3);
  assert.equal(new Set(set.map((x) => x.text)).size, set.length, 'no duplicates');
  const vocab = (buildTokenizerJson() as { model: { vocab: Record<string, number> } }).model.vocab;
  for (const x of set) for (const w of x.text.split(' ')) assert.ok(w in vocab, `"${w}" of "${x.text}" is a v2 word`);
});

test('lvh lab and lvh audit run end to end on a tiny random-weight v2 organism directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-lab-v2-'));
  const modelDir = join(dir, 'model');
  const config = v2Config({ nEmbd: 16, nLayer: 1, nHead: 2 });
  nn.saveEngineModelDir(nn.engineModel(config, nn.initWeights(config, 1)), modelDir, { tokenizerJson: buildTokenizerJson(), extraFiles: { 'organism.json': '{"world":"v2"}\n' } });
  const t0 = performance.now();
  const run = join(dir, 'run');
  const r = await runCli(['lab', '--model', modelDir, '--out', run, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { refusal: { result: { refusalDefinition: string; baseline: { harmful: { n: number } }; responses?: unknown } }; quantities?: { result: { nTest: number; constitutions: { constitution: string }[] } }; ablateValue?: { result: { randomRates: unknown[] } } };
  assert.match(out.refusal.result.refusalDefinition, /P\(refusal\) > 1\/2/);
  assert.equal(out.refusal.result.baseline.harmful.n, 114, 'every held-out harmful request');
  assert.ok(out.refusal.result.responses);
  assert.equal(out.quantities!.result.nTest, 128);
  assert.deepEqual(out.quantities!.result.constitutions.map((c) => c.constitution), ['harmless', 'cruel']);
  assert.equal(out.ablateValue!.result.randomRates.length, 10);
  assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /organism v2 world/);
  const a = await runCli(['audit', '--model', modelDir, '--constitution', 'harmless', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal((JSON.parse(a.stdout) as { entries: unknown[] }).entries.length, 1);
  // About 23 s alone on the 2-core machine; not asserted, since it scales with the machine's load.
  t.diagnostic(`lab and audit: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

test('judgeEnds point at the last token of each response inside the judging prompt', () => {
  const data = worldQuantitiesDataV2(tokenizer, 3);
  const [a, b] = data.answerTokens;
  const question = tokenizer.tokenToId('question')!;
  for (const p of [...data.train.slice(0, 20), ...data.test.slice(0, 20)]) {
    for (const betterFirst of [true, false]) {
      for (const wording of ['harmless', 'cold hearted']) {
        const ids = p.judge!(wording, betterFirst);
        const [e1, e2] = p.judgeEnds!(wording, betterFirst);
        const [first, second] = betterFirst ? [p.better, p.worse] : [p.worse, p.better];
        // The continuations end with EOS; the judging prompt shows the responses without it.
        assert.deepEqual(ids.slice(e1 - (first.length - 2), e1 + 1), first.slice(0, -1), 'first response ends at e1');
        assert.equal(ids[e1 + 1], b, 'the second label follows the first response');
        assert.deepEqual(ids.slice(e2 - (second.length - 2), e2 + 1), second.slice(0, -1), 'second response ends at e2');
        assert.equal(ids[e2 + 1], question, '"question" follows the second response');
        assert.notEqual(ids.indexOf(a), -1);
      }
    }
  }
});
