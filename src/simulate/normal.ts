// Fast standard normals for the simulator: the Marsaglia-Tsang ziggurat on the project's seeded xoshiro128** stream.
import type { Rng } from '../linalg/index.js';
import { assembleModule, ensureBytes, F64, I32, instantiate, op, w, type WasmFunction } from './wasm.js';

/**
 * A source of standard normals that fills arrays in bulk. Algorithm: the 128-layer ziggurat of Marsaglia & Tsang
 * (2000, "RNOR"), with Doornik's (2005) fix of drawing the layer index from bits that are not also the value's
 * bits: each 32-bit draw gives the layer from its low 7 bits and a signed 25-bit value from the rest, so values
 * inside a layer have a resolution of 2^-24 of the layer's width. About 98.8% of draws take the fast path
 * (one integer, one compare, one multiply); the wedges and the tail (|x| > 3.44) are sampled exactly by
 * rejection. Deterministic: only integer arithmetic and fdlibm `Math.exp`/`Math.log`, so the same seed gives
 * the same bits everywhere.
 */
export interface NormalSource {
  /** One standard normal. */
  next(): number;
  /** Writes `count` normals times `scale` into out[offset .. offset + count). */
  fill(out: Float64Array, offset: number, count: number, scale?: number): void;
}

const LAYERS = 128;
const R = 3.442619855899;
const AREA = 9.91256303526217e-3;
const M = 16777216; // 2^24: the range of the signed 25-bit value is (-2^24, 2^24).
const kn = new Int32Array(LAYERS);
const wn = new Float64Array(LAYERS);
const fn = new Float64Array(LAYERS);
(function buildTables() {
  let dn = R;
  let tn = dn;
  const q = AREA / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * M);
  kn[1] = 0;
  wn[0] = q / M;
  wn[LAYERS - 1] = dn / M;
  fn[0] = 1;
  fn[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(AREA / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * M);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M;
  }
})();

/**
 * A ziggurat normal source seeded from `rng` (four 32-bit draws). It runs its own xoshiro128** stream (the
 * generator of `createRng`); the bulk `fill` runs the fast path in WebAssembly and the rare slow draws here.
 */
export function createNormalSource(rng: Rng): NormalSource {
  const state = new Int32Array(4);
  for (let i = 0; i < 4; i++) state[i] = rng.nextUint32() | 0;
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  const next32 = (): number => {
    const s1 = state[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    state[2] ^= state[0];
    state[3] ^= s1;
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 11);
    return result;
  };
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  // The slow path: a wedge or the tail; `hz`, `iz` came from a draw that failed the fast test.
  const slow = (hz: number, iz: number): number => {
    for (;;) {
      const x = hz * wn[iz];
      if (iz === 0) {
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(1 - uniform()) / R;
          ty = -Math.log(1 - uniform());
        } while (ty + ty < tx * tx);
        return hz > 0 ? R + tx : -R - tx;
      }
      if (fn[iz] + uniform() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
      const u = next32();
      hz = u >> 7;
      iz = u & 127;
      if ((hz < 0 ? -hz : hz) < kn[iz]) return hz * wn[iz];
    }
  };
  const next = (): number => {
    const u = next32();
    const hz = u >> 7; // signed 25-bit value (arithmetic shift of the int32)
    const iz = u & 127;
    return (hz < 0 ? -hz : hz) < kn[iz] ? hz * wn[iz] : slow(hz, iz);
  };
  return {
    next,
    fill(out, offset, count, scale = 1) {
      const { i32, f64, fill } = zigguratKernel();
      const toKernel = (): void => {
        for (let j = 0; j < 4; j++) i32[STATE_AT / 4 + j] = state[j];
      };
      const fromKernel = (): void => {
        for (let j = 0; j < 4; j++) state[j] = i32[STATE_AT / 4 + j];
      };
      toKernel();
      for (let done = 0; done < count; ) {
        const len = Math.min(FILL_BLOCK, count - done);
        for (let i = 0; ; i++) {
          i = fill(i, len, scale);
          if (i >= len) break;
          // A draw that failed the fast test: finish it here, on the same stream.
          const u = i32[DRAW_AT / 4];
          fromKernel();
          f64[OUT_AT / 8 + i] = slow(u >> 7, u & 127) * scale;
          toKernel();
        }
        if (len >= 64) out.set(f64.subarray(OUT_AT / 8, OUT_AT / 8 + len), offset + done);
        else for (let i = 0; i < len; i++) out[offset + done + i] = f64[OUT_AT / 8 + i];
        done += len;
      }
      fromKernel();
    },
  };
}

