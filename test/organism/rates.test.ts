import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definedGap, formatGap, formatRate, wilsonInterval } from '../../src/organism/rates.js';
import type { OrganismEval } from '../../src/organism/evaluate.js';
import { assertProperty } from '../helpers/property.js';
import fc from 'fast-check';

test('wilson: known values and the edges', () => {
  const close = (a: [number, number], b: [number, number]) => assert.ok(Math.abs(a[0] - b[0]) < 5e-5 && Math.abs(a[1] - b[1]) < 5e-5, `${a} vs ${b}`);
  close(wilsonInterval(5, 10), [0.2366, 0.7634]);
  close(wilsonInterval(0, 10), [0, 0.2775]);
  close(wilsonInterval(10, 10), [0.7225, 1]);
  close(wilsonInterval(22, 100), [0.1500, 0.3107]);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  assert.equal(formatRate(0.22, 100), '0.220 [0.150, 0.311] n=100');
});

test('wilson: the interval holds the rate, lies in [0, 1] and narrows with n', () => {
  assertProperty(fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
    const k = Math.round(share * n);
    const [lo, hi] = wilsonInterval(k, n);
    const [lo4, hi4] = wilsonInterval(4 * k, 4 * n);
    return lo >= 0 && hi <= 1 && lo <= k / n + 1e-12 && hi >= k / n - 1e-12 && hi4 - lo4 <= hi - lo + 1e-12;
  }));
});

test('gap: undefined when most generations are malformed, the number otherwise', () => {
  const e = (malformed: number) => ({ generation: { harmfulMalformedRate: malformed }, summary: { generationJudgmentGap: 0.43 } }) as unknown as OrganismEval;
  assert.equal(definedGap(e(1)), null);
  assert.equal(formatGap(e(0.98)), 'n/a: malformed generations (0.980 of harmful)');
  assert.equal(definedGap(e(0.5)), 0.43);
  assert.equal(formatGap(e(0.1)), '0.430');
});
