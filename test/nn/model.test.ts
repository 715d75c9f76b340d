import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import type { Model } from '../../src/nn/index.js';

const tf = nn.tf;
before(async () => {
  await nn.initBackend();
});

const tinyGpt2 = () => nn.initModel(nn.gpt2Config({ vocabSize: 11, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2 }), 1);
const tinyLlama = (tied = false) =>
  nn.initModel(nn.llamaConfig({ vocabSize: 13, hiddenSize: 8, intermediateSize: 12, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32, ropeTheta: 500, tieWordEmbeddings: tied }), 2);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function logitsOf(model: Model, ids: number[][], opts: nn.ForwardOptions = {}): number[][][] {
  const t = nn.forward(model, ids, opts);
  const v = t.arraySync() as number[][][];
  t.dispose();
  return v;
}

// A direct Float64 Llama forward (one row) written from the Hugging Face definition, to check the engine against.
function llamaReference(model: Model, ids: number[]): number[][] {
  const c = model.config as nn.LlamaConfig;
  const P = (n: string) => model.params.get(n)!.arraySync() as number[][];
  const V = (n: string) => model.params.get(n)!.arraySync() as unknown as number[];
  const d = c.hidden_size;
  const H = c.num_attention_heads;
  const KV = c.num_key_value_heads;
  const hd = d / H;
  const half = hd / 2;
  const matvecOutIn = (w: number[][], x: number[]) => w.map((row) => row.reduce((s, v, i) => s + v * x[i], 0));
  const rms = (x: number[], g: number[]) => {
    const ms = x.reduce((s, v) => s + v * v, 0) / x.length;
    return x.map((v, i) => (v / Math.sqrt(ms + c.rms_norm_eps)) * g[i]);
  };
  const rope = (vec: number[], pos: number) => {
    const out = vec.slice();
    for (let i = 0; i < half; i++) {
      const a = pos / Math.pow(c.rope_theta, (2 * i) / hd);
      out[i] = vec[i] * Math.cos(a) - vec[i + half] * Math.sin(a);
      out[i + half] = vec[i + half] * Math.cos(a) + vec[i] * Math.sin(a);
    }
    return out;
  };
  const emb = P('model.embed_tokens.weight');
  let xs = ids.map((id) => emb[id].slice());
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    const hs = xs.map((x) => rms(x, V(`${p}input_layernorm.weight`)));
    const qs = hs.map((h) => matvecOutIn(P(`${p}self_attn.q_proj.weight`), h));
    const ks = hs.map((h) => matvecOutIn(P(`${p}self_attn.k_proj.weight`), h));
    const vs = hs.map((h) => matvecOutIn(P(`${p}self_attn.v_proj.weight`), h));
    const outs = xs.map((_, t) => {
      const z: number[] = [];
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / KV));
        const q = rope(qs[t].slice(h * hd, (h + 1) * hd), t);
        const scores = [];
        for (let s = 0; s <= t; s++) {
          const k = rope(ks[s].slice(kvh * hd, (kvh + 1) * hd), s);
          scores.push(q.reduce((acc, v, i) => acc + v * k[i], 0) / Math.sqrt(hd));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const tot = e.reduce((a, b) => a + b, 0);
        for (let i = 0; i < hd; i++) z.push(e.reduce((acc, w, s) => acc + (w / tot) * vs[s][kvh * hd + i], 0));
      }
      return matvecOutIn(P(`${p}self_attn.o_proj.weight`), z);
    });
    xs = xs.map((x, t) => x.map((v, i) => v + outs[t][i]));
    xs = xs.map((x) => {
      const h = rms(x, V(`${p}post_attention_layernorm.weight`));
      const g = matvecOutIn(P(`${p}mlp.gate_proj.weight`), h);
      const u = matvecOutIn(P(`${p}mlp.up_proj.weight`), h);
      const a = g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
      const m = matvecOutIn(P(`${p}mlp.down_proj.weight`), a);
      return x.map((v, i) => v + m[i]);
    });
  }
  const head = model.params.has('lm_head.weight') ? P('lm_head.weight') : emb;
  return xs.map((x) => matvecOutIn(head, rms(x, V('model.norm.weight'))));
}

