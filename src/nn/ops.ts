/**
 * The TensorFlow.js WASM workarounds of DESIGN.md ("Engine decisions"), in one place.
 *
 * 1. Gradient registrations: the Node build of tfjs-core registers none, and the ESM files that do use
 *    extensionless imports Node cannot resolve; `registerAllGradients` loads them through a tiny resolve
 *    hook. Kernel and gradient registries live on a global, so they land in the same engine we use.
 * 2. Embedding lookup with a custom gradient (gather forward, one-hot matmul backward): WASM lacks the
 *    kernel behind `gather`'s gradient.
 * 3. `oneHot` built as int32 and then cast (float `oneHot` is wrong on WASM).
 * 4. `logSigmoid` as `-softplus(-z)` (its own gradient crashes on intermediate tensors).
 * 5. Linear layers as plain 2-D matmuls without transpose flags, with a custom gradient that transposes
 *    explicitly (only that form runs fast on XNNPACK).
 * 6. GPT-2's GELU through `sigmoid` exactly (tanh z = 2σ(2z) − 1), and a fused softmax cross-entropy.
 * 8. Attention without a cache as plain 2-D matmuls per (sequence, head), blocks cut and pasted in JS
 *    (`sequenceAttention`): WASM runs batched 3-D matmuls outside XNNPACK, and slicing tensors is slow.
 *    (7, threads, lives in backend.ts.)
 * Layer norm and RMS norm get hand-written gradients too (fewer kernels per step).
 */
import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

export { tf };

let gradientsLoaded: Promise<void> | undefined;

