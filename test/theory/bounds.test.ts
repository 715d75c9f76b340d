import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import { readdirSync, readFileSync } from 'node:fs';
import { createRng, dot, norm, sigmaCos } from '../../src/linalg/index.js';
import {
  analyze, capacityRho, ceiling, constitutionInsideS, encodedSubspace, gainAfterAblation, judgeDirection, paretoArc, parseGeometry,
  rho, updateRank, validateGeometry, worstConstitution, worstOf, type Constitution,
} from '../../src/theory/index.js';
import { randomGeometry } from '../helpers/geometry.js';

const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** A random constitution whose basis lies in S (random combinations of an orthonormal basis of S). */
function constitutionInS(seed: number, s: Float64Array[], dim: number): Constitution {
  const rng = createRng(seed);
  const rank = 1 + rng.int(s.length);
  const basis = Array.from({ length: rank }, () => {
    const v = new Float64Array(dim);
    for (const q of s) {
      const c = rng.normal();
      for (let i = 0; i < dim; i++) v[i] += c * q[i];
    }
    return v;
  });
  return { name: `in-S-${seed}`, basis, readout: rng.normals(dim) };
}

test('T2/T3: no constitution inside S exceeds rho; the worst reaches -rho (Sigma = I)', () => {
  assertProperty(
    fc.property(seeds, seeds, (seed, cseed) => {
      const g = randomGeometry(seed);
      const r = rho(g);
      const s = encodedSubspace(g);
      const candidates = Array.from({ length: 5 }, (_, i) => constitutionInS(cseed + i, s, g.dim));
      for (const c of candidates) {
        assert.ok(constitutionInsideS(g, c));
        const a = sigmaCos(judgeDirection(c), g.trueValue);
        assert.ok(a <= r + 1e-12 && a >= -r - 1e-12, `a_c = ${a}, rho = ${r}`);
      }
      const worst = worstConstitution(g);
      assert.ok(Math.abs(worst.alignment + r) < 1e-12, `worst ${worst.alignment}, rho ${r}`);
      assert.ok(Math.abs(ceiling(g) - r) < 1e-12);
      // The worst of a list never beats the worst inside S, and is the minimum of the list.
      const listed = worstOf(g, candidates);
      assert.equal(listed.alignment, Math.min(...listed.alignments));
      assert.ok(listed.alignment >= worst.alignment - 1e-12);
      // The path never leaves the ceiling when S_c ⊆ S (g ∈ S by construction).
      const report = analyze({ ...g, constitution: candidates[0] });
      assert.ok(report.peak.alignment <= r + 1e-9 && report.ceilingApplies);
    }),
    { numRuns: 150 },
  );
});

test('ceiling under a general Sigma: no constitution inside S exceeds it, the worst reaches -ceiling', () => {
  assertProperty(
    fc.property(seeds, seeds, (seed, cseed) => {
      const g = randomGeometry(seed, { covariance: true });
      const top = ceiling(g);
      for (let i = 0; i < 5; i++) {
        const c = constitutionInS(cseed + i, encodedSubspace(g), g.dim);
        assert.ok(sigmaCos(judgeDirection(c), g.trueValue, g.covariance) <= top + 1e-12);
      }
      assert.ok(Math.abs(worstConstitution(g).alignment + top) < 1e-12);
    }),
    { numRuns: 100 },
  );
});

test('constitution outside S: allowed, with a warning that the ceiling does not apply', () => {
  const g = validateGeometry(
    { dim: 3, trueValue: [1, 0, 0], generation: [0, 1, 0], encoded: [], constitution: { name: 'outside', basis: [[1, 0, 0]], readout: [1, 0, 0] } },
    'outside.json',
  );
  const r = analyze(g);
  assert.equal(r.ceilingApplies, false);
  assert.equal(r.rho, 0);
  assert.equal(r.alignment.judge, 1);
  assert.match(r.warnings.join(' '), /ceiling .* does not apply/);
});

