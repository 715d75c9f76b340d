import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../../src/nn/index.js';
import { createRng } from '../../../src/linalg/index.js';
import {
  ACT_SPLITS, BOS_ID, EOS_ID, JUDGING_WORDS, PAIR_KINDS, PRINCIPLES, WORLD_CONTEXT, actByPhrase, judgeResponse, pairKindsFor, worldTokenizer,
} from '../../../src/organism/v2/world/index.js';
import {
  aggregateSeeds, agreesWithTruth, alwaysRefuseJudge, breakdown, crossValidatedRho, evaluateV2, judgeCases, pearson,
  clusteredRate, poolRates, positionJudge, resolvePosition, samplePairs, SWEEP_JUDGING_WORDS, wilson, type ScoringModel,
} from '../../../src/organism/v2/eval/index.js';
import { tfjsScoringModel } from '../../../src/organism/v2/eval/tfjs-model.js';
import { headlineRates } from '../../../src/organism/v2/eval/format.js';

test('v2 eval stats: Wilson intervals, Fisher intervals, seed aggregation', () => {
  const w = wilson(5, 10);
  assert.equal(w.rate, 0.5);
  assert.ok(Math.abs(w.lo - 0.2366) < 1e-3 && Math.abs(w.hi - 0.7634) < 1e-3);
  assert.ok(Math.abs(wilson(0, 10).hi - 0.2775) < 1e-3 && wilson(0, 10).lo === 0);
  assert.ok(Number.isNaN(wilson(0, 0).rate));
  const c = pearson([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12.5]);
  assert.ok(c.r > 0.99 && c.lo < c.r && c.hi <= 1);
  const agg = aggregateSeeds([{ a: 0.8, b: 1 }, { a: 0.9, b: NaN }, { a: 0.7 }]);
  assert.ok(Math.abs(agg.a.mean - 0.8) < 1e-12 && Math.abs(agg.a.spread - 0.2) < 1e-12 && agg.a.n === 3);
  assert.equal(agg.b.n, 1);
  assert.equal(resolvePosition(-1, 5), 4);
  assert.equal(resolvePosition(2, 5), 2);
  assert.throws(() => resolvePosition(-6, 5));
  assert.throws(() => resolvePosition(5, 5));
});

test('v2 eval baselines: a position judge scores exactly 0.5 on every balanced cell; always-refuse is scored by the truth', async () => {
  const pairs = samplePairs(6, 1);
  for (const s of ACT_SPLITS) for (const k of PAIR_KINDS) assert.equal(pairs.filter((p) => p.split === s && p.kind === k).length, 6, `${s}/${k}`);
  const cases = judgeCases(pairs, 'harmless', 'all', 1);
  assert.equal(cases.length, pairs.length * 24);
  const pos = breakdown(cases, agreesWithTruth(cases, await positionJudge(cases)));
  for (const r of Object.values(pos.bySplitKind)) assert.equal(r.rate, 0.5);
  for (const r of Object.values(pos.byScheme)) assert.equal(r.rate, 0.5);
  assert.equal(Object.keys(pos.byLayout).length, 12);
  for (const r of Object.values(pos.byLayout)) assert.equal(r.rate, 0.5);
  assert.equal(pos.byOrder.higherFirst.rate, 1);
  assert.equal(pos.byOrder.higherSecond.rate, 0);
  const ref = breakdown(cases, agreesWithTruth(cases, await alwaysRefuseJudge(cases)));
  assert.equal(ref.byKind['comply-refuse'].rate, 1);
  assert.equal(ref.byKind['help-refuse'].rate, 0);
  assert.equal(ref.byKind['harmless-harmful'].rate, 0.5);
  assert.equal(ref.byKind.graded.rate, 0.5);
  assert.ok(ref.all.rate < 0.6, `always-refuse overall ${ref.all.rate}`);
});

/**
 * A model that judges by the world's truth (pro or anti by the principle's stance; `not P` flipped when `negation`,
 * else read as P; judgment words by their stance when `judging`, else pro-social like an unknown word) and prefers
 * refusing in dialogues.
 */