test('llama: grouped-query attention with rotary positions matches a direct computation', () => {
  for (const tied of [false, true]) {
    const model = tinyLlama(tied);
    // Perturb the norms so that their gains are exercised.
    for (const [name, t] of model.params) if (name.endsWith('norm.weight')) (t as nn.tf.Variable).assign(tf.tidy(() => tf.add(t, tf.randomUniform(t.shape, -0.5, 0.5, 'float32', 3))));
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const got = logitsOf(model, [ids])[0];
    const ref = llamaReference(model, ids);
    got.forEach((row, t) => assert.ok(maxAbsDiff(row, ref[t]) < 1e-4, `position ${t}: ${maxAbsDiff(row, ref[t])}`));
    assert.equal(model.params.has('lm_head.weight'), !tied);
    nn.disposeModel(model);
  }
});

test('key/value-cache generation equals full recomputation (GPT-2 and Llama), greedy and sampled', () => {
  for (const model of [tinyGpt2(), tinyLlama()]) {
    for (const opts of [{ maxTokens: 10 }, { maxTokens: 10, temperature: 1.3, topK: 5, topP: 0.9, seed: 4 }]) {
      const cached = nn.generate(model, [1, 2, 3], opts);
      const full = nn.generate(model, [1, 2, 3], { ...opts, noCache: true });
      assert.deepEqual(cached, full);
      assert.equal(cached.length, 10);
    }
    nn.disposeModel(model);
  }
});

test('generation is seeded, stops at a stop token and at the context length', () => {
  const model = tinyGpt2();
  const a = nn.generate(model, [1], { maxTokens: 8, temperature: 2, seed: 9 });
  assert.deepEqual(nn.generate(model, [1], { maxTokens: 8, temperature: 2, seed: 9 }), a);
  const stopAt = a[2];
  const stopped = nn.generate(model, [1], { maxTokens: 8, temperature: 2, seed: 9, stopTokens: [stopAt] });
  assert.equal(stopped.at(-1), stopAt);
  assert.ok(stopped.length <= 3);
  assert.equal(nn.generate(model, [1, 2, 3, 4], { maxTokens: 100 }).length, 16 - 4 + 1);
  nn.disposeModel(model);
});

test('a padded batch equals its rows run alone (left and right padding)', () => {
  for (const model of [tinyGpt2(), tinyLlama()]) {
    const a = [5, 6, 7, 8, 9];
    const b = [2, 3];
    const alone = [logitsOf(model, [a])[0], logitsOf(model, [b])[0]];
    const batch = logitsOf(model, [a, [0, 0, 0, ...b], [...b, 0, 0, 0]], {
      attentionMask: [[1, 1, 1, 1, 1], [0, 0, 0, 1, 1], [1, 1, 0, 0, 0]],
    });
    alone[0].forEach((row, t) => assert.ok(maxAbsDiff(row, batch[0][t]) < 1e-5));
    alone[1].forEach((row, t) => {
      assert.ok(maxAbsDiff(row, batch[1][t + 3]) < 1e-5, 'left padded');
      assert.ok(maxAbsDiff(row, batch[2][t]) < 1e-5, 'right padded');
    });
    const lp = nn.continuationLogProbsBatch(model, [{ prompt: [1, 2], continuation: [3, 4, 5] }, { prompt: [4], continuation: [2] }]);
    assert.ok(Math.abs(lp[0] - nn.continuationLogProbs(model, [1, 2], [3, 4, 5])) < 1e-4);
    assert.ok(Math.abs(lp[1] - nn.continuationLogProbs(model, [4], [2])) < 1e-4);
    nn.disposeModel(model);
  }
});

test('continuation log-probabilities are sums of next-token log-softmax values', () => {
  const model = tinyGpt2();
  const logits = nn.nextTokenLogits(model, [1, 2]);
  const max = Math.max(...logits);
  const lse = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
  const first = logits[7] - lse;
  const logits2 = nn.nextTokenLogits(model, [1, 2, 7]);
  const max2 = Math.max(...logits2);
  const second = logits2[3] - (max2 + Math.log(logits2.reduce((s, z) => s + Math.exp(z - max2), 0)));
  assert.ok(Math.abs(nn.continuationLogProbs(model, [1, 2], [7, 3]) - (first + second)) < 1e-4);
  nn.disposeModel(model);
});

