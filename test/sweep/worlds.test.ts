import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import { cosine, dot, norm } from '../../src/linalg/index.js';
import { analyze, capacityRho } from '../../src/theory/index.js';
import { cellGeometry, expandGrid, validateSweepSpec, worldDirections, worldExpectations, worldFrame, type SweepCell } from '../../src/simulate/sweep/index.js';
import { smallSpec } from './helpers.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('the world frame is orthonormal and fixed by (seed, d)', () => {
  const frame = worldFrame(7, 12);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) close(dot(frame[i], frame[j]), i === j ? 1 : 0, 1e-12);
  assert.deepEqual(worldFrame(7, 12), frame);
  assert.notDeepEqual(worldFrame(8, 12), frame);
});

// Property: for any capacity, harmful fraction, anti-social cosine and family, the theory on the world's geometry
// gives rho = 1/sqrt(1 + sigma^2), the documented judge alignment per family, and the adversarial limit formula.
test('the world model gives rho(N) = 1/sqrt(1 + sigma(N)^2) and the documented judge alignments', () => {
  assertProperty(
    fc.property(
      fc.integer({ min: 5, max: 24 }),
      fc.double({ min: 0, max: 5, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: -0.99, max: -0.01, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 1000 }),
      (dim, sigma0, p, cu, w, seed) => {
        const spec = validateSweepSpec(
          { dims: [dim], seeds: [seed], capacity: { sigma0, alpha: 0.5, ladder: [4] }, harmful: { p: [p], cosine: cu }, constitutions: ['pro-social', 'neutral', 'adversarial', { mixture: w }], eta: [0, 1] },
          'prop',
        );
        for (const cell of expandGrid(spec)) {
          const report = analyze(cellGeometry(spec, cell));
          const expected = worldExpectations(spec, cell);
          close(report.rho, capacityRho(cell.sigma), 1e-9);
          close(report.rho, expected.rho, 1e-9);
          close(report.floor, -expected.rho, 1e-9);
          if (cell.constitution === 'pro-social') close(report.alignment.judge, expected.rho, 1e-9);
          if (cell.constitution === 'neutral') close(report.alignment.judge, 0, 1e-9);
          if (cell.constitution === 'adversarial') close(report.alignment.judge, expected.adversarialLimit, 1e-9);
          // a_gen = rho·[(1 − p)c_g + p c_u] / ||(1 − p)(c_g e + s_g n) + p u|| (docs/sweep.md).
          const cg = spec.generation.cosine;
          const squared = (1 - p) ** 2 + p * p + 2 * p * (1 - p) * cg * cu;
          close(report.alignment.generation, (expected.rho * ((1 - p) * cg + p * cu)) / Math.sqrt(squared), 1e-9);
          assert.ok(report.alignment.judge <= report.rho + 1e-9, 'T2 ceiling');
          assert.ok(report.alignment.judge >= -report.rho - 1e-9, 'T3 floor');
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('harmful data mixes the anti-social direction into g and h(p): cos(u, v*) = c_u·rho, h(1) = u', () => {
  const spec = smallSpec({ harmful: { p: [0, 0.5, 1], cosine: -0.6 } });
  const cells = expandGrid(spec).filter((c) => c.constitution === 'adversarial' && c.seed === 1 && c.capacity === 10);
  const [c0, , c1] = cells as [SweepCell, SweepCell, SweepCell];
  const w0 = worldDirections(spec, c0);
  const w1 = worldDirections(spec, c1);
  const rho = worldExpectations(spec, c1).rho;
  close(cosine(w1.antiSocial, w1.trueValue), -0.6 * rho, 1e-12);
  close(cosine(w1.harmfulData, w1.antiSocial), 1, 1e-12);
  close(cosine(w0.harmfulData, w0.trueValue), 0, 1e-12);
  close(norm(w0.generation), 1, 1e-12);
  // With p = 0, g is the pro-social mixture: cos(g, e) = generation.cosine = 0.5; with p = 1, g is along u.
  close(cosine(w0.generation, w0.encodedValue), 0.5, 1e-12);
  close(cosine(w1.generation, w1.antiSocial), 1, 1e-12);
});

test('a_gen falls and the adversarial limit worsens as the harmful fraction grows', () => {
  const spec = smallSpec({ harmful: { p: [0, 0.25, 0.5, 0.75, 1] }, constitutions: ['adversarial'], seeds: [3] });
  const rows = expandGrid(spec)
    .filter((c) => c.capacity === 100)
    .map((c) => analyze(cellGeometry(spec, c)));
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i].alignment.generation < rows[i - 1].alignment.generation);
    assert.ok(rows[i].alignment.judge < rows[i - 1].alignment.judge);
  }
});
