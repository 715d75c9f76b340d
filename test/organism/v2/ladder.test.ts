import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELDOUT_KEY, LADDER_KEYS, risesStrictly, summarizeLadder, withHeldoutMean, type LadderModel } from '../../../src/organism/v2/ladder.js';
import { isInputError } from '../../../src/util/errors.js';

const SIZES = [
  { size: 'xs', params: 9_000 },
  { size: 's', params: 31_000 },
  { size: 'm', params: 124_000 },
  { size: 'l', params: 480_000 },
];

/** A hand-made headline: held-out act and category agreement, rho and the gap. */
function headline(act: number, category: number, rho: number, gap = 0.1): Record<string, number> {
  return { 'judge.main.heldout-act': act, 'judge.main.heldout-category': category, 'rho.leaveCategoryOut.best': rho, gap, 'baseline.position': 0.5 };
}

/** Four sizes × three seeds; size i has held-out agreement `held[i]` (± 0.01 over seeds) and rho `rho[i]`. */
function ladder(held: number[], rho: number[]): LadderModel[] {
  return SIZES.flatMap((s, i) => [1, 2, 3].map((seed) => {
    const d = (seed - 2) * 0.01;
    return { dir: `models/ladder/${s.size}-s${seed}`, size: s.size, seed, params: s.params, headline: headline(held[i] + d, held[i] - d, rho[i] + d) };
  }));
}

test('withHeldoutMean: the mean of held-out acts and categories, NaN when one is missing', () => {
  assert.equal(withHeldoutMean(headline(0.8, 0.6, 0.9))[HELDOUT_KEY], 0.7);
  assert.ok(Number.isNaN(withHeldoutMean({ 'judge.main.heldout-act': 0.8 })[HELDOUT_KEY]));
  assert.ok(Number.isNaN(withHeldoutMean({ 'judge.main.heldout-act': 0.8, 'judge.main.heldout-category': NaN })[HELDOUT_KEY]));
});

test('risesStrictly: every step up; ties, falls, single values and NaN fail', () => {
  assert.equal(risesStrictly([0.5, 0.6, 0.9]), true);
  assert.equal(risesStrictly([0.5, 0.5, 0.9]), false);
  assert.equal(risesStrictly([0.5, 0.7, 0.6, 0.9]), false);
  assert.equal(risesStrictly([0.5]), false);
  assert.equal(risesStrictly([0.5, NaN, 0.9]), false);
});

test('a rising ladder from ≤ 0.7 to ≥ 0.9 passes every check, with per-size mean, sd, min, max and spread', () => {
  const input = ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]);
  // Given shuffled: sizes come out ordered by parameters, seeds sorted.
  const l = summarizeLadder([...input].reverse());
  assert.deepEqual(l.sizes.map((s) => s.size), ['xs', 's', 'm', 'l']);
  assert.deepEqual(l.sizes.map((s) => s.params), SIZES.map((s) => s.params));
  for (const s of l.sizes) {
    assert.equal(s.n, 3);
    assert.deepEqual(s.seeds, [1, 2, 3]);
    assert.deepEqual(Object.keys(s.summary), [...LADDER_KEYS]);
  }
  const xs = l.sizes[0].summary;
  assert.ok(Math.abs(xs[HELDOUT_KEY].mean - 0.6) < 1e-12, 'held-out mean: acts and categories shift oppositely over seeds');
  assert.equal(xs[HELDOUT_KEY].spread, 0);
  assert.ok(Math.abs(xs['judge.main.heldout-act'].mean - 0.6) < 1e-12);
  assert.ok(Math.abs(xs['judge.main.heldout-act'].min - 0.59) < 1e-12 && Math.abs(xs['judge.main.heldout-act'].max - 0.61) < 1e-12);
  assert.ok(Math.abs(xs['judge.main.heldout-act'].spread - 0.02) < 1e-12);
  assert.ok(Math.abs(xs['judge.main.heldout-act'].sd - 0.01) < 1e-12);
  assert.ok(Math.abs(l.sizes[3].summary['rho.leaveCategoryOut.best'].mean - 0.95) < 1e-12);
  assert.equal(xs['sweep.movedShare'].n, 0, 'a key no headline has: no seeds, NaN mean');
  assert.ok(Number.isNaN(xs['sweep.movedShare'].mean));
  assert.equal(l.checks.length, 5);
  for (const c of l.checks) assert.equal(c.holds, true, c.name);
  assert.deepEqual(l.checks[1].values.map((v) => v.size), ['xs', 's', 'm', 'l']);
  assert.equal(l.models.length, 12);
  assert.ok(l.models.every((m) => Number.isFinite(m.headline[HELDOUT_KEY])));
});

test('a non-monotone ladder fails the rising checks; the end-point checks are judged on their own', () => {
  const dip = summarizeLadder(ladder([0.6, 0.8, 0.75, 0.93], [0.5, 0.7, 0.9, 0.95]));
  assert.deepEqual(dip.checks.map((c) => c.holds), [true, false, true, true, true]);
  const rhoTie = summarizeLadder(ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.7, 0.95]));
  assert.deepEqual(rhoTie.checks.map((c) => c.holds), [true, true, false, true, true]);
  const easy = summarizeLadder(ladder([0.75, 0.8, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]));
  assert.deepEqual(easy.checks.map((c) => c.holds), [true, true, true, false, true], 'smallest above 0.7');
  const hard = summarizeLadder(ladder([0.6, 0.7, 0.8, 0.89], [0.5, 0.7, 0.9, 0.95]));
  assert.deepEqual(hard.checks.map((c) => c.holds), [true, true, true, true, false], 'largest below 0.9');
});

test('too few sizes or seeds fail the shape check; one size cannot pass a trend or the largest check', () => {
  const three = summarizeLadder(ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]).filter((m) => m.size !== 'l'));
  assert.equal(three.checks[0].holds, false);
  const twoSeeds = summarizeLadder(ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]).filter((m) => !(m.size === 'm' && m.seed === 3)));
  assert.equal(twoSeeds.checks[0].holds, false);
  assert.equal(twoSeeds.sizes[2].n, 2);
  const one = summarizeLadder([{ dir: 'a', size: 'l', seed: 1, params: 10, headline: headline(0.95, 0.95, 0.9) }]);
  assert.deepEqual(one.checks.map((c) => c.holds), [false, false, false, false, false]);
  const nan = summarizeLadder(ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]).map((m) => (m.size === 'xs' ? { ...m, headline: { ...m.headline, 'judge.main.heldout-category': NaN } } : m)));
  assert.equal(nan.checks[1].holds, false, 'a size with no finite held-out mean cannot rise');
  assert.equal(nan.checks[3].holds, false);
});

test('inconsistent input is refused naming the model: two parameter counts for one size, or a size × seed twice', () => {
  const base = ladder([0.6, 0.75, 0.85, 0.93], [0.5, 0.7, 0.9, 0.95]);
  const paramsClash = base.map((m) => (m.dir === 'models/ladder/m-s2' ? { ...m, params: 1 } : m));
  assert.throws(() => summarizeLadder(paramsClash), (e: unknown) => isInputError(e) && e.message.includes('m-s2') && e.message.includes('parameters'));
  const twice = [...base, { ...base[0], dir: 'elsewhere/xs-s1' }];
  assert.throws(() => summarizeLadder(twice), (e: unknown) => isInputError(e) && e.message.includes('elsewhere/xs-s1') && e.message.includes('seed 1'));
  assert.throws(() => summarizeLadder([]), /no models/);
});