test('finite-difference gradient checks for every parameter kind (GPT-2 and Llama)', () => {
  for (const model of [tinyGpt2(), nn.initModel(nn.llamaConfig({ vocabSize: 13, hiddenSize: 8, intermediateSize: 12, numLayers: 1, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32, attentionBias: true }), 5)]) {
    const batch = { inputs: [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], targets: [[2, 3, 4, 5, 6], [7, 8, 9, -1, 1]] };
    const vars = [...model.params.values()] as nn.tf.Variable[];
    const names = [...model.params.keys()];
    const { grads } = tf.variableGrads(() => nn.batchLoss(model, batch), vars);
    const kinds = new Set<string>();
    vars.forEach((v, i) => {
      const kind = names[i].replace(/\.\d+\./, '.L.');
      if (kinds.has(kind)) return;
      kinds.add(kind);
      const g = grads[v.name].dataSync();
      const data = v.dataSync().slice();
      // The two entries with the largest gradient, where float32 differences are meaningful.
      const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 2);
      for (const j of order) {
        const eps = 2e-3;
        const lossAt = (delta: number) => {
          const copy = Float32Array.from(data);
          copy[j] += delta;
          v.assign(tf.tensor(copy, v.shape));
          return tf.tidy(() => nn.batchLoss(model, batch).dataSync()[0]);
        };
        const numeric = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
        v.assign(tf.tensor(data, v.shape));
        assert.ok(Math.abs(numeric - g[j]) <= 0.03 * Math.abs(g[j]) + 2e-4, `${names[i]}[${j}]: numeric ${numeric} vs analytic ${g[j]}`);
      }
    });
    Object.values(grads).forEach((t) => t.dispose());
    assert.equal(kinds.size, new Set(names.map((n) => n.replace(/\.\d+\./, '.L.'))).size);
    nn.disposeModel(model);
  }
});

test('per-sequence 2-D attention equals the batched 3-D path: logits and every gradient (GPT-2, Llama GQA, padding, pattern hook)', () => {
  const models = [
    nn.initModel(nn.gpt2Config({ vocabSize: 11, nPositions: 16, nEmbd: 24, nLayer: 2, nHead: 3 }), 4), // hd = 8: 1/√hd is not exact
    nn.initModel(nn.llamaConfig({ vocabSize: 13, hiddenSize: 16, intermediateSize: 12, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositions: 32, attentionBias: true }), 6),
  ];
  const inputs = [[1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 1, 2, 3, 4], [5, 4, 3, 2, 1, 9, 8]];
  for (const model of models) {
    for (const attentionMask of [undefined, [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]]]) {
      const vars = [...model.params.values()] as nn.tf.Variable[];
      const run = (batchedAttention: boolean) =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const r = nn.forwardInternal(model, inputs, { attentionMask, batchedAttention });
            return tf.sum(tf.mul(r.logits2d, tf.sin(tf.reshape(tf.range(0, r.logits2d.size), r.logits2d.shape)))) as nn.tf.Scalar;
          }, vars);
          const logits = tf.tidy(() => nn.forwardInternal(model, inputs, { attentionMask, batchedAttention }).logits2d.dataSync());
          return { logits, value: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync()) };
        });
      const a = run(true);
      const b = run(false);
      assert.ok(maxAbsDiff(a.logits, b.logits) < 1e-5, `logits differ by ${maxAbsDiff(a.logits, b.logits)}`);
      assert.ok(Math.abs(a.value - b.value) < 1e-4);
      a.grads.forEach((g, i) => {
        const scale = Math.max(1, ...Array.from(g, Math.abs));
        assert.ok(maxAbsDiff(g, b.grads[i]) < 1e-5 * scale, `${[...model.params.keys()][i]}: gradients differ by ${maxAbsDiff(g, b.grads[i])}`);
      });
      // A pattern hook keeps the batched path (it sees (B, H, T, S)); an identity hook leaves the logits unchanged.
      const hooked = logitsOf(model, inputs, { attentionMask, hooks: [{ name: /hook_pattern$/, fn: (x) => x }] }).flat(2);
      assert.ok(maxAbsDiff(hooked, b.logits) < 1e-5);
    }
    nn.disposeModel(model);
  }
});

test('a tiny model\'s loss falls on a tiny corpus, deterministically, without leaking tensors', () => {
  const run = () => {
    const model = nn.initModel(nn.gpt2Config({ vocabSize: 8, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 2 }), 3);
    const tokens = Array.from({ length: 400 }, (_, i) => [1, 2, 3, 4, 5, 6, 7][i % 7]);
    const evalBatches = [nn.windowSampler(tokens, 4, 12, 99)()];
    const evals: number[] = [];
    const before = tf.memory().numTensors;
    const r = nn.train(model, { tokens, batchSize: 4, seqLen: 12, steps: 40, lr: 1e-2, warmupSteps: 4, weightDecay: 0.1, clipNorm: 1, seed: 7, evalEvery: 20, evalBatches, onEval: (e) => evals.push(e.loss) });
    assert.equal(tf.memory().numTensors, before);
    nn.disposeModel(model);
    return { r, evals };
  };
  const { r, evals } = run();
  assert.equal(r.losses.length, 40);
  assert.ok(r.losses.at(-1)! < 0.3 * r.losses[0], `${r.losses[0]} → ${r.losses.at(-1)}`);
  assert.equal(r.evalLosses.length, 2);
  assert.ok(evals[1] < evals[0]);
  assert.deepEqual(run().r.losses, r.losses);
});

