import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/nn/backend.js';
import { batchMatMul, embedding, geluNew, layerNorm, linear, logSigmoid, oneHot, rmsNorm, sequenceAttention, softmaxCrossEntropy, sumRows, tf } from '../../src/nn/ops.js';
import { createRng } from '../../src/linalg/rng.js';

before(async () => {
  await initBackend();
});

function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

// Central finite differences of scalar f at every entry of x (float32, so coarse), against tf's gradient.
function checkGrad(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], which: number, eps = 1e-2, tol = 2e-2): void {
  const analytic = tf.tidy(() => tf.grads(f)(xs)[which]).dataSync();
  const base = xs[which].dataSync();
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    const at = (vals: Float32Array) => tf.tidy(() => {
      const args = xs.map((x, j) => (j === which ? tf.tensor(vals, x.shape) : x));
      return f(...args).dataSync()[0];
    });
    const numeric = (at(plus) - at(minus)) / (2 * eps);
    assert.ok(Math.abs(numeric - analytic[i]) <= tol * Math.max(1, Math.abs(numeric)), `entry ${i}: numeric ${numeric} vs analytic ${analytic[i]}`);
  }
}

test('workaround 1: gradients are registered in the engine in use', () => {
  assert.ok(tf.getGradient('BatchMatMul') && tf.getGradient('Softmax') && tf.getGradient('Sigmoid'));
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3])).arraySync());
  assert.deepEqual(g, [2, -4, 6]);
  assert.equal(tf.getBackend(), 'wasm');
});

test('workaround 2: embedding gathers rows and its gradient is the one-hot scatter-add', () => {
  const table = randn([5, 3], 1);
  const ids = tf.tensor1d([4, 0, 4, 2], 'int32');
  assert.deepEqual(tf.tidy(() => embedding(table as tf.Tensor2D, ids).arraySync()), tf.tidy(() => tf.gather(table, ids).arraySync()));
  const w = randn([4, 3], 2);
  const grad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedding(t as tf.Tensor2D, ids), w)))(table).arraySync()) as number[][];
  const wv = w.arraySync() as number[][];
  const expected = [0, 1, 2, 3, 4].map((row) => [0, 1, 2].map((c) => [4, 0, 4, 2].reduce((s, id, i) => s + (id === row ? wv[i][c] : 0), 0)));
  grad.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-5)));
});

test('workaround 3: oneHot is exact float32 ones and zeros', () => {
  const h = tf.tidy(() => oneHot(tf.tensor1d([2, 0, 1], 'int32'), 3));
  assert.equal(h.dtype, 'float32');
  assert.deepEqual(h.arraySync(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
});

test('workaround 4: logSigmoid equals log σ(z), with a finite gradient on an intermediate tensor', () => {
  const z = tf.tensor1d([-30, -2, 0, 0.5, 4]);
  const v = tf.tidy(() => logSigmoid(z).dataSync());
  const zs = [-30, -2, 0, 0.5, 4];
  zs.forEach((x, i) => assert.ok(Math.abs(v[i] - -Math.log1p(Math.exp(-x))) < 1e-4));
  checkGrad((x) => tf.sum(logSigmoid(tf.mul(x, 2))), [tf.tensor1d([-1, 0.3, 2])], 0);
});

test('workaround 5: linear (both layouts) matches matmul and has correct gradients', () => {
  const x = randn([4, 3], 3);
  const wIO = randn([3, 2], 4);
  const wOI = tf.transpose(wIO);
  const b = randn([2], 5);
  const ref = tf.tidy(() => tf.add(tf.matMul(x, wIO), b).arraySync()) as number[][];
  const a = tf.tidy(() => linear(x as tf.Tensor2D, wIO as tf.Tensor2D, b as tf.Tensor1D).arraySync()) as number[][];
  const c = tf.tidy(() => linear(x as tf.Tensor2D, wOI as tf.Tensor2D, b as tf.Tensor1D, 'outIn').arraySync()) as number[][];
  ref.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - a[i][j]) < 1e-5 && Math.abs(v - c[i][j]) < 1e-5)));
  const w = randn([4, 2], 6);
  const lossIO = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(linear(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), w)) as tf.Scalar;
  const lossOI = (xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(linear(xi as tf.Tensor2D, wi as tf.Tensor2D, undefined, 'outIn'), w)) as tf.Scalar;
  for (const k of [0, 1, 2]) checkGrad(lossIO, [x, wIO, b], k);
  for (const k of [0, 1]) checkGrad(lossOI, [x, wOI], k);
});

test('batchMatMul: value and gradients with explicit transposes', () => {
  const a = randn([2, 3, 4], 7);
  const b = randn([2, 4, 2], 8);
  const w = randn([2, 3, 2], 9);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D)))).dataSync()[0]);
  assert.ok(diff < 1e-5);
  const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D), w)) as tf.Scalar;
  checkGrad(loss, [a, b], 0);
  checkGrad(loss, [a, b], 1);
});

