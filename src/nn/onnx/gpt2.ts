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

const fuse = (k: string) => (process.env.LVH_FUSE ?? 'gelu,skip,mha').includes(k); // TEMP

/** A linear layer's output before its bias (B, T, n), and the bias (n). */
interface Linear {
  pre: Value;
  bias: Value;
}

/** Causal self-attention of one block: x (B, T, d) → (B, T, d) (before c_proj's bias), reading and extending the key/value cache. */
function attention(g: Graph, c: Gpt2Config, io: FamilyIO, l: number, x: Value): Linear {
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
  if (g.inference && fuse('mha') && !io.kv && pattern === softmax) {
    // Forward-only, no cache, pattern unedited: the bias add, head split, scores, softmax and mix are one com.microsoft
    // MultiHeadAttention kernel (heads folded into its batch; the same additive bias). A requested pattern output still
    // comes from the ops above, which are pruned when nothing reads them.
    const [qp, kp, vp] = g.split(mm, [d, d, d], 2);
    const [z] = g.node('MultiHeadAttention', [qp, kp, vp, p('attn.c_attn.bias'), undefined, io.attnBias], [{ dtype: 'float32', shape: [...x.shape.slice(0, -1), d] }], { num_heads: heads, scale: { float: 1 / Math.sqrt(hd) } }, undefined, MS_DOMAIN);
    return { pre: g.matmul(z, p('attn.c_proj.weight')), bias: p('attn.c_proj.bias') };
  }
  const z = g.reshape(g.transpose(g.matmul(pattern, kv.v), [0, 2, 1, 3]), [0, 0, d]); // (B, nh, T, hs) → (B, T, d)
  return { pre: g.matmul(z, p('attn.c_proj.weight')), bias: p('attn.c_proj.bias') };
}

/**
 * gelu_new(x + bias) in one ORT kernel (com.microsoft FastGelu: the same tanh formula, float32), for
 * forward-only graphs; training graphs use `geluNew`, whose gradient is written out.
 */
function fastGelu(g: Graph, x: Value, bias: Value): Value {
  return g.node('FastGelu', [x, bias], [{ dtype: 'float32', shape: [...x.shape] }], {}, undefined, MS_DOMAIN)[0];
}

/** The MLP of one block: x (B, T, d) → (B, T, d) (before c_proj's bias). */
function mlp(g: Graph, io: FamilyIO, l: number, x: Value): Linear {
  const p = (s: string) => io.param(`transformer.h.${l}.${s}`);
  const h = g.matmul(x, p('mlp.c_fc.weight'));
  const act = io.point(`blocks.${l}.mlp.hook_post`, g.inference && fuse('gelu') ? fastGelu(g, h, p('mlp.c_fc.bias')) : geluNew(g, g.add(h, p('mlp.c_fc.bias')))); // (B, T, ffn)
  return { pre: g.matmul(act, p('mlp.c_proj.weight')), bias: p('mlp.c_proj.bias') };
}

/**
 * x + branch (+ bias), passed through the hook points `names` in order, then layer-normed with `ln` (gain, bias):
 * returns the new residual stream and its normalized value. In a forward-only graph, when no point edits the
 * sum, the add, the branch's bias and the layer norm are one com.microsoft SkipLayerNormalization (its fourth
 * output is the sum); a requested hook still reads the plain sum (the same float32 value up to the order of the bias add).
 */
function residual(g: Graph, io: FamilyIO, x: Value, branch: Value, bias: Value | undefined, names: string[], ln: [Value, Value], eps: number): { x: Value; h: Value } {
  const sum = g.add(x, bias ? g.add(branch, bias) : branch);
  let y = sum;
  for (const name of names) y = io.point(name, y);
  if (g.inference && fuse('skip') && y === sum) {
    const stat = { dtype: 'float32' as const, shape: [...x.shape.slice(0, -1), 1] };
    const [h, , , total] = g.node('SkipLayerNormalization', [x, branch, ln[0], ln[1], bias], [{ dtype: 'float32', shape: [...x.shape] }, stat, stat, { dtype: 'float32', shape: [...x.shape] }], { epsilon: { float: eps } }, undefined, MS_DOMAIN);
    return { x: total, h };
  }
  return { x: y, h: g.layerNorm(y, ln[0], ln[1], eps) };
}

/** A branch's output with its bias, through its hook point: `bias` stays separate (for a fused residual add) while the point leaves it unedited. */
function branchOut(g: Graph, io: FamilyIO, name: string, out: Linear): { branch: Value; bias?: Value } {
  const full = g.add(out.pre, out.bias);
  const y = io.point(name, full);
  return y === full ? { branch: out.pre, bias: out.bias } : { branch: y };
}

/** GPT-2's logits (B, T, V) for `io.ids` at `io.positions`, with every hook point passed through `io.point`. */
export function gpt2Forward(g: Graph, c: Gpt2Config, io: FamilyIO): Value {
  const eps = c.layer_norm_epsilon;
  const wte = io.param('transformer.wte.weight'); // (V, d)
  const tok = io.point('hook_embed', g.gather(wte, io.ids)); // (B, T, d)
  const pos = io.point('hook_pos_embed', g.gather(io.param('transformer.wpe.weight'), io.positions));
  const ln = (l: number, which: 'ln_1' | 'ln_2'): [Value, Value] => [io.param(`transformer.h.${l}.${which}.weight`), io.param(`transformer.h.${l}.${which}.bias`)];
  const lnF: [Value, Value] = [io.param('transformer.ln_f.weight'), io.param('transformer.ln_f.bias')];
  // Each residual add carries the layer norm that reads it next: ln_2 after attention, the next block's ln_1 (or ln_f) after the MLP.
  let x = io.point('blocks.0.hook_resid_pre', g.add(tok, pos));
  let h = g.layerNorm(x, ...ln(0, 'ln_1'), eps);
  for (let l = 0; l < c.n_layer; l++) {
    const a = branchOut(g, io, `blocks.${l}.hook_attn_out`, attention(g, c, io, l, h));
    ({ x, h } = residual(g, io, x, a.branch, a.bias, [`blocks.${l}.hook_resid_mid`], ln(l, 'ln_2'), eps));
    const m = branchOut(g, io, `blocks.${l}.hook_mlp_out`, mlp(g, io, l, h));
    const last = l === c.n_layer - 1;
    ({ x, h } = residual(g, io, x, m.branch, m.bias, [`blocks.${l}.hook_resid_post`, ...(last ? [] : [`blocks.${l + 1}.hook_resid_pre`])], last ? lnF : ln(l + 1, 'ln_1'), eps));
  }
  h = io.point('ln_final.hook_normalized', h);
  return g.matmul(io.lastOnly ? io.lastOnly(h) : h, g.transpose(wte, [1, 0])); // tied head: (B, T, d) · (d, V)
}
