// What the optimisers share (the simulation context) and the small vector helpers they all use.
import { sigmaCos, type Vector } from '../linalg/index.js';
import { pathPoint, type Geometry } from '../theory/index.js';
import type { SimulateOptions } from './options.js';
import type { PolicyComparison } from './result.js';
import { applySigma, solveSigma, type ResponseModel } from './sampler.js';
import { within, type Estimate } from './stats.js';
import { expectedValueGaussian, type ValueFunctionSpec } from './value-function.js';

/** What the optimisers share: the geometry's vectors, the response model, the fitted reward and its bootstrap draws. */
export interface SimulationContext {
  geometry: Geometry;
  model: ResponseModel;
  vStar: Vector;
  vc: Vector;
  g: Vector;
  f: ValueFunctionSpec;
  w: Float64Array;
  draws: Float64Array[];
  /** ŵ_b/||ŵ_b|| and cosS(ŵ_b, v*) per draw, computed once for every η and n. */
  drawUnits: Float64Array[];
  drawAlignments: Float64Array;
  /** Σv*, and the sd of <v*, φ> for one response: √(v*ᵀΣv*). */
  sigmaVStar: Float64Array;
  valueSd: number;
  options: SimulateOptions;
}

/** v/||v||. */
export function unit(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const n = Math.sqrt(s);
  const out = new Float64Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] / n;
  return out;
}

/** <a, b>, summed in index order. */
export function dotv(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** <x[offset .. offset + d), v>, summed in the order of `dotv`. */
export function dotRow(x: Float64Array, offset: number, v: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[offset + j] * v[j];
  return s;
}

/** The Σ-cosine of a and b (the geometry's covariance; plain cosine for Σ = I). */
export function cosS(ctx: SimulationContext, a: ArrayLike<number>, b: ArrayLike<number>): number {
  return sigmaCos(a, b, ctx.geometry.covariance);
}

/** cosS(a, v*); for Σ ≠ I from the fixed Σv* and one product Σa instead of sigmaCos's three. */
export function trueAlignment(ctx: SimulationContext, a: ArrayLike<number>): number {
  if (!ctx.geometry.covariance) return sigmaCos(a, ctx.vStar);
  return alignmentFrom(ctx, a, dotv(a, applySigma(ctx.model, a)), dotv(a, ctx.sigmaVStar));
}

/** cosS(Σ⁻¹m, v*), the alignment of the natural parameter of a mean m; for Σ ≠ I with no product by Σ (Σ(Σ⁻¹m) = m). */
export function meanAlignment(ctx: SimulationContext, m: ArrayLike<number>): number {
  const a = solveSigma(ctx.model, m);
  if (!ctx.geometry.covariance) return sigmaCos(a, ctx.vStar);
  return alignmentFrom(ctx, a, dotv(a, m), dotv(m, ctx.vStar));
}

// aᵀΣb/(|a|_Σ |v*|_Σ) from aᵀΣa and aᵀΣv*; sigmaCos (with its rescaling) where a Σ-norm nears the double range's ends.
function alignmentFrom(ctx: SimulationContext, a: ArrayLike<number>, aSigmaA: number, aSigmaV: number): number {
  const na = Math.sqrt(aSigmaA);
  const safe = (n: number): boolean => n > 1e-150 && n < 1e150;
  if (!safe(na) || !safe(ctx.valueSd)) return sigmaCos(a, ctx.vStar, ctx.geometry.covariance);
  return Math.max(-1, Math.min(1, aSigmaV / (na * ctx.valueSd)));
}

/** θ = g + η·u. */
export function tilt(g: Vector, eta: number, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(g.length);
  for (let j = 0; j < g.length; j++) out[j] = g[j] + eta * u[j];
  return out;
}

/** Column means of a count × d row-major array. */
export function columnMeans(x: Float64Array, count: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) m[j] += x[i * d + j];
  for (let j = 0; j < d; j++) m[j] /= count;
  return m;
}

/** A measured policy (estimates with intervals) against its prediction. */
export function compare(measured: { alignment: Estimate; expectedValue: Estimate }, predicted: { alignment: number; expectedValue: number }): PolicyComparison {
  return {
    measured: { alignment: measured.alignment.value, expectedValue: measured.expectedValue.value },
    interval: { alignment: [measured.alignment.low, measured.alignment.high], expectedValue: [measured.expectedValue.low, measured.expectedValue.high] },
    predicted,
    within: { alignment: within(measured.alignment, predicted.alignment), expectedValue: within(measured.expectedValue, predicted.expectedValue) },
  };
}

/** The theory's prediction for the tilt θ(η) = g + η v_c: A(η) and E f(<v*, φ>) under the tilted policy. */
export function predictTilt(ctx: SimulationContext, eta: number): { alignment: number; expectedValue: number } {
  const point = pathPoint(ctx.geometry, eta);
  return { alignment: point.alignment, expectedValue: expectedValueGaussian(ctx.f, point.expectedValue, ctx.valueSd) };
}

/** L z (L the lower Cholesky factor of Σ). */
export function lowerTimes(model: ResponseModel, z: Float64Array): Float64Array {
  const d = model.dim;
  const l = model.chol!.data;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * d + k] * z[k];
    out[i] = s;
  }
  return out;
}

/** Lᵀ v (L the lower Cholesky factor of Σ). */
export function lowerTransposeTimes(model: ResponseModel, v: ArrayLike<number>): Float64Array {
  const d = model.dim;
  const l = model.chol!.data;
  const out = new Float64Array(d);
  for (let k = 0; k < d; k++) for (let i = 0; i <= k; i++) out[i] += l[k * d + i] * v[k];
  return out;
}