test('workaround 8: sequenceAttention equals autodiff attention (values, gradients of q, k, v; GQA; masked keys get probability 0)', () => {
  const [batch, time, heads, kvHeads, hd] = [2, 5, 4, 2, 3];
  const q = randn([batch * time, heads * hd], 11);
  const kv = randn([batch * time, 2 * kvHeads * hd], 12); // k and v side by side, as GPT-2's c_attn output holds them
  const w = randn([batch * time, heads * hd], 13);
  // Causal bias; in sequence 1 key 0 is padding as well.
  const bias = Array.from({ length: batch }, (_, b) =>
    tf.tensor2d(Float32Array.from({ length: time * time }, (_, i) => ((i % time) > Math.floor(i / time) || (b === 1 && i % time === 0 && i > 0) ? -1e9 : 0)), [time, time]));
  const fast = (qi: tf.Tensor, kvi: tf.Tensor) =>
    sequenceAttention([qi as tf.Tensor2D, kvi as tf.Tensor2D], { q: { src: 0, col: 0 }, k: { src: 1, col: 0 }, v: { src: 1, col: kvHeads * hd } }, { batch, time, heads, kvHeads, headDim: hd }, bias);
  const reference = (qi: tf.Tensor, kvi: tf.Tensor) => {
    const rows: tf.Tensor[] = [];
    for (let b = 0; b < batch; b++) {
      const heads4: tf.Tensor[] = [];
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / (heads / kvHeads));
        const qb = tf.slice(qi, [b * time, h * hd], [time, hd]);
        const kb = tf.slice(kvi, [b * time, kh * hd], [time, hd]);
        const vb = tf.slice(kvi, [b * time, (kvHeads + kh) * hd], [time, hd]);
        const p = tf.softmax(tf.add(tf.div(tf.matMul(qb, kb, false, true), Math.sqrt(hd)), bias[b]));
        heads4.push(tf.matMul(p, vb));
      }
      rows.push(tf.concat(heads4, 1));
    }
    return tf.concat(rows, 0);
  };
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fast(q, kv), reference(q, kv)))).dataSync()[0]);
  assert.ok(diff < 1e-5, `values differ by ${diff}`);
  const grads = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), w)))([q, kv]).map((g) => g.dataSync()));
  const [gf, gr] = [grads(fast), grads(reference)];
  for (let i = 0; i < 2; i++) {
    const d = Math.max(...gf[i].map((x, j) => Math.abs(x - gr[i][j])));
    assert.ok(d < 1e-5, `gradient ${i} differs by ${d}`);
  }
  // Masked keys get probability exactly 0: v's gradient at sequence 1's padded key 0 comes from query 0 alone (P = 1 there).
  const wd = w.dataSync();
  const row = time * 2 * kvHeads * hd; // sequence 1, position 0, in kv
  for (let kh = 0; kh < kvHeads; kh++) {
    for (let c = 0; c < hd; c++) {
      let expected = 0;
      for (let h = kh * (heads / kvHeads); h < (kh + 1) * (heads / kvHeads); h++) expected += wd[time * heads * hd + h * hd + c];
      assert.ok(Math.abs(gf[1][row + (kvHeads + kh) * hd + c] - expected) < 1e-6);
    }
  }
  bias.forEach((t) => t.dispose());
});

test('workaround 6: GELU through sigmoid equals the tanh form exactly (to float precision)', () => {
  const xs = [-5, -1.5, -0.3, 0, 0.7, 2, 6];
  const v = tf.tidy(() => geluNew(tf.tensor1d(xs)).dataSync());
  xs.forEach((x, i) => {
    const ref = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    assert.ok(Math.abs(v[i] - ref) < 1e-5, `${x}: ${v[i]} vs ${ref}`);
  });
  checkGrad((x) => tf.sum(geluNew(x)), [tf.tensor1d([-1.2, 0.1, 0.9])], 0);
});

test('workaround 6: fused softmax cross-entropy equals −log softmax at the target, ignores −1, right gradient', () => {
  const logits = randn([3, 4], 10, 2);
  const targets = [2, -1, 0];
  const v = tf.tidy(() => softmaxCrossEntropy(logits as tf.Tensor2D, targets).dataSync()[0]);
  const rows = logits.arraySync() as number[][];
  const nll = (r: number[], t: number) => Math.log(r.reduce((s, z) => s + Math.exp(z), 0)) - r[t];
  assert.ok(Math.abs(v - (nll(rows[0], 2) + nll(rows[2], 0)) / 2) < 1e-5);
  checkGrad((z) => softmaxCrossEntropy(z as tf.Tensor2D, targets), [logits], 0);
});

