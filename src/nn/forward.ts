/**
 * The forward pass of both families, with TransformerLens hook points:
 * `hook_embed`, `hook_pos_embed` (GPT-2), `blocks.{L}.hook_resid_pre`, `blocks.{L}.attn.hook_pattern`,
 * `blocks.{L}.hook_attn_out`, `blocks.{L}.hook_resid_mid`, `blocks.{L}.mlp.hook_post`,
 * `blocks.{L}.hook_mlp_out`, `blocks.{L}.hook_resid_post`, `ln_final.hook_normalized`.
 * The residual stream is kept 2-D (B·T, d) so every linear layer is a plain 2-D matmul; hooks see (B, T, d).
 */
import { dims, type Dims } from '../io/config.js';
import { batchLayout, type CachedPositions } from './batch-layout.js';
import { hookMatches, type Hook, type HookContext } from './hooks.js';
import { param, type Model } from './model.js';
import { batchMatMul, embedding, geluNew, layerNorm, linear, rmsNorm, sequenceAttention, silu, tf } from './ops.js';

/** Per-layer keys and values of the positions seen so far, for incremental decoding. */
export interface KvCache extends CachedPositions {
  /** keys/values per layer, (B, kvHeads, length, headDim). */
  layers: { k: tf.Tensor4D; v: tf.Tensor4D }[];
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Hooks applied at their hook points, in order. */
  hooks?: Hook[];
  /** (B, T) with 1 for real tokens and 0 for padding; position ids count real tokens only, so left padding is transparent. */
  attentionMask?: number[][];
}

/** Internal options: capture hook points, and continue from a key/value cache. */
export interface ForwardInternalOptions extends ForwardOptions {
  capture?: (name: string) => boolean;
  cache?: Map<string, tf.Tensor>;
  past?: KvCache;
  /** Return a cache extended with this call's keys and values (tensors kept). */
  returnKv?: boolean;
  /** Always use the batched 3-D attention (as with a cache or a pattern hook); for tests and benchmarks. */
  batchedAttention?: boolean;
}

/** Logits (B·T, V) of the forward pass, its new key/value cache when asked, and the hidden state. */
export interface ForwardResult {
  logits2d: tf.Tensor2D;
  batch: number;
  time: number;
  kv?: KvCache;
}

/** Token ids as a (B, T) int32 tensor plus their JS rows. */
function idsRows(ids: number[][] | tf.Tensor2D): number[][] {
  if (Array.isArray(ids)) return ids;
  return ids.arraySync() as number[][];
}

