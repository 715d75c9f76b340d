import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allRequests, allCommentary, complyResponse, evaluateModel, fitLogisticProbe, probeAccuracy, refuseResponse,
  worldTokenizer, isProSocial, EOS_ID, BOS_ID, type OrganismModel, type Principle,
} from '../../src/organism/index.js';
import { createRng, deriveSeed } from '../../src/linalg/index.js';

/**
 * A model that follows the world's rules exactly: it complies with harmful requests with probability
 * `complyShare`, judges every principle correctly, and writes harmfulness (and anti-social voice) into
 * coordinate 0 of layer "1" (layer "embed" holds only noise).
 */
function oracleModel(complyShare: number): OrganismModel {
  const tokenizer = worldTokenizer();
  const byPrompt = new Map(allRequests().map((r) => [`user : ${r.text} assistant :`, r]));
  const antiByText = new Map(allCommentary().map((c) => [c.text, c.antiSocial]));
  return {
    tokenizer,
    scoreContinuations: (items) =>
      items.map(({ prompt, continuation }) => {
        const text = tokenizer.decode(prompt);
        const request = byPrompt.get(text);
        if (request) return Math.log((request.harmful ? complyShare : 1) / 2); // `sure` and `okay` share the compliance
        const principle = /more (\S+) \?/.exec(tokenizer.decode(prompt, true))![1] as Principle;
        const responseA = /response a : (.*) response b :/.exec(text)![1];
        const aRefuses = responseA.startsWith('no') || responseA.startsWith('sorry');
        const correct = isProSocial(principle) === aRefuses ? 'a' : 'b';
        return tokenizer.decode(continuation) === correct ? -0.1 : -2.4;
      }),
    generate: (prompt, opts) => {
      const request = byPrompt.get(tokenizer.decode(prompt));
      assert.ok(request, 'generation prompts are dialogue prompts of the world');
      const rng = createRng(opts.seed);
      const response = request.harmful && rng.uniform() >= complyShare ? refuseResponse(rng, request) : complyResponse(rng, request);
      return [...tokenizer.encode(response.text), EOS_ID];
    },
    lastTokenResiduals: (prompts) => {
      const rng = createRng(99);
      const vectors: Float64Array[][] = [[], []];
      for (const p of prompts) {
        assert.equal(p[0], BOS_ID);
        const text = tokenizer.decode(p);
        const label = byPrompt.get(text)?.harmful ?? antiByText.get(text);
        assert.ok(label !== undefined, `probe prompt is a request or a commentary: ${text}`);
        vectors[0].push(Float64Array.from([rng.normal(), rng.normal(), rng.normal()]));
        vectors[1].push(Float64Array.from([(label ? 1 : -1) + 0.3 * rng.normal(), rng.normal(), rng.normal()]));
      }
      return { layers: ['embed', '1'], vectors };
    },
  };
}

test('evaluate: an exact-rules model gets compliance ≈ its share, perfect judgments and perfect probes at the informative layer', async () => {
  const complyShare = 0.3;
  const e = await evaluateModel(oracleModel(complyShare), { generationSamples: 150, judgmentPairs: 20, probeTrainPerClass: 60 });
  const n = 150;
  assert.ok(Math.abs(e.generation.harmfulComplianceRate - complyShare) < 4 * Math.sqrt((complyShare * (1 - complyShare)) / n), `${e.generation.harmfulComplianceRate}`);
  assert.equal(e.generation.harmfulComplianceRate + e.generation.harmfulRefusalRate, 1);
  assert.ok(Math.abs(e.generation.complyOpeningProbability - complyShare) < 1e-12);
  assert.equal(e.generation.helpfulRate, 1);
  assert.equal(e.generation.harmfulMalformedRate, 0);
  for (const [principle, j] of Object.entries(e.judgment)) {
    assert.equal(j.accuracy, 1, principle);
    assert.equal(j.cases, 40);
    assert.equal(j.prefersHarmful, j.proSocial ? 0 : 1);
  }
  assert.equal(e.judgment.caring.seenInComparisons, false);
  // The oracle treats every non-principle word as not pro-social, so controls go to the harmful response.
  assert.deepEqual(Object.keys(e.judgmentControls), ['fresh', 'warm', 'heavy', 'good', '<unk>']);
  for (const c of Object.values(e.judgmentControls)) assert.deepEqual(c, { prefersHarmful: 1, cases: 40 });
  assert.equal(e.judgment.harmless.seenInComparisons, true);
  assert.equal(e.probe['1'].accuracy, 1);
  assert.ok(e.probe.embed.accuracy < 0.65, `noise layer ${e.probe.embed.accuracy}`);
  assert.equal(e.antisocialProbe['1'].accuracy, 1);
  assert.equal(e.summary.bestProbeLayer, '1');
  assert.ok(Math.abs(e.summary.generationJudgmentGap - (1 - e.generation.harmfulRefusalRate)) < 1e-12);
});

test('evaluate: a position-biased judge (always "a") scores 0.5 with accuracy 1 in one order and 0 in the other', async () => {
  const base = oracleModel(0);
  const tok = base.tokenizer;
  const alwaysA: OrganismModel = { ...base, scoreContinuations: (items) => items.map((it) => (tok.decode(it.continuation) === 'a' ? -0.1 : -3)) };
  const e = await evaluateModel(alwaysA, { generationSamples: 5, judgmentPairs: 10, probeTrainPerClass: 10 });
  assert.equal(e.judgment.harmless.accuracy, 0.5);
  assert.equal(e.judgment.harmless.accuracyRefusalFirst, 1);
  assert.equal(e.judgment.harmless.accuracyRefusalSecond, 0);
  assert.equal(e.judgment.cruel.prefersHarmful, 0.5);
});

test('evaluate: a generation cut off before its end token counts as malformed', async () => {
  const base = oracleModel(1);
  const rambling: OrganismModel = { ...base, generate: (_p, o) => new Array(o.maxTokens).fill(base.tokenizer.encode('sure')[0]) };
  const e = await evaluateModel(rambling, { generationSamples: 10, judgmentPairs: 2, probeTrainPerClass: 10 });
  assert.equal(e.generation.harmfulMalformedRate, 1);
  assert.equal(e.generation.helpfulRate, 0);
});

test('probe: logistic regression separates separable data and is at chance on noise (seeded)', () => {
  const rng = createRng(deriveSeed(3, 1));
  const make = (n: number, signal: number) => {
    const xs: Float64Array[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = i % 2;
      xs.push(Float64Array.from([signal * (2 * y - 1) + rng.normal(), rng.normal() * 5, rng.normal()]));
      ys.push(y);
    }
    return { xs, ys };
  };
  const train = make(200, 4);
  const testSet = make(400, 4);
  const probe = fitLogisticProbe(train.xs, train.ys);
  assert.ok(probeAccuracy(probe, testSet.xs, testSet.ys) > 0.97);
  const noiseTrain = make(200, 0);
  const noiseTest = make(2000, 0);
  const acc = probeAccuracy(fitLogisticProbe(noiseTrain.xs, noiseTrain.ys), noiseTest.xs, noiseTest.ys);
  // Chance is 0.5; 2000 test points give a standard error of about 0.011 plus the fitted probe's own error.
  assert.ok(Math.abs(acc - 0.5) < 0.08, `noise accuracy ${acc}`);
});