function oracle(negation = true, judging = true): ScoringModel {
  const tok = worldTokenizer();
  const words = judging ? [...PRINCIPLES, ...JUDGING_WORDS] : PRINCIPLES;
  const stance = new Map<string, string>(words.map((p) => [p.text, p.stance]));
  for (const p of words) stance.set(`not ${p.text}`, negation === (p.stance === 'pro') ? 'anti' : 'pro');
  const re = /^request : (?:how do i|how can i|tell me how to|help me|i want to|what is the best way to) (.+?) (?:\?|\.|\. how \?) (\S+) : (.+?) (\S+) : (.+?) question : (?:which is more (.+?) \?|what would a (.+?) person choose \?) answer :$/;
  return {
    async scoreContinuations(requests) {
      return requests.map((r) => {
        const text = tok.decode(r.prompt);
        const m = re.exec(text);
        if (!m) return r.continuations.map((c) => -c.length);
        const act = actByPhrase(m[1])!;
        const v = [judgeResponse(act, m[3]).value!, judgeResponse(act, m[5]).value!];
        const principle = m[6] ?? m[7];
        const want = stance.get(principle) === 'anti' ? (v[0] < v[1] ? 0 : 1) : v[0] > v[1] ? 0 : 1;
        const label = [m[2], m[4]][want];
        return r.continuations.map((c) => (tok.decode(c) === label ? -0.1 : -3));
      });
    },
    async residuals() {
      throw new Error('not used');
    },
  };
}

test('v2 eval: a judge that follows the truth scores 1 per principle; baselines stay at their values', async () => {
  const e = await evaluateV2(oracle(), { pairsPerCell: 2, sweepPairs: 0, generationRequests: 0, readout: false, otherLayouts: 1 });
  for (const p of PRINCIPLES) {
    assert.equal(e.judgment[p.text].stanceAgreementHeldOut.rate, 1, p.text);
    assert.equal(e.judgment[p.text].agreement.all.rate, p.stance === 'pro' ? 1 : 0, p.text);
  }
  for (const p of PRINCIPLES) assert.equal(e.negated![`not ${p.text}`].stanceAgreementHeldOut.rate, 1, `not ${p.text}`);
  assert.equal(e.headline['judge.negated.heldout.stanceAgreement'], 1);
  // Every headline rate has its Rate (n and interval) behind it, negated principles included.
  const rates = headlineRates(e);
  for (const split of ['comparison', 'heldout']) assert.ok(rates[`judge.negated.${split}.stanceAgreement`], split);
  for (const [k, r] of Object.entries(rates)) assert.ok(Math.abs(r.rate - e.headline[k]) < 1e-12, `${k}: ${r.rate} vs ${e.headline[k]}`);
  // Several words judge the same pairs, so their effective sizes do not add (all 1 here: the largest word's).
  const proWords = PRINCIPLES.filter((p) => p.stance === 'pro' && p.split === 'heldout').map((p) => e.judgment[p.text].stanceAgreementHeldOut);
  assert.ok(proWords.length > 1);
  assert.equal(rates['judge.heldoutWords.pro.stanceAgreement'].nEffective, Math.max(...proWords.map((r) => r.nEffective ?? 0)));
  assert.equal(rates['judge.heldoutWords.pro.stanceAgreement'].n, proWords.reduce((a, r) => a + r.n, 0));
  // A judge that reads `not P` as P fails every negated principle.
  const blind = await evaluateV2(oracle(false), { pairsPerCell: 2, sweepPairs: 0, generationRequests: 0, readout: false, otherLayouts: 1 });
  assert.equal(blind.headline['judge.negated.comparison.stanceAgreement'], 0);
  assert.equal(blind.headline['judge.negated.heldout.stanceAgreement'], 0);
  // Judgment words: followed by the oracle, with their Rates; a judge that ignores them (pro-social by default) fails the anti-social ones.
  for (const w of JUDGING_WORDS) assert.equal(e.judging![w.text].stanceAgreementHeldOut.rate, 1, w.text);
  for (const split of ['comparison', 'heldout']) {
    assert.equal(e.headline[`judge.judgingWords.${split}.stanceAgreement`], 1, split);
    assert.ok(rates[`judge.judgingWords.${split}.stanceAgreement`], split);
  }
  const ignores = await evaluateV2(oracle(true, false), { pairsPerCell: 2, sweepPairs: 0, generationRequests: 0, readout: false, otherLayouts: 1, negation: false });
  for (const w of JUDGING_WORDS) assert.equal(ignores.judging![w.text].stanceAgreementHeldOut.rate, w.stance === 'pro' ? 1 : 0, w.text);
  assert.ok(ignores.headline['judge.judgingWords.heldout.stanceAgreement'] === 0.5, 'one pro and one anti held-out judgment word');
  // The sweep counts judgment words as non-principle words unless the corpus asked them (`judgingWordsAsked`); `very` always counts.
  assert.deepEqual([...SWEEP_JUDGING_WORDS].sort(), ['good', 'nice', 'terrible', 'wonderful', 'wrong']);
  const sweepOf = async (judgingWordsAsked: boolean) => (await evaluateV2(oracle(), { pairsPerCell: 1, sweepPairs: 2, generationRequests: 0, readout: false, otherLayouts: 1, negation: false, judging: false, judgingWordsAsked })).sweep!;
  const [plain, asked] = [await sweepOf(false), await sweepOf(true)];
  assert.ok(plain.moved.includes('wrong') && plain.moved.includes('terrible') && !asked.moved.includes('wrong') && !asked.moved.includes('terrible'), `${plain.moved} / ${asked.moved}`);
  assert.equal(plain.movedShare.n - asked.movedShare.n, SWEEP_JUDGING_WORDS.length);
  assert.equal(e.headline['baseline.position'], 0.5);
  assert.equal(e.headline['judge.main.heldout-category'], 1);
  assert.equal(e.generation, null);
  assert.ok(e.agreement.judge.all.n === e.pairs.total * 24);
});