/** Runs the model on (B, T) ids; call inside tf.tidy (captured activations and returned kv tensors are kept). */
export function forwardInternal(model: Model, ids: number[][] | tf.Tensor2D, opts: ForwardInternalOptions = {}): ForwardResult {
  const k = dims(model.config);
  const rows = idsRows(ids);
  const past = opts.past;
  // Position ids count real tokens (so a left-padded row matches the row alone); key mask and bias for attention.
  const { batch, time, pastLen, totalLen, positions, keyMask, nextPosition, bias } = batchLayout(model.config, rows, opts.attentionMask, past);
  const attnBias = tf.tensor4d(bias, [batch, 1, time, totalLen]);
  // Without a cache, attention runs per (sequence, head) on plain 2-D matmuls (2-3x faster on WASM), each sequence
  // with its own (T, T) block of the same bias; the batched 3-D path serves caches and pattern hooks.
  let seqBiases: tf.Tensor2D[] | undefined;
  const sequenceBiases = () => (seqBiases ??= rows.map((_, b) => tf.tensor2d(bias.subarray(b * time * time, (b + 1) * time * time), [time, time])));
  const attnShape = { batch, time, heads: k.heads, kvHeads: k.kvHeads, headDim: k.headDim };
  const ctx: HookContext = { positionOffset: pastLen };
  const hooks = opts.hooks ?? [];
  const point = <T extends tf.Tensor>(name: string, x: T, shape3: number[] = [batch, time, x.shape[x.rank - 1]]): T => {
    const active = hooks.filter((h) => hookMatches(h, name));
    const wanted = opts.capture?.(name) ?? false;
    if (active.length === 0 && !wanted) return x;
    let act: tf.Tensor = x.rank === 2 ? tf.reshape(x, shape3) : x;
    for (const h of active) {
      const out = h.fn(act, name, ctx);
      if (!out || out.shape.join(',') !== act.shape.join(',')) {
        throw new Error(`hook at ${name} returned shape [${out?.shape}] instead of [${act.shape}]`);
      }
      act = out;
    }
    if (wanted) opts.cache?.set(name, tf.keep(act.clone()));
    return (x.rank === 2 ? tf.reshape(act, x.shape) : act) as T;
  };

  const idsT = tf.tensor1d(Int32Array.from(rows.flat()), 'int32');
  const newLayers: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
  const n = batch * time;
  let x: tf.Tensor2D;
  const isGpt2 = model.config.model_type === 'gpt2';
  if (isGpt2) {
    const tok = point('hook_embed', embedding(param(model, 'transformer.wte.weight') as tf.Tensor2D, idsT));
    const pos = point('hook_pos_embed', embedding(param(model, 'transformer.wpe.weight') as tf.Tensor2D, tf.tensor1d(positions, 'int32')));
    x = tf.add(tok, pos);
  } else {
    x = point('hook_embed', embedding(param(model, 'model.embed_tokens.weight') as tf.Tensor2D, idsT));
  }
  const rope = isGpt2 ? undefined : rotaryTables(model, k, positions, n);

  // Batched 3-D attention over (B, H, T, hd) heads, extending the key/value cache; the pattern hook point lives here.
  const batchedAttention = (q: tf.Tensor2D, kk: tf.Tensor2D, v: tf.Tensor2D, l: number): tf.Tensor2D => {
    const qh = tf.transpose(tf.reshape(q, [batch, time, k.heads, k.headDim]), [0, 2, 1, 3]); // (B, H, T, hd)
    let kh = tf.transpose(tf.reshape(kk, [batch, time, k.kvHeads, k.headDim]), [0, 2, 1, 3]) as tf.Tensor4D; // (B, kvH, T, hd)
    let vh = tf.transpose(tf.reshape(v, [batch, time, k.kvHeads, k.headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
    if (past) {
      kh = tf.concat([past.layers[l].k, kh], 2);
      vh = tf.concat([past.layers[l].v, vh], 2);
    }
    if (opts.returnKv) newLayers.push({ k: tf.keep(kh), v: tf.keep(vh) });
    return attention(qh, kh, vh, attnBias, k, (pattern) => point(`blocks.${l}.attn.hook_pattern`, pattern)); // (N, H·hd)
  };

  for (let l = 0; l < k.layers; l++) {
    x = point(`blocks.${l}.hook_resid_pre`, x);
    const p = (s: string) => param(model, isGpt2 ? `transformer.h.${l}.${s}` : `model.layers.${l}.${s}`);
    const maybe = (s: string) => model.params.get(isGpt2 ? `transformer.h.${l}.${s}` : `model.layers.${l}.${s}`) as tf.Tensor1D | undefined;
    const patternName = `blocks.${l}.attn.hook_pattern`;
    const perSequence = !past && !opts.returnKv && !opts.batchedAttention && !hooks.some((h) => hookMatches(h, patternName)) && !(opts.capture?.(patternName) ?? false);
    let z: tf.Tensor2D; // (N, H·hd)
    if (isGpt2) {
      const h = layerNorm(x, p('ln_1.weight') as tf.Tensor1D, p('ln_1.bias') as tf.Tensor1D, k.eps);
      const qkv = linear(h, p('attn.c_attn.weight') as tf.Tensor2D, p('attn.c_attn.bias') as tf.Tensor1D); // (N, 3d)
      if (perSequence) {
        z = sequenceAttention([qkv], { q: { src: 0, col: 0 }, k: { src: 0, col: k.d }, v: { src: 0, col: 2 * k.d } }, attnShape, sequenceBiases());
      } else {
        const [q, kk, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        z = batchedAttention(q, kk, v, l);
      }
    } else {
      const h = rmsNorm(x, p('input_layernorm.weight') as tf.Tensor1D, k.eps);
      let q = linear(h, p('self_attn.q_proj.weight') as tf.Tensor2D, maybe('self_attn.q_proj.bias'), 'outIn'); // (N, H·hd)
      let kk = linear(h, p('self_attn.k_proj.weight') as tf.Tensor2D, maybe('self_attn.k_proj.bias'), 'outIn'); // (N, kvH·hd)
      const v = linear(h, p('self_attn.v_proj.weight') as tf.Tensor2D, maybe('self_attn.v_proj.bias'), 'outIn');
      q = applyRotary(q, rope!, k.heads, k.headDim);
      kk = applyRotary(kk, rope!, k.kvHeads, k.headDim);
      z = perSequence
        ? sequenceAttention([q, kk, v], { q: { src: 0, col: 0 }, k: { src: 1, col: 0 }, v: { src: 2, col: 0 } }, attnShape, sequenceBiases())
        : batchedAttention(q, kk, v, l);
    }
    const attnOut = isGpt2
      ? linear(z, p('attn.c_proj.weight') as tf.Tensor2D, p('attn.c_proj.bias') as tf.Tensor1D)
      : linear(z, p('self_attn.o_proj.weight') as tf.Tensor2D, undefined, 'outIn');
    x = point(`blocks.${l}.hook_resid_mid`, tf.add(x, point(`blocks.${l}.hook_attn_out`, attnOut)));
    let mlpOut: tf.Tensor2D;
    if (isGpt2) {
      const h = layerNorm(x, p('ln_2.weight') as tf.Tensor1D, p('ln_2.bias') as tf.Tensor1D, k.eps);
      const act = point(`blocks.${l}.mlp.hook_post`, geluNew(linear(h, p('mlp.c_fc.weight') as tf.Tensor2D, p('mlp.c_fc.bias') as tf.Tensor1D)));
      mlpOut = linear(act, p('mlp.c_proj.weight') as tf.Tensor2D, p('mlp.c_proj.bias') as tf.Tensor1D);
    } else {
      const h = rmsNorm(x, p('post_attention_layernorm.weight') as tf.Tensor1D, k.eps);
      const gate = silu(linear(h, p('mlp.gate_proj.weight') as tf.Tensor2D, undefined, 'outIn'));
      const up = linear(h, p('mlp.up_proj.weight') as tf.Tensor2D, undefined, 'outIn');
      const act = point(`blocks.${l}.mlp.hook_post`, tf.mul(gate, up) as tf.Tensor2D);
      mlpOut = linear(act, p('mlp.down_proj.weight') as tf.Tensor2D, undefined, 'outIn');
    }
    x = point(`blocks.${l}.hook_resid_post`, tf.add(x, point(`blocks.${l}.hook_mlp_out`, mlpOut)));
  }
  let h: tf.Tensor2D;
  let head: tf.Tensor2D;
  if (isGpt2) {
    h = layerNorm(x, param(model, 'transformer.ln_f.weight') as tf.Tensor1D, param(model, 'transformer.ln_f.bias') as tf.Tensor1D, k.eps);
    head = param(model, 'transformer.wte.weight') as tf.Tensor2D; // tied head
  } else {
    h = rmsNorm(x, param(model, 'model.norm.weight') as tf.Tensor1D, k.eps);
    head = (model.params.get('lm_head.weight') ?? param(model, 'model.embed_tokens.weight')) as tf.Tensor2D;
  }
  h = point('ln_final.hook_normalized', h);
  const logits2d = linear(h, head, undefined, 'outIn'); // (N, V)
  const kv = opts.returnKv ? { layers: newLayers, length: totalLen, keyMask, nextPosition } : undefined;
  return { logits2d, batch, time, kv };
}

/** Causal multi-head attention: q (B, H, T, hd), k/v (B, kvH, S, hd), bias (B, 1, T, S) → (B·T, H·hd). */
function attention(
  q: tf.Tensor, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D, d: Dims, patternHook: (p: tf.Tensor) => tf.Tensor,
): tf.Tensor2D {
  const [batch, heads, time, hd] = q.shape as [number, number, number, number];
  const s = k.shape[2];
  const rep = d.heads / d.kvHeads;
  let kf: tf.Tensor = k;
  let vf: tf.Tensor = v;
  if (rep > 1) {
    // Grouped-query attention: each key/value head serves `rep` query heads.
    // Query head h reads key/value head ⌊h / rep⌋; tile in rank 3 (tfjs has no rank-5 tile gradient).
    kf = tf.reshape(tf.tile(tf.reshape(k, [batch * d.kvHeads, 1, s * hd]), [1, rep, 1]), [batch, heads, s, hd]);
    vf = tf.reshape(tf.tile(tf.reshape(v, [batch * d.kvHeads, 1, s * hd]), [1, rep, 1]), [batch, heads, s, hd]);
  }
  const q3 = tf.reshape(q, [batch * heads, time, hd]) as tf.Tensor3D;
  const kT = tf.transpose(tf.reshape(kf, [batch * heads, s, hd]), [0, 2, 1]) as tf.Tensor3D; // (B·H, hd, S)
  const v3 = tf.reshape(vf, [batch * heads, s, hd]) as tf.Tensor3D;
  const scores = tf.add(tf.reshape(tf.mul(batchMatMul(q3, kT), 1 / Math.sqrt(hd)), [batch, heads, time, s]), bias);
  const pattern = patternHook(tf.softmax(scores)); // (B, H, T, S)
  const z = batchMatMul(tf.reshape(pattern, [batch * heads, time, s]) as tf.Tensor3D, v3); // (B·H, T, hd)
  return tf.reshape(tf.transpose(tf.reshape(z, [batch, heads, time, hd]), [0, 2, 1, 3]), [batch * time, heads * hd]);
}

interface Rotary {
  cos: tf.Tensor3D; // (N, 1, hd)
  sin: tf.Tensor3D;
  rotateHalf: tf.Tensor2D; // (hd, hd): x·R = cat(−x2, x1)
}

// Rotary tables at each token's position id, as in HF Llama (inv_freq = θ^(−2i/hd), cos/sin duplicated over halves).
function rotaryTables(model: Model, k: Dims, positions: Int32Array, n: number): Rotary {
  const theta = model.config.model_type === 'gpt2' ? 10000 : model.config.rope_theta;
  const hd = k.headDim;
  const half = hd / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(theta, (2 * i) / hd);
  const cos = new Float32Array(n * hd);
  const sin = new Float32Array(n * hd);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(positions[t] * Math.fround(invFreq[i]));
      cos[t * hd + i] = cos[t * hd + i + half] = Math.cos(angle);
      sin[t * hd + i] = sin[t * hd + i + half] = Math.sin(angle);
    }
  }
  const r = new Float32Array(hd * hd);
  for (let j = 0; j < half; j++) {
    r[(j + half) * hd + j] = -1; // out[j] = −x[j + half]
    r[j * hd + j + half] = 1; // out[j + half] = x[j]
  }
  return { cos: tf.tensor3d(cos, [n, 1, hd]), sin: tf.tensor3d(sin, [n, 1, hd]), rotateHalf: tf.tensor2d(r, [hd, hd]) };
}

function applyRotary(x: tf.Tensor2D, rope: Rotary, heads: number, hd: number): tf.Tensor2D {
  const n = x.shape[0];
  const rotated = tf.reshape(tf.matMul(tf.reshape(x, [n * heads, hd]), rope.rotateHalf), [n, heads, hd]);
  const out = tf.add(tf.mul(tf.reshape(x, [n, heads, hd]), rope.cos), tf.mul(rotated, rope.sin));
  return tf.reshape(out, [n, heads * hd]);
}

/** Logits (B, T, V) of ids (B, T), with optional hooks and padding mask. */
export function forward(model: Model, ids: number[][] | tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    const r = forwardInternal(model, ids, opts);
    return tf.reshape(r.logits2d, [r.batch, r.time, -1]) as tf.Tensor3D;
  });
}