test('T3 adversarial example: a rank-1 constitution on an anti-social direction drives the limit to its cosine', () => {
  const file = 'examples/geometries/adversarial.yaml';
  const g = parseGeometry(readFileSync(file, 'utf8'), file);
  const r = analyze(g);
  const manipulation = g.encoded.find((e) => e.name === 'manipulation');
  assert.ok(manipulation);
  const cos = dot(manipulation.vector, g.trueValue) / norm(manipulation.vector);
  assert.ok(cos < 0 && Math.abs(r.alignment.judge - cos) < 1e-12);
  assert.equal(r.improves, false);
  assert.ok(r.encoded.some((e) => e.name === 'manipulation' && e.antiSocial));
  assert.ok(r.floor <= r.alignment.judge);
});

test('capacity ladder: rho(N) = capacityRho(sigma(N)) for every rung, climbing toward 1', () => {
  const dir = 'examples/geometries/capacity-ladder';
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  const rows = files.map((f) => {
    const g = parseGeometry(readFileSync(`${dir}/${f}`, 'utf8'), f);
    const u = g.encoded[0].vector;
    const sigma = Math.abs(u[1]);
    return { n: Number(f.replace(/^N-|\.yaml$/g, '')), rho: rho(g), expected: capacityRho(sigma), judge: analyze(g).alignment.judge };
  });
  rows.sort((a, b) => a.n - b.n);
  for (const r of rows) {
    assert.ok(Math.abs(r.rho - r.expected) < 1e-12, `${r.n}: ${r.rho} vs ${r.expected}`);
    assert.ok(Math.abs(r.judge - r.rho) < 1e-12);
  }
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i].rho > rows[i - 1].rho);
  assert.equal(capacityRho(0), 1);
  assert.ok(Math.abs(capacityRho(1) - Math.SQRT1_2) < 1e-15);
});

test('low rank: the update is rank 1 inside S_c, and projecting v_c out removes the gain exactly', () => {
  assertProperty(
    fc.property(seeds, fc.boolean(), (seed, cov) => {
      const g = randomGeometry(seed, { covariance: cov });
      const u = updateRank(g);
      assert.equal(u.rank, 1);
      assert.ok(u.constitutionRank >= 1 && u.outsideConstitution < 1e-12);
      assert.ok(Math.abs(u.gainPerEtaAfterAblation) < 1e-14, `${u.gainPerEtaAfterAblation}`);
      // Ablating an unrelated direction orthogonal to v_c leaves the gain unchanged.
      const vc = judgeDirection(g.constitution);
      const other = new Float64Array(g.dim);
      other[0] = vc[1];
      other[1] = -vc[0];
      if (norm(other) > 1e-6) assert.ok(Math.abs(gainAfterAblation(g, 1, [other]) - u.gainPerEta) < 1e-12);
    }),
    { numRuns: 100 },
  );
});

test('Pareto arc: runs from (cos θ, 1) to (1, cos θ), helpfulness rising and safety falling', () => {
  assertProperty(
    fc.property(seeds, (seed) => {
      const rng = createRng(seed);
      const d = 2 + rng.int(5);
      const vH = rng.normals(d);
      const vS = rng.normals(d);
      const cosHS = dot(vH, vS) / (norm(vH) * norm(vS));
      fc.pre(cosHS > -0.99);
      const alphas = Array.from({ length: 21 }, (_, i) => i / 20);
      const arc = paretoArc(vH, vS, alphas);
      assert.ok(Math.abs(arc[0].helpful - cosHS) < 1e-12 && Math.abs(arc[0].safe - 1) < 1e-12);
      assert.ok(Math.abs(arc[20].helpful - 1) < 1e-12 && Math.abs(arc[20].safe - cosHS) < 1e-12);
      for (let i = 1; i < arc.length; i++) {
        assert.ok(arc[i].helpful >= arc[i - 1].helpful - 1e-12 && arc[i].safe <= arc[i - 1].safe + 1e-12);
      }
    }),
    { numRuns: 100 },
  );
});
