/**
 * GPT-2 as an ONNX graph, top to bottom: embeddings, blocks (pre-LN attention and MLP on the residual
 * stream), final layer norm, tied head. Weights keep Hugging Face names and shapes (`transformer.h.{L}.…`;
 * Conv1D stores [in, out], so every linear layer is x · W + b with no transposition).
 */
import type { Gpt2Config } from '../../io/config.js';
import { MS_DOMAIN, type Graph, type Value } from './graph.js';
import type { FamilyIO } from './family.js';

/**
 * GELU as GPT-2 has it (`gelu_new`): x·σ(x·(k + k·0.044715·x²)) with k = 2·√(2/π), which equals the tanh form
 * exactly. Its gradient is written by hand (σ + y·(1 − σ)·(k + 3k·0.044715·x²), 7 elementwise ops instead of ~15).
 */
export function geluNew(g: Graph, x: Value): Value {
  const k = 2 * Math.sqrt(2 / Math.PI);
  let x2: Value | undefined;
  let sig: Value | undefined;
  let y: Value | undefined;
  return g.customGradient(
    [x],
    () => {
      x2 = g.mul(x, x);
      sig = g.sigmoid(g.mul(x, g.add(g.mul(x2, g.scalar(k * 0.044715)), g.scalar(k))));
      y = g.mul(x, sig);
      return y;
    },
    (gg, gy) => {
      const slope = gg.add(gg.mul(x2!, gg.scalar(3 * k * 0.044715)), gg.scalar(k));
      return [gg.mul(gy, gg.add(sig!, gg.mul(gg.mul(y!, gg.sub(gg.scalar(1), sig!)), slope)))];
    },
  );
}

/** Causal self-attention of one block: x (B, T, d) → (B, T, d), reading and extending the key/value cache. */
function attention(g: Graph, c: Gpt2Config, io: FamilyIO, l: number, x: Value): Value {
  const p = (s: string) => io.param(`transformer.h.${l}.${s}`);
  const d = c.n_embd;
  const heads = c.n_head;
  const hd = d / heads;
  const mm = g.matmul(x, p('attn.c_attn.weight'));
  const qkv = g.add(mm, p('attn.c_attn.bias')); // (B, T, 3d)
  const [q, k, v] = g.split(qkv, [d, d, d], 2).map((t) => g.transpose(g.reshape(t, [0, 0, heads, hd]), [0, 2, 1, 3])); // (B, nh, T, hs)
  const kv = io.kv ? io.kv(l, k, v) : { k, v }; // (B, nh, S, hs)
  const scores = g.add(g.mul(g.matmul(q, g.transpose(kv.k, [0, 1, 3, 2])), g.scalar(1 / Math.sqrt(hd))), io.attnBias); // (B, nh, T, S)
  const softmax = g.softmax(scores);
  const pattern = io.point(`blocks.${l}.attn.hook_pattern`, softmax);
  if (g.inference && !io.kv && pattern === softmax) {
    // Forward-only, no cache, pattern unedited: the bias add, head split, scores, softmax and mix are one com.microsoft
    // MultiHeadAttention kernel (heads folded into its batch; the same additive bias). A requested pattern output still
    // comes from the ops above, which are pruned when nothing reads them.
    const [qp, kp, vp] = g.split(mm, [d, d, d], 2);
    const [z] = g.node('MultiHeadAttention', [qp, kp, vp, p('attn.c_attn.bias'), undefined, io.attnBias], [{ dtype: 'float32', shape: [...x.shape.slice(0, -1), d] }], { num_heads: heads, scale: { float: 1 / Math.sqrt(hd) } }, undefined, MS_DOMAIN);
    return g.add(g.matmul(z, p('attn.c_proj.weight')), p('attn.c_proj.bias'));
  }
  const z = g.reshape(g.transpose(g.matmul(pattern, kv.v), [0, 2, 1, 3]), [0, 0, d]); // (B, nh, T, hs) → (B, T, d)
  return g.add(g.matmul(z, p('attn.c_proj.weight')), p('attn.c_proj.bias'));
}

/**
 * gelu_new(x + bias) in one ORT kernel (com.microsoft FastGelu: the same tanh formula, float32), for
 * forward-only graphs; training graphs use `geluNew`, whose gradient is written out.
 */
function fastGelu(g: Graph, x: Value, bias: Value): Value {
  return g.node('FastGelu', [x, bias], [{ dtype: 'float32', shape: [...x.shape] }], {}, undefined, MS_DOMAIN)[0];
}

/** The MLP of one block: x (B, T, d) → (B, T, d). */
function mlp(g: Graph, io: FamilyIO, l: number, x: Value): Value {
  const p = (s: string) => io.param(`transformer.h.${l}.${s}`);
  const h = g.matmul(x, p('mlp.c_fc.weight'));
  const act = io.point(`blocks.${l}.mlp.hook_post`, g.inference ? fastGelu(g, h, p('mlp.c_fc.bias')) : geluNew(g, g.add(h, p('mlp.c_fc.bias')))); // (B, T, ffn)
  return g.add(g.matmul(act, p('mlp.c_proj.weight')), p('mlp.c_proj.bias'));
}

/** GPT-2's logits (B, T, V) for `io.ids` at `io.positions`, with every hook point passed through `io.point`. */
export function gpt2Forward(g: Graph, c: Gpt2Config, io: FamilyIO): Value {
  const eps = c.layer_norm_epsilon;
  const wte = io.param('transformer.wte.weight'); // (V, d)
  const tok = io.point('hook_embed', g.gather(wte, io.ids)); // (B, T, d)
  const pos = io.point('hook_pos_embed', g.gather(io.param('transformer.wpe.weight'), io.positions));
  let x = g.add(tok, pos);
  for (let l = 0; l < c.n_layer; l++) {
    const p = (s: string) => io.param(`transformer.h.${l}.${s}`);
    x = io.point(`blocks.${l}.hook_resid_pre`, x);
    x = io.point(`blocks.${l}.hook_resid_mid`, g.add(x, io.point(`blocks.${l}.hook_attn_out`, attention(g, c, io, l, g.layerNorm(x, p('ln_1.weight'), p('ln_1.bias'), eps)))));
    x = io.point(`blocks.${l}.hook_resid_post`, g.add(x, io.point(`blocks.${l}.hook_mlp_out`, mlp(g, io, l, g.layerNorm(x, p('ln_2.weight'), p('ln_2.bias'), eps)))));
  }
  const h = io.point('ln_final.hook_normalized', g.layerNorm(x, io.param('transformer.ln_f.weight'), io.param('transformer.ln_f.bias'), eps));
  return g.matmul(io.lastOnly ? io.lastOnly(h) : h, g.transpose(wte, [1, 0])); // tied head: (B, T, d) · (d, V)
}
