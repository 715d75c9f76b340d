// Fast standard normals for the simulator: the Marsaglia-Tsang ziggurat on the project's seeded xoshiro128** stream.
import type { Rng } from '../linalg/index.js';

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
 * generator of `createRng`); the bulk `fill` keeps the state in local variables, which V8 holds in registers.
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
      let s0 = state[0];
      let s1 = state[1];
      let s2 = state[2];
      let s3 = state[3];
      const end = offset + count;
      for (let i = offset; i < end; i++) {
        // xoshiro128** inlined: the hot loop of every simulation.
        const r = Math.imul(s1, 5);
        const u = Math.imul((r << 7) | (r >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const hz = u >> 7;
        const iz = u & 127;
        const mag = hz < 0 ? -hz : hz;
        if (mag < kn[iz]) {
          out[i] = hz * wn[iz] * scale;
        } else {
          state[0] = s0;
          state[1] = s1;
          state[2] = s2;
          state[3] = s3;
          out[i] = slow(hz, iz) * scale;
          s0 = state[0];
          s1 = state[1];
          s2 = state[2];
          s3 = state[3];
        }
      }
      state[0] = s0;
      state[1] = s1;
      state[2] = s2;
      state[3] = s3;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