test('layer norm and RMS norm: values and hand-written gradients', () => {
  const x = randn([3, 5], 11);
  const g = randn([5], 12);
  const b = randn([5], 13);
  const w = randn([3, 5], 14);
  const ln = tf.tidy(() => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).arraySync()) as number[][];
  const xv = x.arraySync() as number[][];
  const gv = g.arraySync() as number[];
  const bv = b.arraySync() as number[];
  xv.forEach((row, i) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    row.forEach((v, j) => assert.ok(Math.abs(ln[i][j] - ((v - mean) / Math.sqrt(variance + 1e-5)) * gv[j] - bv[j]) < 1e-4));
  });
  const rms = tf.tidy(() => rmsNorm(x as tf.Tensor2D, g as tf.Tensor1D, 1e-6).arraySync()) as number[][];
  xv.forEach((row, i) => {
    const ms = row.reduce((s, v) => s + v * v, 0) / row.length;
    row.forEach((v, j) => assert.ok(Math.abs(rms[i][j] - (v / Math.sqrt(ms + 1e-6)) * gv[j]) < 1e-4));
  });
  const lnLoss = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(layerNorm(xi as tf.Tensor2D, gi as tf.Tensor1D, bi as tf.Tensor1D, 1e-5), w)) as tf.Scalar;
  const rmsLoss = (xi: tf.Tensor, gi: tf.Tensor) => tf.sum(tf.mul(rmsNorm(xi as tf.Tensor2D, gi as tf.Tensor1D, 1e-6), w)) as tf.Scalar;
  for (const k of [0, 1, 2]) checkGrad(lnLoss, [x, g, b], k);
  for (const k of [0, 1]) checkGrad(rmsLoss, [x, g], k);
});

test('speed paths: sumRows equals a column sum; embedding rows equal gather (JS copy and gather paths); GELU gradient', () => {
  tf.tidy(() => {
    const x = randn([37, 5], 41) as tf.Tensor2D;
    const a = sumRows(x).dataSync();
    const b = tf.sum(x, 0).dataSync();
    assert.equal(a.length, 5);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5 * Math.max(1, Math.abs(b[i])), `column ${i}: ${v} vs ${b[i]}`));
    const ids = tf.tensor1d([3, 0, 3, 7, 1], 'int32');
    for (const rows of [8, 400]) { // 8 rows: copied in JS; 400 rows (> 4 × ids): tf.gather
      const table = randn([rows, 4], 42 + rows) as tf.Tensor2D;
      assert.deepEqual(Array.from(embedding(table, ids).dataSync()), Array.from(tf.gather(table, ids).dataSync()));
    }
    assert.throws(() => embedding(randn([8, 4], 43) as tf.Tensor2D, tf.tensor1d([8, 0, 1, 2, 3], 'int32')), /outside \[0, 8\)/);
  });
  const w = randn([3, 4], 44);
  checkGrad((x) => tf.sum(tf.mul(geluNew(x), w)) as tf.Scalar, [randn([3, 4], 45, 2)], 0);
});

test('threads: the backend runs the thread count asked for, and one thread and several give the same training losses', async () => {
  const { backendThreads, defaultThreads } = await import('../../src/nn/backend.js');
  assert.equal(backendThreads(), defaultThreads());
  const saved = process.env.LVH_THREADS;
  try {
    delete process.env.LVH_THREADS;
    assert.equal(defaultThreads(), 1, 'one thread unless asked');
    process.env.LVH_THREADS = '3';
    assert.equal(defaultThreads(), 3);
    process.env.LVH_THREADS = '20';
    assert.equal(defaultThreads(), 8, 'at most the 8 workers the glue preallocates');
  } finally {
    if (saved === undefined) delete process.env.LVH_THREADS;
    else process.env.LVH_THREADS = saved;
  }
  // A child process per thread count (the first initBackend call fixes it for a process); each must also exit by itself.
  const { spawnSync } = await import('node:child_process');
  const script = `
    import * as nn from './src/nn/index.js';
    await nn.initBackend({ threads: Number(process.argv[1]) });
    const model = nn.initModel(nn.gpt2Config({ vocabSize: 64, nPositions: 32, nEmbd: 64, nLayer: 2, nHead: 4 }), 3);
    const tokens = Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 2)) % 64);
    const r = nn.train(model, { tokens, batchSize: 4, seqLen: 32, steps: 3, lr: 1e-3, seed: 1 });
    console.log(JSON.stringify({ threads: nn.backendThreads(), losses: r.losses }));`;
  const run = (threads: number) => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(threads)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as { threads: number; losses: number[] };
  };
  const one = run(1);
  const two = run(2);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  one.losses.forEach((l, i) => assert.ok(Math.abs(l - two.losses[i]) < 1e-5, `step ${i}: ${l} vs ${two.losses[i]}`));
});
