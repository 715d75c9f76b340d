// Step 4 of `lvh demo` on a v2 model organism: a tiny random-weight v2 model runs through evaluateV2 (small sizes),
// and its summary holds every rate with n and an interval around it, the baselines on the same cases, and the plot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../src/nn/engine.js';
import { v2Config } from '../../src/organism/v2/train.js';
import { buildTokenizerJson, PAIR_KINDS, ACT_SPLITS } from '../../src/organism/v2/world/index.js';
import { demoOrganismStep } from '../../src/cli/demo-steps.js';
import { type OrganismV2Summary } from '../../src/cli/demo-organism-v2.js';
import { askedJudgingWords, organismWorld } from '../../src/organism/world-of.js';
import { isInputError } from '../../src/util/errors.js';

/** Small evaluation sizes: one pair per split × kind, two generations per cell, a 2-pair sweep. */
const SMALL = { pairsPerCell: 1, otherLayouts: 1, sweepPairs: 2, generationRequests: 2, maxResponseTokens: 8 };

/** Every {k, n, rate, lo, hi} object inside `value`, with its path. */
function ratesIn(value: unknown, path = ''): { path: string; r: { k: number; n: number; rate: number; lo: number; hi: number } }[] {
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  if (['k', 'n', 'rate', 'lo', 'hi'].every((key) => typeof o[key] === 'number')) return [{ path, r: o as never }];
  return Object.entries(o).flatMap(([k, v]) => ratesIn(v, `${path}.${k}`));
}

function tinyV2ModelDir(organismJson: string | null): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lvh-demo-v2-')), 'model');
  const config = v2Config({ nEmbd: 16, nLayer: 1, nHead: 2 });
  nn.saveEngineModelDir(nn.engineModel(config, nn.initWeights(config, 7)), dir, {
    tokenizerJson: buildTokenizerJson(),
    extraFiles: organismJson === null ? {} : { 'organism.json': organismJson },
  });
  return dir;
}

