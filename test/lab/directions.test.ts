import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/linalg/index.js';
import { cosine, diffOfMeans, logisticProbe, norm, pcaOfPairs, randomDirections, unitVector, type Direction } from '../../src/lab/directions.js';
import { controlVectorBytes, loadDirection, parseGguf, saveControlVector, saveDirection } from '../../src/lab/files.js';
import { InputError } from '../../src/util/errors.js';

// Two classes separated along a planted unit direction u (plus isotropic noise).
function planted(seed: number, n: number, d: number, gap: number) {
  const rng = createRng(seed);
  const u = rng.normals(d);
  const s = norm(u);
  for (let i = 0; i < d; i++) u[i] /= s;
  const sample = (sign: number) => Array.from({ length: n }, () => rng.normals(d).map((x, i) => x * 0.5 + (sign * gap * u[i]) / 2));
  return { u, pos: sample(1), neg: sample(-1) };
}

const prov = (method: Direction['provenance']['method']): Direction['provenance'] => ({ model: 'fixture', layer: 2, hook: 'blocks.2.hook_resid_post', position: -1, method, data: 'planted, n=200', seed: 7 });

test('difference of means, logistic probe and PCA of pairs all recover a planted direction', () => {
  const { u, pos, neg } = planted(1, 200, 16, 2);
  const diff = diffOfMeans(pos, neg);
  assert.ok(cosine(diff, u) > 0.95, `diff ${cosine(diff, u)}`);
  const probe = logisticProbe([...pos, ...neg], [...pos.map(() => 1), ...neg.map(() => 0)], { seed: 3 });
  assert.ok(probe.accuracy > 0.95);
  assert.ok(cosine(probe.weights, u) > 0.9, `probe ${cosine(probe.weights, u)}`);
  const again = logisticProbe([...pos, ...neg], [...pos.map(() => 1), ...neg.map(() => 0)], { seed: 3 });
  assert.deepEqual(Array.from(again.weights), Array.from(probe.weights), 'same seed, same probe');
  const pca = pcaOfPairs(pos, neg, 3);
  assert.ok(cosine(pca.basis[0], u) > 0.95, `pca ${cosine(pca.basis[0], u)}`);
  assert.ok(pca.energy[0] > 3 * pca.energy[1]);
  assert.ok(Math.abs(norm(pca.basis[1]) - 1) < 1e-9 && Math.abs(cosine(pca.basis[0], pca.basis[1])) < 1e-9);
  const rand = randomDirections(16, 5, 2.5, 9);
  assert.ok(rand.every((r) => Math.abs(norm(r) - 2.5) < 1e-9));
});

test('a direction saved as safetensors loads back with its provenance; a basis too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-lab-dir-'));
  const vector = Float64Array.from({ length: 8 }, (_, i) => i - 3.5);
  saveDirection(join(dir, 'd.safetensors'), { vector, provenance: prov('diff-of-means') });
  const back = loadDirection(join(dir, 'd.safetensors'));
  assert.ok('vector' in back);
  assert.deepEqual(Array.from(back.vector), Array.from(vector));
  assert.deepEqual(back.provenance, prov('diff-of-means'));
  const basis = [Float64Array.from([1, 0, 0, 0]), Float64Array.from([0, 1, 0, 0])];
  saveDirection(join(dir, 'b.safetensors'), { basis, energy: [2, 1], provenance: prov('pca-pairs') });
  const b = loadDirection(join(dir, 'b.safetensors'));
  assert.ok('basis' in b);
  assert.deepEqual(b.basis.map((r) => Array.from(r)), basis.map((r) => Array.from(r)));
  assert.deepEqual(b.energy, [2, 1]);
});

