// The finite range of a geometry (#8): vectors near the ends of the double range, the bounds validateGeometry
// enforces, and analyze's own check that every number it reports is finite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cosine, normalize, sigmaCos, fromRows } from '../../src/linalg/index.js';
import { analyze, GEOMETRY_MAX, GEOMETRY_MIN_NORM, validateGeometry } from '../../src/theory/index.js';
import { InputError } from '../../src/util/errors.js';
import { allFinite } from '../helpers/fuzz.js';
import { assertProperty } from '../helpers/property.js';

test('normalize, cosine and sigmaCos scale vectors whose squared norm would overflow or underflow', () => {
  // Before: 1e308 gave a norm of Infinity and a zero "unit" vector; 1e-320 a norm of 0 and a throw.
  const big = normalize([1e308, 1e308]);
  assert.ok(Math.abs(big[0] - Math.SQRT1_2) < 1e-15 && big[0] === big[1], String(big));
  assert.deepEqual(Array.from(normalize([1e-320, 0])), [1, 0]);
  assert.ok(Math.abs(cosine([1e308, 1], [1, 0]) - 1) < 1e-15);
  assert.ok(Math.abs(sigmaCos([1e308, 1], [1, 0]) - 1) < 1e-15);
  assert.ok(Math.abs(sigmaCos([1e-200, 1e-200], [1, 0], fromRows([[2, 0], [0, 2]])) - Math.SQRT1_2) < 1e-15);
  assert.throws(() => normalize([0, 0]), /zero vector/);
  assert.throws(() => sigmaCos([0, 0], [1, 0]), /zero vector/);
  // In the ordinary range the results are bit for bit the plain formulas.
  assert.deepEqual(Array.from(normalize([3, 4])), [3 * (1 / 5), 4 * (1 / 5)]);
  assert.equal(sigmaCos([1, 2], [3, 1]), 5 / (Math.sqrt(5) * Math.sqrt(10)));
});

const base = { dim: 2, trueValue: [1, 1], generation: [1, 0], constitution: { name: 'c', basis: [[0, 1]], readout: [0, 1] } };

test('a covariance far from unit scale gives the same alignments and slope as the identity (they are scale-free)', () => {
  const plain = analyze(validateGeometry(base, 'i.json'));
  for (const s of [1e-300, 1e-200, 1e40]) {
    // Before: Σ = 1e-300 I made gᵀΣg · ||g||_Σ underflow and the slope Infinity (null in --json).
    const scaled = analyze(validateGeometry({ ...base, covariance: [[s, 0], [0, s]] }, 's.json'), 's.json');
    assert.ok(Math.abs(scaled.slope - plain.slope) < 1e-12, `Σ = ${s} I: slope ${scaled.slope} vs ${plain.slope}`);
    assert.ok(Math.abs(scaled.alignment.judge - plain.alignment.judge) < 1e-12);
    assert.ok(Math.abs(scaled.peak.alignment - plain.peak.alignment) < 1e-12);
    assert.equal(allFinite({ ...scaled, path: scaled.path.map((p) => [p.eta, p.expectedValue]), peak: scaled.peak.alignment, trough: scaled.trough.alignment }), true);
  }
});

test('analyze refuses, as an InputError naming the field, a geometry whose report would not be finite', () => {
  // A geometry built in code skips validateGeometry's bounds: analyze's own check still stops the NaN.
  const g = validateGeometry(base, 'code');
  assert.throws(
    () => analyze({ ...g, generation: Float64Array.from([1e-200, 0]) }, 'code'),
    (e: unknown) => e instanceof InputError && e.file === 'code' && e.field === 'generation' && /report's slope is not/.test(e.expected),
  );
  assert.throws(
    () => analyze({ ...g, eta: [0, 1e300] }, 'code'),
    (e: unknown) => e instanceof InputError && e.field === 'eta[1]' && /path\[1\]/.test(e.expected),
  );
  // Σ tiny in one direction and g tiny along it: gᵀΣg underflows to 0 however it is scaled.
  const tiny = validateGeometry({ ...base, generation: [0, 1e-50], trueValue: [1, 1e-50], constitution: { name: 'c', basis: [[1, 0]], readout: [1, 0] }, covariance: [[1, 0], [0, 1e-300]] }, 't.json');
  assert.throws(() => analyze(tiny, 't.json'), (e: unknown) => e instanceof InputError && e.field === 'covariance');
});

test('every geometry inside the stated range has a finite report (magnitudes 1e-50 to 1e50)', () => {
  const exponent = fc.double({ min: Math.log10(GEOMETRY_MIN_NORM), max: Math.log10(GEOMETRY_MAX), noNaN: true });
  const direction = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }).filter((v) => Math.hypot(...v) > 0.1);
  assertProperty(
    fc.property(direction, direction, direction, exponent, exponent, exponent, fc.double({ min: 0, max: 50, noNaN: true }), (v, gDir, w, gScale, sigmaScale, encScale, etaExp) => {
      const unit = (x: number[], s: number): number[] => {
        const n = Math.hypot(...x);
        return x.map((xi) => (xi / n) * s);
      };
      const sigma = 10 ** sigmaScale;
      const raw = {
        dim: 3,
        trueValue: v,
        generation: unit(gDir, 10 ** gScale),
        encoded: [{ name: 'e', vector: unit(w, 10 ** encScale) }],
        constitution: { name: 'c', basis: ['e'], readout: unit(w, 1) },
        covariance: [[sigma, 0, 0], [0, sigma, 0], [0, 0, sigma]],
        eta: [0, 10 ** etaExp],
      };
      let report;
      try {
        report = analyze(validateGeometry(raw, 'p.json'), 'p.json');
      } catch (err) {
        // A refusal must be an InputError (e.g. a readout outside span(basis) after rounding), never a crash.
        assert.ok(err instanceof InputError, String(err));
        return;
      }
      const { path, ...rest } = report;
      assert.ok(allFinite(rest), JSON.stringify(rest));
      for (const p of path) assert.ok(Number.isFinite(p.expectedValue));
    }),
    { numRuns: 300 },
  );
});
