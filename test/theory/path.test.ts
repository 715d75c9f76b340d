import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import { readFileSync } from 'node:fs';
import { analyze, alignmentAt, judgeDirection, parseGeometry, pathCoefficients, pathPoint, pathShape, gaussianGain, validateGeometry } from '../../src/theory/index.js';
import { randomGeometry } from '../helpers/geometry.js';

const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const withSigma = fc.boolean();

test('T1 limit: A(eta) tends to alignment.judge as eta grows', () => {
  assertProperty(
    fc.property(seeds, withSigma, (seed, cov) => {
      const g = randomGeometry(seed, { covariance: cov });
      const report = analyze(g);
      const far = pathPoint(g, 1e9).alignment;
      assert.ok(Math.abs(far - report.alignment.judge) < 1e-6, `A(1e9) = ${far}, a_c = ${report.alignment.judge}`);
      assert.equal(report.improves, report.alignment.judge > report.alignment.generation);
      assert.ok(Math.abs(pathPoint(g, 0).alignment - report.alignment.generation) < 1e-12);
    }),
    { numRuns: 200 },
  );
});

test('T1 slope: the closed-form dA/deta at 0 matches a central finite difference (any Sigma)', () => {
  assertProperty(
    fc.property(seeds, withSigma, (seed, cov) => {
      const g = randomGeometry(seed, { covariance: cov });
      const k = pathCoefficients(g.generation, judgeDirection(g.constitution), g.trueValue, g.covariance);
      const slope = analyze(g).slope;
      const h = 1e-5;
      // A is smooth through 0 when theta(eta) != 0, so the two-sided difference is valid there.
      const fd = (alignmentAt(k, h) - alignmentAt(k, -h)) / (2 * h);
      if (Math.abs(slope) > 1e-4) assert.equal(Math.sign(fd), Math.sign(slope), `slope ${slope}, fd ${fd}`);
      assert.ok(Math.abs(fd - slope) < 1e-6 * Math.max(1, Math.abs(slope)) + 1e-7, `slope ${slope}, fd ${fd}`);
    }),
    { numRuns: 200 },
  );
});

test('T1 peak and trough bound every sampled path value and are attained', () => {
  const etas = [0, ...Array.from({ length: 400 }, (_, i) => 10 ** (-4 + (i * 9) / 399))];
  assertProperty(
    fc.property(seeds, withSigma, fc.double({ min: 0, max: 50, noNaN: true }), (seed, cov, extra) => {
      const g = randomGeometry(seed, { covariance: cov });
      const { peak, trough, shape } = analyze(g);
      const k = pathCoefficients(g.generation, judgeDirection(g.constitution), g.trueValue, g.covariance);
      for (const eta of [...etas, extra]) {
        // Near theta = 0 (g almost opposite to v_c) A loses about 1e-12 to cancellation.
        const a = alignmentAt(k, eta);
        assert.ok(a <= peak.alignment + 1e-9, `A(${eta}) = ${a} > peak ${peak.alignment}`);
        assert.ok(a >= trough.alignment - 1e-9, `A(${eta}) = ${a} < trough ${trough.alignment}`);
      }
      // The reported extremes are values of A (at their eta, or the limit when eta is null).
      for (const x of [peak, trough]) assert.ok(Math.abs(alignmentAt(k, x.eta ?? Infinity) - x.alignment) < 1e-12);
      if (shape === 'overshoot') assert.ok(peak.eta !== null && peak.eta > 0 && peak.alignment >= analyze(g).alignment.judge);
      if (shape === 'dip') assert.ok(trough.eta !== null && trough.eta > 0);
    }),
    { numRuns: 150 },
  );
});

