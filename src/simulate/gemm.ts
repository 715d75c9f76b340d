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

/** Contraction steps per packed chunk (2 panels × 4 × 8 bytes × KB = 16 KiB of L1 for the tile being formed). */
const KB = 256;

// --- a minimal WebAssembly assembler for the one kernel ---

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
const I32_ADD = 0x6a;
const I32_LT_U = 0x49;
const V128_LOAD = 0x00;
const V128_LOAD64_SPLAT = 0x0a;
const V128_STORE = 0x0b;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * The module: imports memory `m.mem`, exports `tile(a, b, steps, out, rowBytes)`, which adds to the 4 × 4 f64
 * tile at byte `out` (rows `rowBytes` apart) the sum over `steps` ≥ 1 packed steps of a[i]ᵀ b[i] (a, b: byte
 * offsets of packed panels, 32 bytes a step).
 */
function tileModule(): Uint8Array {
  // params 0 a, 1 b, 2 steps, 3 out, 4 rowBytes; locals 5 end (i32), 6..13 c (v128), 14 b01, 15 b23, 16 s (v128).
  const [A, B, STEPS, OUT, ROW, END] = [0, 1, 2, 3, 4, 5];
  const C = (k: number): number => 6 + k;
  const [B01, B23, S] = [14, 15, 16];
  const body: number[] = [];
  // end = a + steps * 32
  body.push(...get(A), ...get(STEPS), ...i32c(5), 0x74 /* i32.shl */, I32_ADD, ...set(END));
  body.push(0x03, 0x40); // loop
  body.push(...get(B), ...simd(V128_LOAD), ...memarg(3, 0), ...set(B01));
  body.push(...get(B), ...simd(V128_LOAD), ...memarg(3, 16), ...set(B23));
  for (let r = 0; r < 4; r++) {
    body.push(...get(A), ...simd(V128_LOAD64_SPLAT), ...memarg(3, 8 * r), ...set(S));
    // c[2r] += s * b01; c[2r + 1] += s * b23 (multiply, then add: two roundings, as in scalar code)
    body.push(...get(C(2 * r)), ...get(S), ...get(B01), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(C(2 * r)));
    body.push(...get(C(2 * r + 1)), ...get(S), ...get(B23), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(C(2 * r + 1)));
  }
  body.push(...get(A), ...i32c(32), I32_ADD, ...set(A));
  body.push(...get(B), ...i32c(32), I32_ADD, ...set(B));
  body.push(...get(A), ...get(END), I32_LT_U, 0x0d, 0 /* br_if loop */, 0x0b /* end loop */);
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) {
      // mem[out + 16h] += c[2r + h]
      body.push(...get(OUT), ...get(OUT), ...simd(V128_LOAD), ...memarg(3, 16 * h), ...get(C(2 * r + h)), ...simd(F64X2_ADD), ...simd(V128_STORE), ...memarg(3, 16 * h));
    }
    body.push(...get(OUT), ...get(ROW), I32_ADD, ...set(OUT));
  }
  body.push(0x0b);
  const locals = vec([[1, I32], [11, V128]]);
  const code = [...locals, ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 1]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('tile'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return Uint8Array.from(bytes);
}

interface Kernel {
  memory: WebAssembly.Memory;
  tile: (a: number, b: number, steps: number, out: number, rowBytes: number) => void;
}

let kernel: Kernel | null = null;

function getKernel(): Kernel {
  if (kernel) return kernel;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(tileModule()), { m: { mem: memory } });
  kernel = { memory, tile: instance.exports.tile as Kernel['tile'] };
  return kernel;
}

/** A view of the kernel's memory holding at least `doubles` Float64 values (grown as needed; earlier views go stale). */
function heap(doubles: number): Float64Array {
  const k = getKernel();
  const need = doubles * 8;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
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
