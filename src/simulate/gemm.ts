// Dense Float64 products for the simulator's d × d work (Gram matrices, covariance products, correlated draws),
// on a 4 × 4 register-tiled WebAssembly SIMD kernel (f64x2) that this file assembles byte by byte.
//
// Why WebAssembly: JavaScript has no SIMD, and V8's scalar code for a 4 × 4 tile spills its 16 accumulators; the
// same tile as 8 f64x2 registers runs 3-4x faster here. Why it stays deterministic: WebAssembly's f64x2.mul and
// f64x2.add round exactly like scalar IEEE doubles (no fused multiply-add, no reassociation), and every sum
// below has a fixed order (chunks of KB rows in turn, rows in turn within a chunk), so the same inputs give the
// same bits on every machine and every run.
//
// Layout: an operand is packed in panels of 4 rows (of the product's output) by KB contraction steps, each step 4
// contiguous doubles (32 bytes); the kernel then streams two packed panels from L1 and adds its 4 × 4 tile into
// the output, which lives in WebAssembly memory until the last chunk.

import { assembleModule, ensureBytes, I32, instantiate, op, V128, w, type WasmFunction, type WasmMemory } from './wasm.js';

/** Contraction steps per packed chunk (2 panels × 4 × 8 bytes × KB = 16 KiB of L1 for the tile being formed). */
const KB = 256;

/**
 * `tile(a, b, steps, out, rowBytes)` adds to the 4 × 4 f64 tile at byte `out` (rows `rowBytes` apart) the sum over
 * `steps` ≥ 1 packed steps of a[i]ᵀ b[i] (a, b: byte offsets of packed panels, 32 bytes a step).
 */
function tileFunction(): WasmFunction {
  // params 0 a, 1 b, 2 steps, 3 out, 4 rowBytes; locals 5 end (i32), 6..13 c (v128), 14 b01, 15 b23, 16 s (v128).
  const [A, B, STEPS, OUT, ROW, END] = [0, 1, 2, 3, 4, 5];
  const C = (k: number): number => 6 + k;
  const [B01, B23, S] = [14, 15, 16];
  const body: number[] = [];
  body.push(...w.get(A), ...w.get(STEPS), ...w.i32(5), op.i32Shl, op.i32Add, ...w.set(END)); // end = a + 32·steps
  body.push(...w.loop);
  body.push(...w.get(B), ...w.simd(op.v128Load, 3, 0), ...w.set(B01));
  body.push(...w.get(B), ...w.simd(op.v128Load, 3, 16), ...w.set(B23));
  for (let r = 0; r < 4; r++) {
    body.push(...w.get(A), ...w.simd(op.v128Load64Splat, 3, 8 * r), ...w.set(S));
    // c[2r] += s·b01, c[2r + 1] += s·b23: a multiply, then an add (two roundings, as in scalar code).
    body.push(...w.get(C(2 * r)), ...w.get(S), ...w.get(B01), ...w.simd(op.f64x2Mul), ...w.simd(op.f64x2Add), ...w.set(C(2 * r)));
    body.push(...w.get(C(2 * r + 1)), ...w.get(S), ...w.get(B23), ...w.simd(op.f64x2Mul), ...w.simd(op.f64x2Add), ...w.set(C(2 * r + 1)));
  }
  body.push(...w.get(A), ...w.i32(32), op.i32Add, ...w.set(A));
  body.push(...w.get(B), ...w.i32(32), op.i32Add, ...w.set(B));
  body.push(...w.get(A), ...w.get(END), op.i32LtU, ...w.brIf(0), ...w.end);
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) {
      // mem[out + 16h] += c[2r + h]
      body.push(...w.get(OUT), ...w.get(OUT), ...w.simd(op.v128Load, 3, 16 * h), ...w.get(C(2 * r + h)), ...w.simd(op.f64x2Add), ...w.simd(op.v128Store, 3, 16 * h));
    }
    body.push(...w.get(OUT), ...w.get(ROW), op.i32Add, ...w.set(OUT));
  }
  return { name: 'tile', params: [I32, I32, I32, I32, I32], results: [], locals: [[1, I32], [11, V128]], body };
}

interface Kernel {
  memory: WasmMemory;
  tile: (a: number, b: number, steps: number, out: number, rowBytes: number) => void;
}

let kernel: Kernel | null = null;

function getKernel(): Kernel {
  if (kernel) return kernel;
  const { memory, exports } = instantiate(assembleModule([tileFunction()]), 1);
  kernel = { memory, tile: exports.tile as Kernel['tile'] };
  return kernel;
}

/** A view of the kernel's memory holding at least `doubles` Float64 values (grown as needed; earlier views go stale). */
function heap(doubles: number): Float64Array {
  const k = getKernel();
  ensureBytes(k.memory, doubles * 8);
  return new Float64Array(k.memory.buffer);
}