test('T1 overshoot example of THEORY.md reproduces to 1e-9', () => {
  const file = 'examples/geometries/overshoot.json';
  const report = analyze(parseGeometry(readFileSync(file, 'utf8'), file));
  const deg = Math.PI / 180;
  const len = Math.sqrt(1 + 0.09);
  // Exact values: a_gen = cos54°/|v*|, a_c = sin54°/|v*|, eta* = b/a = tan 54°, peak = rho = 1/|v*| (unnormalised |v*|).
  assert.ok(Math.abs(report.alignment.generation - Math.cos(54 * deg) / len) < 1e-9);
  assert.ok(Math.abs(report.alignment.judge - Math.sin(54 * deg) / len) < 1e-9);
  assert.equal(report.shape, 'overshoot');
  assert.ok(Math.abs((report.peak.eta ?? NaN) - Math.tan(54 * deg)) < 1e-9);
  assert.ok(Math.abs(report.peak.alignment - 1 / len) < 1e-9);
  // The rounded numbers THEORY.md quotes.
  assert.equal(report.alignment.generation.toFixed(3), '0.563');
  assert.equal(report.peak.alignment.toFixed(3), '0.958');
  assert.equal(report.peak.eta?.toFixed(3), '1.376');
  assert.equal(report.alignment.judge.toFixed(3), '0.775');
});

test('T1 dip example: A first falls below A(0), then rises to a_c > a_gen', () => {
  const file = 'examples/geometries/dip.yaml';
  const g = parseGeometry(readFileSync(file, 'utf8'), file);
  const r = analyze(g);
  assert.equal(r.shape, 'dip');
  assert.ok(r.improves && r.slope < 0);
  assert.ok(r.trough.alignment < r.alignment.generation && r.trough.eta !== null);
  // In the plane the minimum sits where theta points opposite to v*'s in-plane part (30°): tan 30° = eta sin160°/(1 + eta cos160°).
  const deg = Math.PI / 180;
  const etaExact = Math.tan(30 * deg) / (Math.sin(160 * deg) - Math.tan(30 * deg) * Math.cos(160 * deg));
  assert.ok(Math.abs((r.trough.eta ?? NaN) - etaExact) < 1e-9);
  assert.ok(Math.abs(r.trough.alignment + r.rho) < 1e-9);
});

test('pathShape: g parallel or antiparallel to v_c', () => {
  const base = { dim: 2, trueValue: [0.6, 0.8], encoded: [], constitution: { name: 'c', basis: [[1, 0]], readout: [1, 0] } };
  const same = analyze(validateGeometry({ ...base, generation: [2, 0] }, 'same'));
  assert.equal(same.shape, 'monotone');
  assert.equal(same.peak.alignment, same.trough.alignment);
  const opposite = validateGeometry({ ...base, generation: [-2, 0] }, 'opposite');
  const r = analyze(opposite);
  assert.deepEqual([r.peak.eta, r.trough.eta], [null, 0]);
  assert.ok(Math.abs(r.peak.alignment - 0.6) < 1e-15 && Math.abs(r.trough.alignment + 0.6) < 1e-15);
  assert.ok(Number.isNaN(pathPoint(opposite, 2).alignment), 'theta(2) = 0 has no direction');
  const k = pathCoefficients(opposite.generation, judgeDirection(opposite.constitution), opposite.trueValue);
  assert.equal(pathShape(k).stationaryEta, null);
});

test('Gaussian gain: E(eta) - E(0) = eta <v*, Sigma v_c>', () => {
  assertProperty(
    fc.property(seeds, withSigma, fc.double({ min: 0, max: 100, noNaN: true }), (seed, cov, eta) => {
      const g = randomGeometry(seed, { covariance: cov });
      const diff = pathPoint(g, eta).expectedValue - pathPoint(g, 0).expectedValue;
      assert.ok(Math.abs(diff - gaussianGain(g, eta)) < 1e-9 * Math.max(1, Math.abs(diff)));
    }),
    { numRuns: 100 },
  );
});

test('analyze: path has one entry per eta in order, default [0, 1, 10, 100]', () => {
  const g = randomGeometry(5);
  assert.deepEqual(analyze(g).path.map((p) => p.eta), [0, 1, 10, 100]);
  const custom = validateGeometry({ dim: 2, trueValue: [1, 0], generation: [0, 1], constitution: { name: 'c', basis: [[1, 1]], readout: [1, 0] }, eta: [3, 0, 2] }, 'x');
  const report = analyze(custom);
  assert.deepEqual(report.path.map((p) => p.eta), [3, 0, 2]);
  for (const p of report.path) assert.ok(Math.abs(p.agreement - (1 - Math.acos(p.alignment) / Math.PI)) < 1e-15);
});
