import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import {
  createRng, deriveSeed, orthonormalBasis, project, projectOut, dot, norm, symmetricEigen, svd, fromRows,
  matVec, matMul, transpose, cholesky, choleskySolve, sigmaCos, cosine, identity,
} from '../../src/linalg/index.js';

test('rng: same seed gives the same stream; different seeds differ', () => {
  const a = createRng(42).normals(100);
  const b = createRng(42).normals(100);
  assert.deepEqual(a, b);
  assert.notDeepEqual(createRng(43).normals(5), a.slice(0, 5));
});

test('rng: fixed first outputs (same numbers on every machine)', () => {
  const r = createRng(1);
  const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
  // Pinned: any change to the generator or its seeding changes every seeded result in the project.
  assert.deepEqual(first, [2442144158, 3238099751, 3819917871]);
  assert.equal(createRng(1).normal(), 0.8161680722567173);
});

test('rng: normal moments within 4 standard errors', () => {
  const n = 200_000;
  const z = createRng(7).normals(n);
  let m = 0;
  let v = 0;
  for (const x of z) m += x;
  m /= n;
  for (const x of z) v += (x - m) ** 2;
  v /= n - 1;
  assert.ok(Math.abs(m) < 4 / Math.sqrt(n), `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 4 * Math.sqrt(2 / n), `variance ${v}`);
});

test('rng: uniform in [0,1) and state resume continues the stream', () => {
  const r = createRng(9);
  for (let i = 0; i < 1000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
  }
  r.normal();
  const saved = r.state();
  const rest = r.normals(10);
  assert.deepEqual(createRng(0, saved).normals(10), rest);
  assert.notEqual(deriveSeed(1, 2), deriveSeed(1, 3));
});

const vecArb = (d: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d });

test('basis: orthonormal, detects rank, projection is idempotent', () => {
  assertProperty(
    fc.property(vecArb(5), vecArb(5), vecArb(5), (a, b, c) => {
      fc.pre(norm(a) > 1e-3 && norm(b) > 1e-3);
      const sum = a.map((x, i) => x + 2 * b[i]); // dependent on a and b
      const { basis, rank, independent } = orthonormalBasis([a, b, sum, c]);
      assert.ok(rank <= 3);
      assert.equal(independent[2], false);
      for (let i = 0; i < basis.length; i++) {
        for (let j = 0; j < basis.length; j++) assert.ok(Math.abs(dot(basis[i], basis[j]) - (i === j ? 1 : 0)) < 1e-9);
      }
      const p = project(basis, c);
      const pp = project(basis, p);
      for (let i = 0; i < 5; i++) assert.ok(Math.abs(p[i] - pp[i]) < 1e-9);
      const r = projectOut(basis, c);
      for (const q of basis) assert.ok(Math.abs(dot(q, r)) < 1e-8 * (1 + norm(c)));
    }),
  );
});

test('eigen: A v = λ v and eigenvalues descending', () => {
  assertProperty(
    fc.property(fc.array(vecArb(4), { minLength: 4, maxLength: 4 }), (rows) => {
      const b = fromRows(rows);
      const a = matMul(b, transpose(b)); // symmetric PSD
      const { values, vectors } = symmetricEigen(a);
      const scaleA = Math.max(1, ...Array.from(a.data, Math.abs));
      for (let i = 0; i < 4; i++) {
        const av = matVec(a, vectors[i]);
        for (let k = 0; k < 4; k++) assert.ok(Math.abs(av[k] - values[i] * vectors[i][k]) < 1e-8 * scaleA);
        if (i > 0) assert.ok(values[i] <= values[i - 1] + 1e-12);
      }
    }),
  );
});

test('svd: reconstructs the matrix', () => {
  const a = fromRows([[3, 1, 0, 2], [1, -2, 4, 0], [0, 0, 1, 1]]);
  const { s, u, v } = svd(a);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      let x = 0;
      for (let k = 0; k < s.length; k++) x += u[k][i] * s[k] * v[k][j];
      assert.ok(Math.abs(x - a.data[i * a.cols + j]) < 1e-10);
    }
  }
});

test('cholesky solves SPD systems and rejects indefinite ones', () => {
  const a = fromRows([[4, 1, 0], [1, 3, 0.5], [0, 0.5, 2]]);
  const l = cholesky(a)!;
  const x = choleskySolve(l, [1, 2, 3]);
  const back = matVec(a, x);
  [1, 2, 3].forEach((b, i) => assert.ok(Math.abs(back[i] - b) < 1e-12));
  assert.equal(cholesky(fromRows([[1, 2], [2, 1]])), null);
});

test('sigmaCos equals cosine for Sigma = I', () => {
  assertProperty(
    fc.property(vecArb(3), vecArb(3), (a, b) => {
      fc.pre(norm(a) > 1e-3 && norm(b) > 1e-3);
      assert.ok(Math.abs(sigmaCos(a, b, identity(3)) - cosine(a, b)) < 1e-12);
      assert.ok(Math.abs(sigmaCos(a, b) - cosine(a, b)) < 1e-12);
    }),
  );
});