// Resolves `./x` and `../x` inside tfjs-core's ESM dist to `./x.js` (or `./x/index.js`).
const RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && !/\\.[cm]?js$/.test(specifier)
      && context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/')) {
    try { return await next(specifier + '.js', context); } catch { return await next(specifier + '/index.js', context); }
  }
  return next(specifier, context);
}`;

/** Registers every tfjs-core gradient into the shared engine (idempotent; about 0.7 s the first time). */
export function registerAllGradients(): Promise<void> {
  gradientsLoaded ??= (async () => {
    if (tf.getGradient('BatchMatMul') && tf.getGradient('Softmax')) return;
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    if (!tf.getGradient('BatchMatMul')) throw new Error('registerAllGradients: gradients did not register into the engine');
  })();
  return gradientsLoaded;
}

type GradFn = (dy: tf.Tensor, inputs: tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[];

/**
 * Runs `f` on `inputs` with the gradient `f` returns (tf.customGrad with plain tensor arguments).
 * Forward intermediates are freed once the forward returns, so the gradient must use only the saved
 * copies it is handed: the inputs, and the tensors `f` lists in `save`.
 */
export function withGrad(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => { value: tf.Tensor; save?: tf.Tensor[]; gradFunc: GradFn }): tf.Tensor {
  const n = inputs.length;
  const custom = tf.customGrad(((...args: unknown[]) => {
    const xs = args.slice(0, n) as tf.Tensor[];
    const r = f(...xs);
    (args[n] as (ts: tf.Tensor[]) => void)([...xs, ...(r.save ?? [])]);
    return {
      value: r.value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => r.gradFunc(dy as tf.Tensor, saved.slice(0, n), saved.slice(n)),
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return custom(...inputs);
}

/** One-hot rows [N, depth] as float32, built as int32 and cast (workaround 3). */
export function oneHot(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(ids, 'int32'), depth, 1, 0, 'int32'), 'float32') as tf.Tensor2D);
}

/** Rows of `table` [V, D] at `ids` [N] → [N, D]; gradient by one-hot matmul (workaround 2). */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const depth = table.shape[0];
  return withGrad([table, ids], (t, i) => ({
    value: gatherRows(t as tf.Tensor2D, i as tf.Tensor1D),
    // (Dᵀ·onehot)ᵀ = onehotᵀ·D: transposes (N, D) and (D, V) instead of the larger (N, V) one-hot.
    gradFunc: (dy, [, savedIds]) => [tf.transpose(tf.matMul(tf.transpose(dy as tf.Tensor2D), oneHot(savedIds as tf.Tensor1D, depth))), tf.zerosLike(savedIds)],
  })) as tf.Tensor2D;
}

// `gather` on WASM takes about 1 ms for 512 rows; copying rows in JS is 5-10x faster while the table is
// small next to the output (for a large vocabulary the table read would dominate, so gather is kept).
function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [rows, width] = table.shape;
  if (table.size > 4 * ids.size * width) return tf.gather(table, ids);
  const values = table.dataSync() as Float32Array;
  const idx = ids.dataSync();
  const out = new Float32Array(idx.length * width);
  for (let n = 0; n < idx.length; n++) {
    const r = idx[n];
    if (!(r >= 0 && r < rows)) throw new Error(`embedding: index ${r} outside [0, ${rows})`);
    out.set(values.subarray(r * width, (r + 1) * width), n * width);
  }
  return tf.tensor2d(out, [idx.length, width]);
}

/** log σ(z) as −softplus(−z) (workaround 4). */
export function logSigmoid<T extends tf.Tensor>(z: T): T {
  return tf.neg(tf.softplus(tf.neg(z)));
}

/** Weight layout of a linear layer: GPT-2's Conv1D stores [in, out]; Llama's nn.Linear stores [out, in]. */
export type WeightLayout = 'inOut' | 'outIn';

/** x [N, in] times W (+ bias) → [N, out] by plain 2-D matmuls, with explicit transposes in the gradient (workaround 5). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | undefined, layout: WeightLayout = 'inOut'): tf.Tensor2D {
  if (bias) {
    return withGrad([x, w, bias], (xi, wi, bi) => {
      const wIO = layout === 'inOut' ? (wi as tf.Tensor2D) : tf.transpose(wi as tf.Tensor2D);
      return {
        value: tf.fused.matMul({ a: xi as tf.Tensor2D, b: wIO, bias: bi }),
        gradFunc: (dy, [xs, ws]) => {
          const g = dy as tf.Tensor2D;
          return [tf.matMul(g, layout === 'inOut' ? tf.transpose(ws as tf.Tensor2D) : (ws as tf.Tensor2D)), linearWeightGrad(xs as tf.Tensor2D, g, layout), sumRows(g)];
        },
      };
    }) as tf.Tensor2D;
  }
  return withGrad([x, w], (xi, wi) => {
    const wIO = layout === 'inOut' ? (wi as tf.Tensor2D) : tf.transpose(wi as tf.Tensor2D);
    return {
      value: tf.matMul(xi as tf.Tensor2D, wIO),
      gradFunc: (dy, [xs, ws]) => {
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, layout === 'inOut' ? tf.transpose(ws as tf.Tensor2D) : (ws as tf.Tensor2D)), linearWeightGrad(xs as tf.Tensor2D, g, layout)];
      },
    };
  }) as tf.Tensor2D;
}

/** Batched a (K, M, N) · b (K, N, P) → (K, M, P), with a gradient by plain batched matmuls on explicit transposes (transpose flags are several times slower). */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return withGrad([a, b], (ai, bi) => ({
    value: tf.matMul(ai as tf.Tensor3D, bi as tf.Tensor3D),
    gradFunc: (dy, [as, bs]) => [
      tf.matMul(dy as tf.Tensor3D, tf.transpose(bs, [0, 2, 1]) as tf.Tensor3D), // (K, M, P)·(K, P, N)
      tf.matMul(tf.transpose(as, [0, 2, 1]) as tf.Tensor3D, dy as tf.Tensor3D), // (K, N, M)·(K, M, P)
    ],
  })) as tf.Tensor3D;
}

/** Where a tensor's head-major block of columns starts: index into the sources and first column. */
export interface ColumnSlot {
  src: number;
  col: number;
}

/** Sizes of a self-attention call: B sequences of T tokens, query and key/value heads of `headDim`. */
export interface AttentionShape {
  batch: number;
  time: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Self-attention of B·T rows without cache, by plain 2-D matmuls per (sequence, head), with a hand-written gradient.
 * q (heads·hd columns), k and v (kvHeads·hd columns each) sit in the 2-D (B·T, ·) `srcs` at `at`; query head h reads
 * key/value head ⌊h·kvHeads/heads⌋; `biases[b]` (T, T) is sequence b's additive mask (causal, padding). Returns (B·T, heads·hd).
 */
export function sequenceAttention(srcs: tf.Tensor2D[], at: { q: ColumnSlot; k: ColumnSlot; v: ColumnSlot }, shape: AttentionShape, biases: tf.Tensor2D[]): tf.Tensor2D {
  const { batch, time, heads, kvHeads, headDim: hd } = shape;
  const rep = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  const widths = srcs.map((t) => t.shape[1]);
  const outWidth = heads * hd;
  return withGrad(srcs, (...xs) => {
    // Blocks are cut and pasted in JS: WASM's slice/unstack/stack cost more than the attention itself.
    const data = xs.map((x) => x.dataSync() as Float32Array);
    const block = (slot: ColumnSlot, head: number, b: number, trans: boolean, mult = 1): tf.Tensor2D =>
      tf.tensor2d(cutBlock(data[slot.src], widths[slot.src], slot.col + head * hd, b * time, time, hd, trans, mult), trans ? [hd, time] : [time, hd]);
    const z = new Float32Array(batch * time * outWidth);
    const probs: tf.Tensor[] = [];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const kvh = Math.floor(h / rep);
        // The 1/√hd scale is applied to q as it is cut (exact for hd = 16 or 64; otherwise a rounding-level change).
        const p = tf.softmax(tf.add(tf.matMul(block(at.q, h, b, false, scale), block(at.k, kvh, b, true)), biases[b]));
        probs.push(p);
        pasteBlock(z, outWidth, h * hd, b * time, time, hd, tf.matMul(p, block(at.v, kvh, b, false)).dataSync() as Float32Array, false, 1);
      }
    }
    return {
      value: tf.tensor2d(z, [batch * time, outWidth]),
      save: probs,
      gradFunc: (dy, _inputs, saved) => {
        const dz = dy.dataSync() as Float32Array;
        const grads = widths.map((w) => new Float32Array(batch * time * w));
        for (let b = 0; b < batch; b++) {
          for (let h = 0; h < heads; h++) {
            const kvh = Math.floor(h / rep);
            const p = saved[b * heads + h] as tf.Tensor2D;
            // Softmax gradient dS = P ⊙ (dZ·Vᵀ − δ) with δ_i = Σ_j P_ij (dZ·Vᵀ)_ij = dZ_i·Z_i, folded into one matmul
            // as [dZ, −δ]·[Vᵀ; 1].
            const dzAug = new Float32Array(time * (hd + 1));
            for (let r = 0; r < time; r++) {
              const o = (b * time + r) * outWidth + h * hd;
              let delta = 0;
              for (let c = 0; c < hd; c++) {
                dzAug[r * (hd + 1) + c] = dz[o + c];
                delta += dz[o + c] * z[o + c];
              }
              dzAug[r * (hd + 1) + hd] = -delta;
            }
            const vAugT = new Float32Array((hd + 1) * time);
            vAugT.set(cutBlock(data[at.v.src], widths[at.v.src], at.v.col + kvh * hd, b * time, time, hd, true, 1));
            vAugT.fill(1, hd * time);
            const ds = tf.mul(p, tf.matMul(tf.tensor2d(dzAug, [time, hd + 1]), tf.tensor2d(vAugT, [hd + 1, time])));
            const dq = tf.matMul(ds, block(at.k, kvh, b, false)).dataSync() as Float32Array; // (dS·K)·scale
            const dkT = tf.matMul(block(at.q, h, b, true, scale), ds).dataSync() as Float32Array; // (scale·Q)ᵀ·dS = dKᵀ
            const dzT = tf.tensor2d(cutBlock(dz, outWidth, h * hd, b * time, time, hd, true, 1), [hd, time]);
            const dvT = tf.matMul(dzT, p).dataSync() as Float32Array; // dZᵀ·P = dVᵀ
            pasteBlock(grads[at.q.src], widths[at.q.src], at.q.col + h * hd, b * time, time, hd, dq, false, scale);
            pasteBlock(grads[at.k.src], widths[at.k.src], at.k.col + kvh * hd, b * time, time, hd, dkT, true, 1);
            pasteBlock(grads[at.v.src], widths[at.v.src], at.v.col + kvh * hd, b * time, time, hd, dvT, true, 1);
          }
        }
        return grads.map((g, i) => tf.tensor2d(g, [batch * time, widths[i]]));
      },
    };
  }) as tf.Tensor2D;
}

// Rows [row0, row0 + rows) and columns [col, col + hd) of a row-major (·, width) array, times `mult`, as (rows, hd) or transposed (hd, rows).
function cutBlock(x: Float32Array, width: number, col: number, row0: number, rows: number, hd: number, trans: boolean, mult: number): Float32Array {
  const out = new Float32Array(rows * hd);
  for (let r = 0; r < rows; r++) {
    const o = (row0 + r) * width + col;
    if (trans) for (let c = 0; c < hd; c++) out[c * rows + r] = x[o + c] * mult;
    else for (let c = 0; c < hd; c++) out[r * hd + c] = x[o + c] * mult;
  }
  return out;
}

// Adds a (rows, hd) block (or its transpose (hd, rows)) times `mult` into rows [row0, …) and columns [col, col + hd) of dst.
function pasteBlock(dst: Float32Array, width: number, col: number, row0: number, rows: number, hd: number, blk: Float32Array, trans: boolean, mult: number): void {
  for (let r = 0; r < rows; r++) {
    const o = (row0 + r) * width + col;
    if (trans) for (let c = 0; c < hd; c++) dst[o + c] += blk[c * rows + r] * mult;
    else for (let c = 0; c < hd; c++) dst[o + c] += blk[r * hd + c] * mult;
  }
}

// Transposes cost about as much as the matmul here, so each form transposes as few elements as it can.
function linearWeightGrad(x: tf.Tensor2D, dy: tf.Tensor2D, layout: WeightLayout): tf.Tensor2D {
  if (layout === 'inOut') return tf.matMul(tf.transpose(x), dy); // (in, N)·(N, out)
  const [n, inDim] = x.shape;
  const outDim = dy.shape[1];
  // (out, N)·(N, in), or (xᵀ·dy)ᵀ when transposing dy (N·out) costs more than x and the result (N·in + in·out), e.g. a vocabulary head.
  return n * outDim > n * inDim + inDim * outDim ? tf.transpose(tf.matMul(tf.transpose(x), dy)) as tf.Tensor2D : tf.matMul(tf.transpose(dy), x);
}

/** Column sums of x [N, D] → [D], as a (1, N)·(N, D) matmul (a reduction over axis 0 transposes first on WASM, several times slower). */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]) as tf.Tensor2D, x), [x.shape[1]]) as tf.Tensor1D);
}

const GELU_SCALE = 2 * Math.sqrt(2 / Math.PI);

/**
 * GPT-2's tanh GELU written exactly through sigmoid: x·σ(2·√(2/π)·(x + 0.044715x³)) (workaround 6), with a
 * hand-written gradient σ + x·σ(1 − σ)·c(1 + 3·0.044715x²), c = 2√(2/π) (fewer kernels than autodiff's chain).
 */
export function geluNew<T extends tf.Tensor>(x: T): T {
  return withGrad([x], (xi) => {
    const sig = tf.sigmoid(tf.mul(tf.add(xi, tf.mul(tf.mul(tf.mul(xi, xi), xi), 0.044715)), GELU_SCALE));
    return {
      value: tf.mul(xi, sig),
      save: [sig],
      gradFunc: (dy, [xs], [sig]) => {
        const slope = tf.add(tf.mul(tf.mul(xs, xs), 3 * 0.044715 * GELU_SCALE), GELU_SCALE); // c(1 + 3·0.044715x²)
        const dsig = tf.mul(sig, tf.sub(1, sig)); // σ(1 − σ)
        return [tf.mul(dy, tf.add(sig, tf.mul(tf.mul(xs, dsig), slope)))];
      },
    };
  }) as T;
}

/** SiLU x·σ(x), Llama's MLP activation. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** Layer norm over the last axis of x [N, D] with gain and bias, with a hand-written gradient. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor2D {
  return withGrad([x, gain, bias], (xi, g, b) => {
    const mean = tf.mean(xi, 1, true);
    const xc = tf.sub(xi, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), 1, true), eps));
    const xhat = tf.mul(xc, rstd);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      save: [xhat, rstd],
      gradFunc: (dy, [, gs], [xhat, rstd]) => {
        const d = dy as tf.Tensor2D;
        const dxhat = tf.mul(d, gs);
        const dx = tf.mul(rstd, tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), 1, true))));
        return [dx, sumRows(tf.mul(d, xhat)), sumRows(d)];
      },
    };
  }) as tf.Tensor2D;
}

/** RMS norm (Llama) over the last axis of x [N, D]: x / √(mean(x²) + eps) · gain, with a hand-written gradient. */
export function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor1D, eps: number): tf.Tensor2D {
  return withGrad([x, gain], (xi, g) => {
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(xi, xi), 1, true), eps));
    const xhat = tf.mul(xi, rstd);
    return {
      value: tf.mul(xhat, g),
      save: [xhat, rstd],
      gradFunc: (dy, [, gs], [xhat, rstd]) => {
        const d = dy as tf.Tensor2D;
        const dxhat = tf.mul(d, gs);
        const dx = tf.mul(rstd, tf.sub(dxhat, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), 1, true))));
        return [dx, sumRows(tf.mul(d, xhat))];
      },
    };
  }) as tf.Tensor2D;
}

/**
 * Mean softmax cross-entropy of logits [N, V] against integer targets [N] (a target < 0 is ignored),
 * fused: one softmax forward, gradient (softmax − onehot)·mask / count (workaround 6). Returns a scalar.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: ArrayLike<number>): tf.Scalar {
  const n = logits.shape[0];
  const vocab = logits.shape[1];
  const safe = new Int32Array(n);
  const mask = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i];
    if (t >= 0) {
      safe[i] = t;
      mask[i] = 1;
      count++;
    }
  }
  const denom = Math.max(count, 1);
  return withGrad([logits], (z) => {
    const maskT = tf.tensor2d(mask, [n, 1]);
    const hot = oneHot(tf.tensor1d(safe, 'int32'), vocab);
    // `exp` is slow on WASM and `softmax` fast: with p = softmax(z), max p = 1/Σ exp(z − max z), so
    // log Σ exp(z − max z) = −log max p; p is kept for the gradient.
    const p = tf.softmax(z);
    const zmax = tf.max(z, 1, true);
    const lse = tf.sub(zmax, tf.log(tf.max(p, 1, true))); // log Σ exp z
    const picked = tf.sum(tf.mul(z, hot), 1, true);
    const loss = tf.div(tf.sum(tf.mul(tf.sub(lse, picked), maskT)), denom);
    return {
      value: loss,
      save: [hot, maskT, p],
      gradFunc: (dy, _inputs, [hot, maskT, p]) => [tf.mul(tf.mul(tf.sub(p, hot), maskT), tf.div(dy, denom))],
    };
  }) as tf.Scalar;
}

/** Log-softmax over the last axis without `logSoftmax` (slow on WASM): z − max − log Σ exp(z − max). */
export function logSoftmaxLastAxis<T extends tf.Tensor>(z: T): T {
  return tf.tidy(() => {
    const axis = z.rank - 1;
    const shifted = tf.sub(z, tf.max(z, axis, true));
    return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true))) as T;
  });
}