test('numpy reads the direction file (header parsed by hand: u64 length, JSON, F32 data)', (t) => {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return t.skip('no /usr/bin/python3');
  try {
    execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
  } catch {
    return t.skip('python3 has no numpy');
  }
  const dir = mkdtempSync(join(tmpdir(), 'lvh-lab-np-'));
  const path = join(dir, 'd.safetensors');
  const vector = Float64Array.from({ length: 5 }, (_, i) => 0.25 * i - 0.5);
  saveDirection(path, { vector, provenance: prov('logistic-probe') });
  const script = [
    'import json, struct, sys, numpy as np',
    'b = open(sys.argv[1], "rb").read()',
    'n = struct.unpack("<Q", b[:8])[0]',
    'h = json.loads(b[8:8 + n])',
    'e = h["direction"]; s, t = e["data_offsets"]',
    'a = np.frombuffer(b[8 + n + s:8 + n + t], dtype="<f4").reshape(e["shape"])',
    'print(json.dumps({"dtype": e["dtype"], "shape": list(a.shape), "values": a.tolist(), "meta": h["__metadata__"]}))',
  ].join('\n');
  const out = JSON.parse(execFileSync(python, ['-c', script, path]).toString()) as { dtype: string; shape: number[]; values: number[]; meta: Record<string, string> };
  assert.equal(out.dtype, 'F32');
  assert.deepEqual(out.shape, [5]);
  assert.deepEqual(out.values, Array.from(vector));
  assert.equal(out.meta.method, 'logistic-probe');
  assert.equal(out.meta.hook, 'blocks.2.hook_resid_post');
  assert.equal(out.meta.seed, '7');
});

test('GGUF control vector: magic, version 3, controlvector metadata, direction.{L} F32 tensors, 32-byte alignment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-lab-gguf-'));
  const path = join(dir, 'cv.gguf');
  const vector = Float64Array.from({ length: 6 }, (_, i) => i + 1);
  saveControlVector(path, [{ vector, provenance: prov('diff-of-means') }], { layers: 4, modelHint: 'llama' });
  const bytes = new Uint8Array(readFileSync(path));
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString('latin1'), 'GGUF');
  const g = parseGguf(bytes, path);
  assert.equal(g.version, 3);
  assert.equal(g.metadata.get('general.architecture'), 'controlvector');
  assert.equal(g.metadata.get('controlvector.model_hint'), 'llama');
  assert.equal(g.metadata.get('controlvector.layer_count'), 3);
  assert.deepEqual([...g.tensors.keys()], ['direction.1', 'direction.2', 'direction.3']);
  assert.deepEqual(Array.from(g.tensors.get('direction.2')!.data), Array.from(vector), 'blocks.2.hook_resid_post is llama.cpp layer 2');
  assert.ok(g.tensors.get('direction.1')!.data.every((x) => x === 0));
  assert.deepEqual(g.tensors.get('direction.3')!.shape, [6]);
  // Tensor data starts on a 32-byte boundary: the file length is the aligned header plus 3 aligned tensors.
  assert.equal((bytes.length - 3 * 32) % 32, 0);
  // llama.cpp never steers block 0's output.
  assert.throws(() => controlVectorBytes([{ vector, provenance: { ...prov('diff-of-means'), hook: 'blocks.0.hook_resid_post' } }], { layers: 4, modelHint: 'x' }), (e: unknown) => e instanceof InputError);
  assert.throws(() => parseGguf(bytes.subarray(0, 40), path), (e: unknown) => e instanceof InputError);
});

test('unitVector: unit length along the input, the zero vector stays zero, the input untouched', () => {
  const rng = createRng(5);
  for (let t = 0; t < 20; t++) {
    const x = Float64Array.from({ length: 1 + (t % 7) }, () => rng.normal() * 10);
    const before = Float64Array.from(x);
    const u = unitVector(x);
    assert.ok(Math.abs(norm(u) - 1) < 1e-12);
    assert.ok(Math.abs(cosine(u, x) - 1) < 1e-12);
    assert.deepEqual(x, before);
  }
  assert.deepEqual(unitVector([0, 0, 0]), new Float64Array(3));
});