test('v2 eval readout: rho recovers a planted value coordinate and not noise, under both splits', () => {
  const rng = createRng(4);
  const items = Array.from({ length: 120 }, (_, i) => ({ act: i % 40, category: `c${i % 8}`, value: [-1, -0.5, 0, 0.5, 1][i % 5] }));
  const planted = items.map((it) => Float64Array.from([it.value + 0.1 * rng.normal(), rng.normal(), rng.normal()]));
  const noise = items.map(() => Float64Array.from([rng.normal(), rng.normal(), rng.normal()]));
  assert.ok(crossValidatedRho(planted, items, (it) => it.category).r > 0.9);
  assert.ok(crossValidatedRho(planted, items, (it) => it.act % 5).r > 0.9);
  assert.ok(Math.abs(crossValidatedRho(noise, items, (it) => it.category).r) < 0.4);
  // Categories that carry the sign, features that carry nothing: held-out folds must not read as anti-correlated.
  const signed = Array.from({ length: 120 }, (_, i) => ({ act: i, category: `c${i % 6}`, value: (i % 6 < 3 ? -1 : 1) * (i % 2 ? 0.5 : 1) }));
  const blank = signed.map(() => Float64Array.from([rng.normal(), rng.normal()]));
  assert.ok(crossValidatedRho(blank, signed, (it) => it.category).r > -0.3);
});

test('v2 eval on a tiny random-weight tfjs model runs and returns rates with intervals', async () => {
  await nn.initBackend();
  const config = nn.gpt2Config({ vocabSize: worldTokenizer().vocabSize, nPositions: WORLD_CONTEXT, nEmbd: 16, nLayer: 1, nHead: 2, bosTokenId: BOS_ID, eosTokenId: EOS_ID });
  const [m, u] = [nn.initModel(config, 1), nn.initModel(config, 2)];
  try {
    const e = await evaluateV2(tfjsScoringModel(m), { pairsPerCell: 1, sweepPairs: 1, generationRequests: 1, maxResponseTokens: 8, otherLayouts: 1 }, tfjsScoringModel(u));
    const main = e.judgment.harmless.agreement.all;
    assert.ok(main.n === e.pairs.total * 24 && main.lo <= main.rate && main.rate <= main.hi);
    assert.equal(e.headline['baseline.position'], 0.5);
    assert.ok(e.sweep && e.sweep.movedShare.n > 200);
    assert.ok(e.generation && e.generation.samples === 6);
    assert.ok(e.rho && e.rho.model.act.leaveCategoryOut['0'] && e.rho.untrained.narrative.leaveActOut.embed);
    for (const v of Object.values(e.headline)) assert.equal(typeof v, 'number');
    assert.ok(Number.isFinite(e.headline['rho.leaveCategoryOut.bestUntrained']));
    // A sampled response without its end token is malformed, never a refusal.
    const out = e.generation.outcomes['comparison/harmful'];
    assert.equal(out.refused.k + out.malformed.k + out.harmful.k + out.partial.k + out.helped.k + out.other.k, out.malformed.n);
  } finally {
    nn.disposeModel(m);
    nn.disposeModel(u);
  }
});

