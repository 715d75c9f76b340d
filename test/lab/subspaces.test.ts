import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { tokenizerFromJson } from '../../src/io/tokenizer.js';
import * as nn from '../../src/nn/engine.js';
import { buildTokenizerJson } from '../../src/organism/v2/world/index.js';
import { v2Config } from '../../src/organism/v2/train.js';
import { createRng } from '../../src/linalg/index.js';
import {
  decompose, energyRank, loadDirection, participationRatio, principalCosines, randomPrincipalCosines, randomRankBaseline, runLab,
  worldRefusalDataV2, worldSubspaceDataV2, LAB_STEPS, type SubspacesResult,
} from '../../src/lab/index.js';
import { assertProperty } from '../helpers/property.js';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

test('participation ratio: K orthogonal equal-norm directions give K, K copies of one direction give 1', () => {
  assertProperty(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), fc.double({ min: 0.1, max: 10, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (k, extra, len, seed) => {
    const d = k + extra;
    const rng = createRng(seed);
    // K orthogonal rows of norm `len` in a random rotation: a random orthonormal basis scaled.
    const q = decompose(Array.from({ length: d }, () => rng.normals(d))).v.slice(0, k);
    const rows = q.map((v) => v.map((x) => x * len));
    const { s } = decompose(rows);
    assert.ok(close(participationRatio(s), k, 1e-6), `PR ${participationRatio(s)} of ${k} orthogonal rows`);
    assert.equal(energyRank(s), Math.ceil(0.9 * k - 1e-9));
    const one = rng.normals(d).map((x) => x * len);
    const copies = decompose(Array.from({ length: k }, () => one)).s;
    assert.ok(close(participationRatio(copies), 1, 1e-6));
    assert.equal(energyRank(copies), 1);
  }), { numRuns: 50 });
});

test('90%-energy rank on hand cases', () => {
  assert.equal(energyRank([3, 1]), 1); // 9 of 10
  assert.equal(energyRank([2, 1]), 2); // 4 of 5 < 0.9
  assert.equal(energyRank([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 9);
  assert.equal(energyRank([0, 0]), 0);
  assert.equal(energyRank([5]), 1);
  assert.equal(participationRatio([0, 0]), 0);
  assert.ok(close(participationRatio([2, 1]), 25 / 17));
});

test('principal cosines: a subspace with itself (any basis of it) is all 1, orthogonal subspaces 0', () => {
  assertProperty(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }), (p, q, seed) => {
    const d = p + q + 2;
    const rng = createRng(seed);
    const a = Array.from({ length: p }, () => rng.normals(d));
    // Another basis of span(a): random combinations of its rows.
    const mix = a.map(() => {
      const c = rng.normals(p);
      return Float64Array.from({ length: d }, (_, i) => a.reduce((s, row, j) => s + c[j] * row[i], 0));
    });
    const same = principalCosines(a, mix);
    assert.equal(same.length, p);
    for (const c of same) assert.ok(close(c, 1, 1e-6), `cos ${c}`);
    // Orthogonal: disjoint coordinate blocks, rotated by one random orthogonal matrix.
    const rot = decompose(Array.from({ length: d }, () => rng.normals(d))).v;
    const rotate = (x: number[]) => Float64Array.from({ length: d }, (_, i) => x.reduce((s, xj, j) => s + xj * rot[j][i], 0));
    const e = (i: number) => Array.from({ length: d }, (_, j) => (i === j ? 1 + rng.uniform() : 0));
    const A = Array.from({ length: p }, (_, i) => rotate(e(i)));
    const B = Array.from({ length: q }, (_, i) => rotate(e(p + i)));
    const orth = principalCosines(A, B);
    assert.equal(orth.length, Math.min(p, q));
    for (const c of orth) assert.ok(Math.abs(c) < 1e-6, `cos ${c}`);
  }), { numRuns: 50 });
  // A line at 60° to a plane containing its projection.
  const c = principalCosines([[Math.cos(Math.PI / 3), 0, Math.sin(Math.PI / 3)]], [[1, 0, 0], [0, 1, 0]]);
  assert.ok(close(c[0], 0.5, 1e-9));
});

test('random baselines: seeded, in range, and near the high-dimensional expectations', () => {
  const a = randomPrincipalCosines(64, 3, 3, 10, 7);
  assert.deepEqual(a, randomPrincipalCosines(64, 3, 3, 10, 7));
  assert.equal(a.length, 3);
  assert.ok(a.every((c) => c > 0 && c < 0.6), `${a}`);
  assert.ok(a[0] >= a[1] && a[1] >= a[2]);
  // In d = 64, 3 random directions are nearly orthogonal: PR close to 3 (< 3 since norms are equal but not orthogonal).
  const r = randomRankBaseline(64, [1, 1, 1], 10, 3);
  assert.ok(r.participationRatio > 2.5 && r.participationRatio <= 3 + 1e-9, `${r.participationRatio}`);
  assert.equal(r.energyRank90, 3);
});