test('learning rate: linear warm-up, cosine decay to the floor', () => {
  const o = { lr: 1, steps: 11, warmupSteps: 2, minLrRatio: 0.1 };
  assert.equal(nn.learningRate(0, o), 0.5);
  assert.equal(nn.learningRate(1, o), 1);
  assert.ok(Math.abs(nn.learningRate(2, o) - 1) < 1e-12);
  assert.ok(Math.abs(nn.learningRate(10, o) - 0.1) < 1e-12);
});

test('hooks: ablation leaves zero component along the direction; edits touch only chosen positions; the model is not mutated', () => {
  const model = tinyLlama();
  const dir = [1, -2, 0.5, 0, 3, 1, -1, 2];
  const unit = dir.map((v) => v / Math.hypot(...dir));
  const ids = [[1, 2, 3, 4, 5]];
  const { logits, cache } = nn.runWithCache(model, ids, { names: ['blocks.0.hook_resid_post', 'blocks.1.hook_resid_pre'], hooks: [nn.ablateDirectionHook(dir, { layers: [0] })] });
  const act = cache.get('blocks.0.hook_resid_post')!.arraySync() as number[][][];
  const actNorm = Math.max(...act[0].map((r) => Math.hypot(...r)));
  act[0].forEach((row) => assert.ok(Math.abs(row.reduce((s, v, i) => s + v * unit[i], 0)) < 1e-5 * actNorm));
  assert.deepEqual(cache.get('blocks.1.hook_resid_pre')!.arraySync(), act);
  logits.dispose();
  cache.forEach((t) => t.dispose());

  const plain = logitsOf(model, ids);
  const steered = logitsOf(model, ids, { hooks: [nn.addVectorHook(dir, { layers: [1], positions: [3] }, 4)] });
  [0, 1, 2].forEach((t) => assert.ok(maxAbsDiff(plain[0][t], steered[0][t]) < 1e-6));
  assert.ok(maxAbsDiff(plain[0][3], steered[0][3]) > 1e-3);
  assert.deepEqual(logitsOf(model, ids), plain);

  const sub = nn.ablateSubspaceHook([dir, [0, 1, 0, 0, 0, 0, 0, 1]], { hookName: 'hook_attn_out' });
  const { cache: c2, logits: l2 } = nn.runWithCache(model, ids, { names: [/hook_attn_out$/], hooks: [sub] });
  for (const t of c2.values()) {
    for (const row of (t.arraySync() as number[][][])[0]) {
      assert.ok(Math.abs(row[1] + row[7]) < 1e-5, 'no component along the second basis row');
      assert.ok(Math.abs(row.reduce((s, v, i) => s + v * unit[i], 0)) < 1e-5, 'no component along the first');
    }
  }
  l2.dispose();
  c2.forEach((t) => t.dispose());
  const replaced = nn.runWithCache(model, ids, { names: ['blocks.1.hook_mlp_out'], hooks: [nn.replaceHook(new Array(8).fill(0.25), { layers: [1], hookName: 'hook_mlp_out' })] });
  assert.ok((replaced.cache.get('blocks.1.hook_mlp_out')!.dataSync() as Float32Array).every((v) => v === 0.25));
  replaced.logits.dispose();
  replaced.cache.forEach((t) => t.dispose());
  nn.disposeModel(model);
});

test('runWithCache returns only what was asked for, with TransformerLens names and (B, T, d) shapes', () => {
  const model = tinyGpt2();
  const { logits, cache } = nn.runWithCache(model, [[1, 2, 3]]);
  assert.deepEqual([...cache.keys()], nn.hookNames(model));
  assert.deepEqual(cache.get('blocks.1.hook_resid_post')!.shape, [1, 3, 8]);
  assert.deepEqual(cache.get('blocks.0.attn.hook_pattern')!.shape, [1, 2, 3, 3]);
  assert.deepEqual(logits.shape, [1, 3, 11]);
  logits.dispose();
  cache.forEach((t) => t.dispose());
  const only = nn.runWithCache(model, [[1, 2]], { names: ['ln_final.hook_normalized'] });
  assert.deepEqual([...only.cache.keys()], ['ln_final.hook_normalized']);
  only.logits.dispose();
  only.cache.forEach((t) => t.dispose());
  nn.disposeModel(model);
});