test('v2 eval: every pair kind exists for some act of every split', () => {
  for (const s of ACT_SPLITS) {
    for (const k of PAIR_KINDS) {
      assert.ok(samplePairs(1, 3).some((p) => p.split === s && p.kind === k), `${s}/${k}`);
    }
  }
  assert.ok(pairKindsFor(actByPhrase('open the gate')!).includes('help-refuse'));
});

test('v2 eval: clustered rates widen the interval when the cases of a pair agree, and not when pairs are alike', () => {
  // 10 pairs × 24 cases, every case of a pair the same: the effective sample is the pairs, less one for the
  // small-sample factor m/(m−1) of the between-cluster variance.
  const hits = Array.from({ length: 240 }, (_, i) => Math.floor(i / 24) < 7);
  const pairOf = Array.from({ length: 240 }, (_, i) => Math.floor(i / 24));
  const c = clusteredRate(hits, pairOf);
  const w10 = wilson(0.7 * 9, 9);
  assert.equal(c.rate, 0.7);
  assert.equal(c.n, 240);
  assert.equal(c.clusters, 10);
  assert.ok(Math.abs(c.nEffective! - 9) < 1e-9, `nEffective ${c.nEffective}`);
  assert.ok(Math.abs(c.lo - w10.lo) < 1e-9 && Math.abs(c.hi - w10.hi) < 1e-9);
  // Every pair at the same rate (half its cases right): no design effect, the interval is the plain Wilson one.
  const alike = Array.from({ length: 240 }, (_, i) => i % 2 === 0);
  const a = clusteredRate(alike, pairOf);
  const w = wilson(120, 240);
  assert.equal(a.nEffective, 240);
  assert.ok(Math.abs(a.lo - w.lo) < 1e-12 && Math.abs(a.hi - w.hi) < 1e-12);
  // All right: the effective size is the number of pairs.
  const all = clusteredRate(Array(240).fill(true), pairOf);
  assert.equal(all.nEffective, 10);
  assert.equal(all.hi, 1);
  assert.ok(Math.abs(all.lo - wilson(10, 10).lo) < 1e-12);
});

test('v2 eval: pooling clustered rates adds their effective sizes (the worst-case correlation for overlapping sets), centred on k/n; plain rates pool as plain Wilson', () => {
  const pairOf = Array.from({ length: 240 }, (_, i) => Math.floor(i / 24));
  const a = clusteredRate(Array.from({ length: 240 }, (_, i) => Math.floor(i / 24) < 7), pairOf);
  const b = clusteredRate(Array.from({ length: 240 }, (_, i) => Math.floor(i / 24) < 5), pairOf);
  const p = poolRates([a, b]);
  assert.equal(p.k, a.k + b.k);
  assert.equal(p.n, 480);
  assert.equal(p.nEffective, a.nEffective! + b.nEffective!);
  const w = wilson(0.6 * (a.nEffective! + b.nEffective!), a.nEffective! + b.nEffective!);
  assert.ok(Math.abs(p.lo - w.lo) < 1e-12 && Math.abs(p.hi - w.hi) < 1e-12);
  assert.ok(p.lo <= p.rate && p.rate <= p.hi);
  // The same pairs under two words: the effective size of the worst-case correlation, (mean standard error)², not the sum.
  const o = poolRates([a, b], { overlapping: true });
  const se = (r: typeof a) => Math.sqrt((r.rate * (1 - r.rate)) / r.nEffective!);
  const worst = (0.6 * 0.4) / ((se(a) + se(b)) / 2) ** 2;
  assert.ok(Math.abs(o.nEffective! - worst) < 1e-9, `${o.nEffective} vs ${worst}`);
  assert.ok(o.nEffective! < a.nEffective! + b.nEffective!);
  assert.ok(o.lo <= o.rate && o.rate <= o.hi && o.hi - o.lo > p.hi - p.lo);
  // One word judged the same pairs twice pools to itself; an empty part changes nothing.
  const twice = poolRates([a, a, wilson(0, 0)], { overlapping: true });
  assert.ok(Math.abs(twice.nEffective! - a.nEffective!) < 1e-9 && Math.abs(twice.lo - a.lo) < 1e-12 && Math.abs(twice.hi - a.hi) < 1e-12);
  const plain = poolRates([wilson(3, 10), wilson(4, 10)]);
  assert.deepEqual(plain, wilson(7, 20));
});
