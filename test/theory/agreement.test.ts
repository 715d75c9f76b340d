import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import { createRng } from '../../src/linalg/index.js';
import { agreementFromAlignment, integrate, judgeAgreementFinite, logistic, normalCdf, valueFunctionAgreement, type PairModel } from '../../src/theory/index.js';

/** Mean and standard error of a 0/1 or [0, 1] sample. */
function meanSe(xs: Float64Array): { mean: number; se: number } {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  return { mean: m, se: Math.sqrt(v / (xs.length - 1) / xs.length) };
}

test('quadrature: integrates known Gaussian integrals to 1e-12', () => {
  const pdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  assert.ok(Math.abs(integrate(pdf, -12, 12).value - 1) < 1e-12);
  assert.ok(Math.abs(integrate((x) => x * x * pdf(x), -12, 12).value - 1) < 1e-12);
  assert.ok(Math.abs(integrate(pdf, -12, 1.3).value - normalCdf(1.3)) < 1e-12);
});

test('agreementFromAlignment: 1 - arccos(a)/pi at the landmarks', () => {
  assert.equal(agreementFromAlignment(1), 1);
  assert.equal(agreementFromAlignment(-1), 0);
  assert.equal(agreementFromAlignment(0), 0.5);
  assert.ok(Math.abs(agreementFromAlignment(0.5) - 2 / 3) < 1e-15);
});

test('judgeAgreementFinite: the lambda -> infinity limit is 1 - arccos(a)/pi; lambda = 0 gives 1/2', () => {
  assertProperty(
    fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (a) => {
      assert.equal(judgeAgreementFinite(a, Infinity, 1), agreementFromAlignment(a));
      assert.equal(judgeAgreementFinite(a, 0, 1), 0.5);
      // σ(k u) differs from the step by at most e^{-k|u|}; the gap shrinks like 1/k.
      const big = judgeAgreementFinite(a, 1e5, 1);
      assert.ok(Math.abs(big - agreementFromAlignment(a)) < 2e-5, `${big} vs ${agreementFromAlignment(a)}`);
      // Symmetry: the agreement at -a is one minus the agreement at a.
      assert.ok(Math.abs(judgeAgreementFinite(-a, 2, 0.7) + judgeAgreementFinite(a, 2, 0.7) - 1) < 1e-10);
    }),
    { numRuns: 50 },
  );
});

test('judgeAgreementFinite matches a seeded Monte-Carlo within 3 standard errors', () => {
  const n = 40_000;
  for (const [i, [a, lambda, std]] of [[0.3, 1, 1], [0.8, 0.5, 2], [-0.4, 3, 0.5], [0.95, 10, 1], [1, 1.5, 1]].entries()) {
    const rng = createRng(1000 + i);
    const hits = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const u = rng.normal();
      const w = a * u + Math.sqrt(Math.max(0, 1 - a * a)) * rng.normal();
      // Expected agreement of the stochastic label given (u, w), which has a smaller variance than a sampled label.
      const pJudgeFirst = logistic(lambda * std * u);
      hits[t] = w > 0 ? pJudgeFirst : 1 - pJudgeFirst;
    }
    const { mean, se } = meanSe(hits);
    const exact = judgeAgreementFinite(a, lambda, std);
    assert.ok(Math.abs(mean - exact) < 3 * se, `a=${a} λ=${lambda}: MC ${mean} ± ${se}, integral ${exact}`);
  }
});

test('valueFunctionAgreement: monotone f gives the linear answer; quadratic f matches Monte-Carlo within 3 SE', () => {
  const cases: { pair: PairModel; center: number }[] = [
    { pair: { valueMean: 0.5, valueStd: 1, judgeStd: 1, correlation: 0.8, lambda: Infinity }, center: 0 },
    { pair: { valueMean: 0, valueStd: 1, judgeStd: 1.5, correlation: 0.6, lambda: 2 }, center: 1 },
    { pair: { valueMean: 2, valueStd: 0.7, judgeStd: 0.8, correlation: 0.9, lambda: 0.7 }, center: 2.3 },
  ];
  const n = 40_000;
  cases.forEach(({ pair, center }, i) => {
    const linear = valueFunctionAgreement(pair, { kind: 'monotone' });
    assert.equal(linear.agreement, judgeAgreementFinite(pair.correlation, pair.lambda, Math.SQRT2 * pair.judgeStd));
    assert.equal(valueFunctionAgreement(pair, { kind: 'monotone', increasing: false }).agreement, 1 - linear.agreement);
    const quad = valueFunctionAgreement(pair, { kind: 'quadratic', center });
    const rng = createRng(2000 + i);
    const r = pair.correlation;
    const hits = new Float64Array(n);
    const f = (x: number) => -((x - center) ** 2);
    for (let t = 0; t < n; t++) {
      // Two independent responses, projected on (v*, v_c): correlated normals per response.
      const z1 = rng.normal();
      const z2 = rng.normal();
      const x1 = pair.valueMean + pair.valueStd * z1;
      const x2 = pair.valueMean + pair.valueStd * z2;
      const y1 = pair.judgeStd * (r * z1 + Math.sqrt(1 - r * r) * rng.normal());
      const y2 = pair.judgeStd * (r * z2 + Math.sqrt(1 - r * r) * rng.normal());
      const pFirst = pair.lambda === Infinity ? (y1 > y2 ? 1 : 0) : logistic(pair.lambda * (y1 - y2));
      hits[t] = f(x1) > f(x2) ? pFirst : 1 - pFirst;
    }
    const { mean, se } = meanSe(hits);
    assert.ok(Math.abs(mean - quad.agreement) < 3 * se, `case ${i}: MC ${mean} ± ${se}, formula ${quad.agreement}`);
    // The non-monotone f breaks the linear formula by a visible amount in these cases.
    assert.ok(Math.abs(quad.agreement - linear.agreement) > 5 * se, `case ${i}: quadratic ${quad.agreement} vs linear ${linear.agreement}`);
  });
});

test('judgeAgreementFinite agrees with a brute-force Simpson rule on the original integral to 1e-9', () => {
  const pdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  for (const [a, k] of [[0.3, 1], [0.9, 4], [-0.7, 0.2], [0.99, 30]]) {
    const rest = Math.sqrt(1 - a * a);
    const g = (u: number) => pdf(u) * logistic(k * u) * normalCdf((a * u) / rest);
    // Composite Simpson on [-12, 12] with 240,000 panels (error ~ h^4 · max|g''''| far below 1e-9 here).
    const m = 240_000;
    const h = 24 / m;
    let s = g(-12) + g(12);
    for (let i = 1; i < m; i++) s += (i % 2 === 1 ? 4 : 2) * g(-12 + i * h);
    const brute = (2 * s * h) / 3;
    const fast = judgeAgreementFinite(a, k, 1);
    assert.ok(Math.abs(brute - fast) < 1e-9, `a=${a} k=${k}: ${fast} vs Simpson ${brute}`);
  }
});