test('the subspaces step end to end on a tiny random-weight v2 model directory: files, numbers, resume and skip', async (t) => {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'lvh-sub-'));
  const modelDir = join(dir, 'model');
  const config = v2Config({ nEmbd: 16, nLayer: 1, nHead: 2 });
  nn.saveEngineModelDir(nn.engineModel(config, nn.initWeights(config, 1)), modelDir, { tokenizerJson: buildTokenizerJson(), extraFiles: { 'organism.json': '{"world":"v2"}\n' } });
  const { model } = await nn.loadEngineModelDir(modelDir);
  const tokenizer = tokenizerFromJson(buildTokenizerJson());
  const data = worldRefusalDataV2(tokenizer, 0, { train: 8, val: 4, test: 12 }, { responses: false });
  const subspaces = worldSubspaceDataV2(tokenizer, 0, { perCategory: 6, harmless: 16 });
  assert.equal(LAB_STEPS.at(-1), 'subspaces');
  // Held-out categories (vandalism, caregiving) have no comparison-split acts: K = 5 on each side.
  assert.deepEqual(subspaces.harm.map((c) => c.category), ['violence', 'theft', 'deception', 'cruelty', 'poisoning']);
  assert.equal(subspaces.benign.length, 5);
  const run = join(dir, 'run');
  const inputs = { model, modelName: 'tiny', modelHash: 'h', data, seed: 0, subspaces };
  const out = await runLab(run, inputs);
  assert.ok(out.ran.includes('subspaces'));
  const rec = JSON.parse(readFileSync(join(run, 'subspaces.json'), 'utf8')) as { result: SubspacesResult & { files: string[] } };
  const r = rec.result;
  assert.equal(r.skipped, undefined);
  assert.equal(r.layers!.length, 2, 'layer 0 input and the last block output');
  for (const l of r.layers!) {
    assert.equal(l.position, -1);
    assert.equal(l.norms.length, 5);
    assert.ok(l.participationRatio >= 1 - 1e-9 && l.participationRatio <= 5 + 1e-9);
    assert.ok(l.energyRank90 >= 1 && l.energyRank90 <= 5);
    assert.ok(l.harmVsProSocial.cosines.every((c) => c >= 0 && c <= 1));
    assert.equal(l.random.draws, 10);
  }
  assert.ok(r.layers![0].harmVsNextLayer && r.layers![1].harmVsNextLayer === null);
  const a = r.ablation!;
  assert.equal(a.hook, out.refusal.result.selected.hook);
  assert.equal(a.rank, r.layers!.find((l) => l.hook === a.hook)!.energyRank90);
  assert.equal(a.subspace.compliance.n, 12);
  assert.equal(a.baseline.klHarmless, 0);
  assert.ok(a.subspace.klHarmless >= 0 && a.refusalDirection.rank === 1);
  assert.equal(a.randomPoints.length, 10);
  assert.equal(a.fullSubspace.rank, 5);
  assert.ok(a.refusalVsSubspace.cosTop >= 0 && a.refusalVsSubspace.cosTop <= 1 + 1e-9 && a.refusalVsSubspace.residualFraction >= 0);
  for (const f of r.files) assert.ok(existsSync(join(run, f)), f);
  assert.ok(r.files.includes('subspaces.svg') && r.files.includes('harm-subspace.L0.safetensors'));
  const saved = loadDirection(join(run, 'harm-subspace.L0.safetensors'));
  assert.ok('basis' in saved && saved.basis.length >= 1 && saved.provenance.position === -1);
  assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /Safety subspaces/);
  // Resumed: nothing reruns; without categories the step is recorded as skipped with its reason.
  assert.deepEqual((await runLab(run, inputs)).ran, []);
  const skipped = await runLab(run, { ...inputs, subspaces: undefined });
  assert.deepEqual(skipped.ran, [], 'recorded as skipped, not run (as quantities without its data)');
  assert.match(skipped.subspaces.result.skipped!, /no categories/);
  assert.match((JSON.parse(readFileSync(join(run, 'subspaces.json'), 'utf8')) as { result: SubspacesResult }).result.skipped!, /no categories/);
  const seconds = (performance.now() - t0) / 1000;
  t.diagnostic(`subspaces end to end: ${seconds.toFixed(1)} s`);
  assert.ok(seconds < 30, `${seconds} s`);
});