/**
 * One operand of a product, seen as `count` output rows by `steps` contraction steps: element (step k, row r)
 * is data[offset + k·stepStride + r·rowStride], times weight[k] when given.
 */
interface Operand {
  data: Float64Array;
  offset: number;
  count: number;
  stepStride: number;
  rowStride: number;
  weight?: Float64Array;
}

// Packs steps [k0, k0 + kb) of `op` at double index `at` of `h`: panel p, step k, lane r at ((p·kb + k)·4 + r); rows past count are 0.
function pack(op: Operand, k0: number, kb: number, h: Float64Array, at: number): void {
  const { data, offset, count, stepStride, rowStride, weight } = op;
  const panels = Math.ceil(count / 4);
  for (let p = 0; p < panels; p++) {
    const base = at + p * kb * 4;
    const lanes = Math.min(4, count - 4 * p);
    for (let k = 0; k < kb; k++) {
      const w = weight ? weight[k0 + k] : 1;
      const src = offset + (k0 + k) * stepStride + 4 * p * rowStride;
      const dst = base + 4 * k;
      for (let r = 0; r < lanes; r++) h[dst + r] = w * data[src + r * rowStride];
      for (let r = lanes; r < 4; r++) h[dst + r] = 0;
    }
  }
}

/**
 * For each left operand A_t (all with the same count m and steps), C_t (m × p, row-major) = Σ_k A_t(k, ·)ᵀ B(k, ·).
 * `symmetric` (m = p, A_t(k, ·) ∝ B(k, ·) so C_t is symmetric): only the tiles on and above the diagonal are
 * formed, then mirrored.
 */
function products(lefts: Operand[], right: Operand, steps: number, symmetric: boolean): Float64Array[] {
  const m = lefts[0].count;
  const p = right.count;
  const mp = Math.ceil(m / 4) * 4;
  const pp = Math.ceil(p / 4) * 4;
  const kb = Math.min(KB, Math.max(1, steps));
  // Memory: [B pack][A_t packs][C_t tiles].
  const bAt = 0;
  const aAt = (t: number): number => pp * kb + t * mp * kb;
  const cAt = (t: number): number => pp * kb + lefts.length * mp * kb + t * mp * pp;
  const h = heap(cAt(lefts.length));
  h.fill(0, cAt(0), cAt(lefts.length));
  const { tile } = getKernel();
  const rowBytes = pp * 8;
  for (let k0 = 0; k0 < steps; k0 += kb) {
    const len = Math.min(kb, steps - k0);
    pack(right, k0, len, h, bAt);
    lefts.forEach((a, t) => pack(a, k0, len, h, aAt(t)));
    for (let t = 0; t < lefts.length; t++) {
      for (let i = 0; i < mp / 4; i++) {
        const aPanel = (aAt(t) + i * len * 4) * 8;
        for (let j = symmetric ? i : 0; j < pp / 4; j++) tile(aPanel, (bAt + j * len * 4) * 8, len, (cAt(t) + 4 * i * pp + 4 * j) * 8, rowBytes);
      }
    }
  }
  return lefts.map((_, t) => {
    const c = new Float64Array(m * p);
    const base = cAt(t);
    for (let i = 0; i < m; i++) {
      for (let j = symmetric ? i : 0; j < p; j++) c[i * p + j] = h[base + i * pp + j];
      if (symmetric) for (let j = 0; j < i; j++) c[i * p + j] = h[base + j * pp + i];
    }
    return c;
  });
}

/** The d × d matrices Σ_i a[i] X[i] X[i]ᵀ, one per weight vector a (X: n × d row-major), formed in one pass over X. */
export function weightedGrams(x: Float64Array, n: number, d: number, weights: Float64Array[]): Float64Array[] {
  if (n === 0) return weights.map(() => new Float64Array(d * d));
  const rows = (weight?: Float64Array): Operand => ({ data: x, offset: 0, count: d, stepStride: d, rowStride: 1, weight });
  return products(weights.map((w) => rows(w)), rows(), n, true);
}

/** A Bᵀ for row-major A (m × k) and B (p × k): an m × p row-major matrix. `symmetric`: the caller knows A Bᵀ is symmetric (m = p). */
export function multiplyTransposed(a: Float64Array, m: number, b: Float64Array, p: number, k: number, symmetric = false): Float64Array {
  if (k === 0) return new Float64Array(m * p);
  const rowsOf = (data: Float64Array, count: number): Operand => ({ data, offset: 0, count, stepStride: 1, rowStride: k });
  return products([rowsOf(a, m)], rowsOf(b, p), k, symmetric)[0];
}