test('demo step 4 on a tiny v2 model: rates with n and lo ≤ rate ≤ hi, baselines on the same cases, a table and a plot', async () => {
  const dir = tinyV2ModelDir('{"world":"v2","note":"tiny random weights"}');
  try {
    const said: string[] = [];
    const step = await demoOrganismStep(dir, (t) => said.push(t), SMALL, 'tiny-v2');
    assert.equal(step.name, 'organism');
    const s = step.summary as OrganismV2Summary;
    assert.equal(s.world, 'v2');
    assert.deepEqual({ nEmbd: s.model.nEmbd, nLayer: s.model.nLayer, nHead: s.model.nHead }, { nEmbd: 16, nLayer: 1, nHead: 2 });
    assert.equal(s.chance, 0.5);
    assert.equal(s.options.pairsPerCell, 1);

    // Every rate carries n, and its interval holds it.
    const rates = ratesIn(s.rates);
    assert.ok(rates.length > 60, `${rates.length} rates`);
    for (const { path, r } of rates) {
      assert.ok(Number.isInteger(r.n) && r.n >= 0 && r.k >= 0 && r.k <= r.n, path);
      // 1e-12: wilson(n, n) gives hi = 1 − 1e-16 (float rounding in stats.ts).
      if (r.n > 0) assert.ok(r.lo <= r.rate + 1e-12 && r.rate <= r.hi + 1e-12 && r.lo >= 0 && r.hi <= 1, `${path}: ${r.lo} ≤ ${r.rate} ≤ ${r.hi}`);
    }
    // 1 pair per split × kind, all 24 layout × order variants under `harmless`.
    for (const split of ACT_SPLITS) assert.equal(s.rates.judge.bySplit[split].n, PAIR_KINDS.length * 24, split);
    for (const kind of PAIR_KINDS) assert.equal(s.rates.judge.heldoutByKind[kind].n, 2 * 24, kind);
    // The position judge is at chance on every balanced cell, by construction; the twin is judged on the same cases.
    assert.equal(s.rates.baselines.position.all.rate, 0.5);
    for (const kind of PAIR_KINDS) assert.equal(s.rates.baselines.position.heldoutByKind[kind].rate, 0.5, kind);
    assert.equal(s.rates.baselines.untrained.all.n, s.rates.judge.all.n);
    assert.equal(s.rates.baselines.alwaysRefuse.heldoutByKind['comply-refuse'].rate, 1);
    assert.equal(s.rates.baselines.alwaysRefuse.heldoutByKind['help-refuse'].rate, 0);
    assert.equal(s.headline['baseline.position'], 0.5);
    assert.ok(s.rates.baselines.sweepMovedShare !== null && s.rates.baselines.sweepMovedShare.n > 200);
    // Generation: every outcome share of one request kind over the same samples, malformed among them (they add up to 1).
    const g = s.rates.generation!;
    assert.equal(g.harmful.harmful.n, ACT_SPLITS.length * SMALL.generationRequests);
    assert.ok(Math.abs(Object.values(g.harmful).reduce((a, r) => a + r.rate, 0) - 1) < 1e-9);
    assert.equal(Math.abs(s.rates.agreement.gap - (s.rates.agreement.judge.rate - s.rates.agreement.generation.rate)) < 1e-12, true);
    // rho: trained and untrained, read at the same slot, over the 117 acts.
    assert.ok(s.rho !== null && s.rho.untrainedAtTrainedBest !== null);
    assert.equal(s.rho.trained.n, 117);
    assert.ok(s.rho.trained.lo <= s.rho.trained.r && s.rho.trained.r <= s.rho.trained.hi);

    const text = said.join('\n');
    assert.match(text, /chance is 0\.5/);
    assert.match(text, /held-out, graded/);
    assert.match(text, /malformed/);
    assert.match(text, /untrained twin/);
    assert.ok(s.rates.negated !== null && s.rates.negated.heldout.n > 0 && s.rates.negated.comparison.n > s.rates.negated.heldout.n);
    assert.match(text, /negated held-out words \(commentary only: composition\) \d\.\d{3} \[/);
    assert.ok(step.section.svg?.startsWith('<svg'));
    assert.ok(step.section.svg?.includes('position judge') && step.section.svg.includes('always-refuse'));
    assert.match(step.section.html ?? '', /<table>[\s\S]*untrained twin[\s\S]*held-out, partial/);
    // The summary goes into demo.json as is.
    assert.deepEqual(JSON.parse(JSON.stringify(s)).rates.judge.all, s.rates.judge.all);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('organism.json decides the world: absent is v1, v2 is v2, anything else is an InputError naming the field', () => {
  const dir = tinyV2ModelDir(null);
  try {
    assert.equal(organismWorld(dir), 'v1');
    writeFileSync(join(dir, 'organism.json'), '{"world":"v2"}');
    assert.equal(organismWorld(dir), 'v2');
    // The recorded stages say whether judgment words were asked (the sweep then leaves them out).
    assert.equal(askedJudgingWords(dir), false);
    writeFileSync(join(dir, 'organism.json'), JSON.stringify({ world: 'v2', stages: [{ corpus: { p: 0.3 }, share: 0.6 }, { corpus: { judgmentShare: 0.05 }, share: 0.4 }] }));
    assert.equal(askedJudgingWords(dir), true);
    writeFileSync(join(dir, 'organism.json'), JSON.stringify({ world: 'v2', stages: [{ corpus: { judgmentShare: 0 }, share: 1 }] }));
    assert.equal(askedJudgingWords(dir), false);
    assert.equal(askedJudgingWords(join(dir, 'absent')), false);
    for (const bad of ['{"world":"v3"}', '[]', '{"world":"v2","world":"v1"}', 'not json']) {
      writeFileSync(join(dir, 'organism.json'), bad);
      assert.throws(() => organismWorld(dir), (err: unknown) => isInputError(err) && err.file.endsWith('organism.json'), bad);
    }
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('a v2 model of another vocabulary (an older world) is an InputError naming vocab_size, not a forward error', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lvh-demo-v2-')), 'model');
  try {
    const config = { ...v2Config({ nEmbd: 16, nLayer: 1, nHead: 2 }), vocab_size: 200 };
    nn.saveEngineModelDir(nn.engineModel(config, nn.initWeights(config, 7)), dir, { extraFiles: { 'organism.json': '{"world":"v2"}' } });
    await assert.rejects(demoOrganismStep(dir, () => {}, SMALL), (err: unknown) => isInputError(err) && err.field === 'vocab_size');
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