/** Logits and the activations at the hook points named (all when `names` is omitted); the caller disposes them. */
export function runWithCache(
  model: Model,
  ids: number[][] | tf.Tensor2D,
  opts: ForwardOptions & { names?: (string | RegExp)[] } = {},
): { logits: tf.Tensor3D; cache: Map<string, tf.Tensor> } {
  const cache = new Map<string, tf.Tensor>();
  const names = opts.names;
  const capture = (name: string) => !names || names.some((n) => (typeof n === 'string' ? n === name : n.test(name)));
  const logits = tf.tidy(() => {
    const r = forwardInternal(model, ids, { ...opts, capture, cache });
    return tf.reshape(r.logits2d, [r.batch, r.time, -1]) as tf.Tensor3D;
  });
  return { logits, cache };
}

/** Every hook point name of a model, in forward order. */
export function hookNames(model: Model): string[] {
  const k = dims(model.config);
  const names = model.config.model_type === 'gpt2' ? ['hook_embed', 'hook_pos_embed'] : ['hook_embed'];
  for (let l = 0; l < k.layers; l++) {
    for (const s of ['hook_resid_pre', 'attn.hook_pattern', 'hook_attn_out', 'hook_resid_mid', 'mlp.hook_post', 'hook_mlp_out', 'hook_resid_post']) {
      names.push(`blocks.${l}.${s}`);
    }
  }
  names.push('ln_final.hook_normalized');
  return names;
}

/** Frees the tensors of a key/value cache. */
export function disposeKv(kv: KvCache | undefined): void {
  if (!kv) return;
  for (const layer of kv.layers) {
    layer.k.dispose();
    layer.v.dispose();
  }
}
