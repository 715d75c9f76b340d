/** Float64 vectors: the plain operations the theory and simulator use. */
export type Vector = Float64Array;

/** A Float64Array copy of `values`. */
export function vec(values: ArrayLike<number>): Vector {
  return Float64Array.from(values);
}

/** The zero vector of length n. */
export function zeros(n: number): Vector {
  return new Float64Array(n);
}

/** The i-th standard basis vector of length n. */
export function unitVector(n: number, i: number): Vector {
  const e = new Float64Array(n);
  e[i] = 1;
  return e;
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, op: string): void {
  if (a.length !== b.length) throw new Error(`${op}: length mismatch ${a.length} vs ${b.length}`);
}

/** Inner product <a, b>. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'dot');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm ||a||. */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** a + b. */
export function add(a: ArrayLike<number>, b: ArrayLike<number>): Vector {
  sameLength(a, b, 'add');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** a - b. */
export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Vector {
  sameLength(a, b, 'sub');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** s · a. */
export function scale(a: ArrayLike<number>, s: number): Vector {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = s * a[i];
  return out;
}

/** a / s, entry by entry (dividing, unlike scale(a, 1 / s), keeps working when 1 / s overflows). */
export function divide(a: ArrayLike<number>, s: number): Vector {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] / s;
  return out;
}

/** a + s · b (a new vector). */
export function axpy(a: ArrayLike<number>, s: number, b: ArrayLike<number>): Vector {
  sameLength(a, b, 'axpy');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + s * b[i];
  return out;
}

/** Largest |a_i| (0 for the zero vector; NaN when an entry is NaN). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]);
    if (x > m || Number.isNaN(x)) m = x;
  }
  return m;
}

/** Norms whose square neither overflows nor loses precision to underflow: the plain formulas are exact enough. */
function inSafeRange(n: number): boolean {
  return n > 1e-150 && n < 1e150;
}

/** a / ||a||; throws on a zero vector. Entries near the ends of the double range are scaled first, so that ||a||² does not overflow or underflow. */
export function normalize(a: ArrayLike<number>): Vector {
  const n = norm(a);
  if (inSafeRange(n)) return scale(a, 1 / n);
  const big = maxAbs(a);
  if (!(big > 0) || !Number.isFinite(big)) throw new Error('normalize: zero vector');
  const scaled = divide(a, big);
  return divide(scaled, norm(scaled));
}

/** Plain cosine <a, b> / (||a|| ||b||); throws on a zero vector. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  if (inSafeRange(na) && inSafeRange(nb)) return clampUnit(dot(a, b) / (na * nb));
  // The cosine does not change when a and b are scaled: bring both to a largest entry of 1.
  const ba = maxAbs(a);
  const bb = maxAbs(b);
  if (!(ba > 0) || !(bb > 0) || !Number.isFinite(ba) || !Number.isFinite(bb)) throw new Error('cosine: zero vector');
  const sa = divide(a, ba);
  const sb = divide(b, bb);
  return clampUnit(dot(sa, sb) / (norm(sa) * norm(sb)));
}

/** Clamps a cosine into [-1, 1] against rounding. */
export function clampUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}
