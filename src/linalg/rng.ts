/**
 * Seeded pseudo-random numbers, identical on every machine.
 *
 * Generator: xoshiro128** (Blackman & Vigna) on 32-bit integer arithmetic (`Math.imul`, shifts), seeded
 * through splitmix32 from a 32-bit seed, so the stream depends only on the seed. Uniforms take 53 bits
 * from two outputs. Normals use the Box-Muller transform (both values used); V8's `Math.log`, `Math.sqrt`,
 * `Math.cos` and `Math.sin` are fdlibm ports, so the same Node version gives the same bits everywhere.
 */
export interface Rng {
  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fills `out` (or a new array of length n) with standard normals. */
  normals(n: number, out?: Float64Array): Float64Array;
  /** The generator's full state, to save and resume a run. */
  state(): RngState;
}

/** Serializable generator state: four 32-bit words and a cached spare normal (or null). */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes a seed with extra integers (e.g. a cell index) into a new 32-bit seed, for independent streams. */
export function deriveSeed(seed: number, ...salt: number[]): number {
  let h = splitmix32(seed)();
  for (const s of salt) h = splitmix32((h ^ Math.imul(s >>> 0, 0x27d4eb2d)) >>> 0)();
  return h >>> 0;
}

/** Creates a generator from an integer seed (any safe integer; it is reduced to 32 bits with its high part mixed in). */
export function createRng(seed: number, resume?: RngState): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`createRng: seed must be a safe integer, got ${seed}`);
  const s = new Uint32Array(4);
  let spare: number | null = null;
  if (resume) {
    s.set(resume.s);
    spare = resume.spare;
  } else {
    const high = Math.floor(seed / 2 ** 32);
    const init = splitmix32((seed >>> 0) ^ Math.imul(high, 0x9e3779b1));
    for (let i = 0; i < 4; i++) s[i] = init();
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const uniform = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const normal = (): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    let u1 = uniform();
    while (u1 === 0) u1 = uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
  return {
    nextUint32,
    uniform,
    normal,
    int(n) {
      if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(uniform() * n);
    },
    normals(n, out = new Float64Array(n)) {
      for (let i = 0; i < n; i++) out[i] = normal();
      return out;
    },
    state() {
      return { s: [s[0], s[1], s[2], s[3]], spare };
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A Fisher-Yates shuffled copy of `items` drawn from `rng` (from the last index down; the input is untouched). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
