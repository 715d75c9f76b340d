/**
 * Llama, Mistral and Qwen2 as an ONNX graph, top to bottom: token embedding, blocks (RMSNorm, attention with
 * rotary positions and grouped-query heads, RMSNorm, SwiGLU MLP on the residual stream), final RMSNorm, head
 * (its own `lm_head.weight`, or tied to the embedding). Weights keep Hugging Face names and shapes; nn.Linear
 * stores [out, in], so every linear layer is x · Wᵀ (+ b for Qwen2's q/k/v).
 */
import { dims, type LlamaConfig } from '../../io/config.js';
import type { Graph, Value } from './graph.js';
import type { FamilyIO } from './family.js';

/** x · Wᵀ (+ b): a Hugging Face nn.Linear on x (..., in) with W [out, in]. */
function linear(g: Graph, x: Value, w: Value, b?: Value): Value {
  const y = g.matmul(x, g.transpose(w, [1, 0]));
  return b ? g.add(y, b) : y;
}

/**
 * Rotary tables at each token's position id, as HF Llama makes them: inv_freq = θ^(−2i/hd) (float32), angle =
 * position · inv_freq, duplicated over the two halves; cos and sin (B, 1, T, hd) broadcast over heads.
 */
function rotaryTables(g: Graph, theta: number, hd: number, positions: Value): { cos: Value; sin: Value } {
  const half = hd / 2;
  const invFreq = Array.from({ length: half }, (_, i) => 1 / Math.pow(theta, (2 * i) / hd));
  const angle = g.mul(g.unsqueeze(g.cast(positions, 'float32'), [-1]), g.floats(invFreq)); // (B, T, hd/2)
  const full = g.unsqueeze(g.concat([angle, angle], 2), [1]); // (B, 1, T, hd)
  return { cos: g.cos(full), sin: g.sin(full) };
}

/** Rotates q or k (B, nh, T, hd) by the position angles: x·cos + rotate_half(x)·sin, rotate_half(x) = (−x₂, x₁). */
function applyRotary(g: Graph, x: Value, rope: { cos: Value; sin: Value }, hd: number): Value {
  const [x1, x2] = g.split(x, [hd / 2, hd / 2], 3);
  return g.add(g.mul(x, rope.cos), g.mul(g.concat([g.neg(x2), x1], 3), rope.sin));
}

/** Causal self-attention of one block: x (B, T, d) → (B, T, d), reading and extending the key/value cache. */
function attention(g: Graph, c: LlamaConfig, io: FamilyIO, l: number, x: Value, rope: { cos: Value; sin: Value }): Value {
  const name = (s: string) => `model.layers.${l}.self_attn.${s}`;
  const bias = (s: string) => (io.hasParam(name(s)) ? io.param(name(s)) : undefined);
  const k = dims(c);
  const heads = (t: Value, n: number) => g.transpose(g.reshape(t, [0, 0, n, k.headDim]), [0, 2, 1, 3]); // (B, T, n·hd) → (B, n, T, hd)
  const q = applyRotary(g, heads(linear(g, x, io.param(name('q_proj.weight')), bias('q_proj.bias')), k.heads), rope, k.headDim); // (B, nh, T, hd)
  const key = applyRotary(g, heads(linear(g, x, io.param(name('k_proj.weight')), bias('k_proj.bias')), k.kvHeads), rope, k.headDim); // (B, kvH, T, hd)
  const value = heads(linear(g, x, io.param(name('v_proj.weight')), bias('v_proj.bias')), k.kvHeads);
  const kv = io.kv ? io.kv(l, key, value) : { k: key, v: value }; // (B, kvH, S, hd)
  // Grouped-query attention: query head h reads key/value head ⌊h / rep⌋ (each kv head repeated `rep` times in place).
  const rep = k.heads / k.kvHeads;
  const repeat = (t: Value) => (rep === 1 ? t : g.reshape(g.expand(g.unsqueeze(t, [2]), [1, 1, rep, 1, 1]), [0, k.heads, -1, k.headDim])); // (B, nh, S, hd)
  const scores = g.add(g.mul(g.matmul(q, g.transpose(repeat(kv.k), [0, 1, 3, 2])), g.scalar(1 / Math.sqrt(k.headDim))), io.attnBias); // (B, nh, T, S)
  const pattern = io.point(`blocks.${l}.attn.hook_pattern`, g.softmax(scores));
  const z = g.reshape(g.transpose(g.matmul(pattern, repeat(kv.v)), [0, 2, 1, 3]), [0, 0, k.heads * k.headDim]); // (B, nh, T, hd) → (B, T, nh·hd)
  return linear(g, z, io.param(name('o_proj.weight')));
}

/** The SwiGLU MLP of one block: x (B, T, d) → (B, T, d), silu(x·Wgᵀ) ⊙ (x·Wuᵀ) · Wdᵀ. */
function mlp(g: Graph, io: FamilyIO, l: number, x: Value): Value {
  const p = (s: string) => io.param(`model.layers.${l}.mlp.${s}`);
  const gate = linear(g, x, p('gate_proj.weight'));
  const act = io.point(`blocks.${l}.mlp.hook_post`, g.mul(g.mul(gate, g.sigmoid(gate)), linear(g, x, p('up_proj.weight')))); // (B, T, ffn)
  return linear(g, act, p('down_proj.weight'));
}

/** A Llama-family model's logits (B, T, V) for `io.ids` at `io.positions`, with every hook point passed through `io.point`. */
export function llamaForward(g: Graph, c: LlamaConfig, io: FamilyIO): Value {
  const eps = c.rms_norm_eps;
  const rope = rotaryTables(g, c.rope_theta, dims(c).headDim, io.positions);
  let x = io.point('hook_embed', g.gather(io.param('model.embed_tokens.weight'), io.ids)); // (B, T, d)
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = (s: string) => io.param(`model.layers.${l}.${s}`);
    x = io.point(`blocks.${l}.hook_resid_pre`, x);
    x = io.point(`blocks.${l}.hook_resid_mid`, g.add(x, io.point(`blocks.${l}.hook_attn_out`, attention(g, c, io, l, g.rmsNorm(x, p('input_layernorm.weight'), eps), rope))));
    x = io.point(`blocks.${l}.hook_resid_post`, g.add(x, io.point(`blocks.${l}.hook_mlp_out`, mlp(g, io, l, g.rmsNorm(x, p('post_attention_layernorm.weight'), eps)))));
  }
  const h = io.point('ln_final.hook_normalized', g.rmsNorm(x, io.param('model.norm.weight'), eps));
  const head = io.hasParam('lm_head.weight') ? io.param('lm_head.weight') : io.param('model.embed_tokens.weight'); // (V, d)
  return linear(g, io.lastOnly ? io.lastOnly(h) : h, head); // (B, T, d) · (d, V)
}