// The fast path of `fill` in WebAssembly (integer xoshiro128** and the ziggurat's one compare; 2-3x V8's code for
// the same loop here). Memory: kn (128 i32) at 0, wn (128 f64) at 512, the stream's state at STATE_AT, the
// failed draw at DRAW_AT, the output block at OUT_AT. Same operations in the same order, so the same bits.
const WN_AT = 512;
const STATE_AT = 1536;
const DRAW_AT = 1552;
const OUT_AT = 2048;
const FILL_BLOCK = 4096;

interface ZigguratKernel {
  /** Writes normals (times scale) to out[i, end) from the fast path; returns end, or the index of a draw that needs the slow path. */
  fill: (i: number, end: number, scale: number) => number;
  i32: Int32Array;
  f64: Float64Array;
}

let ziggurat: ZigguratKernel | null = null;

function zigguratKernel(): ZigguratKernel {
  if (ziggurat) return ziggurat;
  // params 0 i, 1 end, 2 scale (f64); locals 3-6 s0..s3, 7 r, 8 u, 9 t, 10 hz, 11 iz, 12 mag.
  const [I, END, SCALE, S0, S1, S2, S3, RR, U, T, HZ, IZ, MAG] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const b: number[] = [];
  const xorInto = (dst: number, src: number): void => void b.push(...w.get(dst), ...w.get(src), op.i32Xor, ...w.set(dst));
  for (let j = 0; j < 4; j++) b.push(...w.i32(0), ...w.mem(op.i32Load, 2, STATE_AT + 4 * j), ...w.set(S0 + j));
  b.push(...w.block, ...w.get(I), ...w.get(END), op.i32GeU, ...w.brIf(0), ...w.loop);
  b.push(...w.get(S1), ...w.i32(5), op.i32Mul, ...w.set(RR));
  b.push(...w.get(RR), ...w.i32(7), op.i32Rotl, ...w.i32(9), op.i32Mul, ...w.set(U));
  b.push(...w.get(S1), ...w.i32(9), op.i32Shl, ...w.set(T));
  xorInto(S2, S0);
  xorInto(S3, S1);
  xorInto(S1, S2);
  xorInto(S0, S3);
  xorInto(S2, T);
  b.push(...w.get(S3), ...w.i32(11), op.i32Rotl, ...w.set(S3));
  b.push(...w.get(U), ...w.i32(7), op.i32ShrS, ...w.set(HZ));
  b.push(...w.get(U), ...w.i32(127), op.i32And, ...w.set(IZ));
  b.push(...w.i32(0), ...w.get(HZ), op.i32Sub, ...w.get(HZ), ...w.get(HZ), ...w.i32(0), op.i32LtS, ...w.select, ...w.set(MAG));
  // if !(mag < kn[iz]): save the draw, leave the loop and the block.
  b.push(...w.get(MAG), ...w.get(IZ), ...w.i32(2), op.i32Shl, ...w.mem(op.i32Load, 2, 0), op.i32LtS, op.i32Eqz, ...w.if);
  b.push(...w.i32(0), ...w.get(U), ...w.mem(op.i32Store, 2, DRAW_AT), ...w.br(2), ...w.end);
  // out[i] = hz · wn[iz] · scale
  b.push(...w.get(I), ...w.i32(3), op.i32Shl);
  b.push(...w.get(HZ), op.f64ConvertI32S, ...w.get(IZ), ...w.i32(3), op.i32Shl, ...w.mem(op.f64Load, 3, WN_AT), op.f64Mul, ...w.get(SCALE), op.f64Mul);
  b.push(...w.mem(op.f64Store, 3, OUT_AT));
  b.push(...w.get(I), ...w.i32(1), op.i32Add, ...w.tee(I), ...w.get(END), op.i32LtU, ...w.brIf(0), ...w.end, ...w.end);
  for (let j = 0; j < 4; j++) b.push(...w.i32(0), ...w.get(S0 + j), ...w.mem(op.i32Store, 2, STATE_AT + 4 * j));
  b.push(...w.get(I));
  const fn: WasmFunction = { name: 'fill', params: [I32, I32, F64], results: [I32], locals: [[10, I32]], body: b };
  const { memory, exports } = instantiate(assembleModule([fn]), 1);
  ensureBytes(memory, OUT_AT + 8 * FILL_BLOCK);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  i32.set(kn, 0);
  f64.set(wn, WN_AT / 8);
  ziggurat = { fill: exports.fill as ZigguratKernel['fill'], i32, f64 };
  return ziggurat;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
