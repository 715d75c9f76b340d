// The closed forms of THEORY.md T1: alignments, agreements, the path θ(η) = g + η v_c, its slope and its extremum.
import { axpy, orthonormalBasis, project, sigmaApply, sigmaCos, sigmaInner, dot, type Matrix, type Vector } from '../linalg/index.js';
import { agreementFromAlignment } from './agreement.js';
import { judgeDirection } from './schema.js';
import type { Extremum, Geometry, PathPoint } from './types.js';

/** An orthonormal basis of S = span(E ∪ {g}). */
export function encodedSubspace(geometry: Geometry): Vector[] {
  return orthonormalBasis([...geometry.encoded.map((e) => e.vector), geometry.generation]).basis;
}

/** Representation quality ρ = ||P_S v*|| in [0, 1] (Euclidean projection, as THEORY.md defines it). */
export function rho(geometry: Geometry): number {
  const p = project(encodedSubspace(geometry), geometry.trueValue);
  return Math.min(1, Math.sqrt(dot(p, p)));
}

/** a_gen = cosS(g, v*). */
export function generationAlignment(geometry: Geometry): number {
  return sigmaCos(geometry.generation, geometry.trueValue, geometry.covariance);
}

/** a_c = cosS(v_c, v*). */
export function judgeAlignment(geometry: Geometry): number {
  return sigmaCos(judgeDirection(geometry.constitution), geometry.trueValue, geometry.covariance);
}

/** The Σ-inner products the path depends on: a = gᵀΣv*, b = v_cᵀΣv*, c = gᵀΣv_c, n² = gᵀΣg, m² = v_cᵀΣv_c, s² = v*ᵀΣv*. */
export interface PathCoefficients {
  a: number;
  b: number;
  c: number;
  n2: number;
  m2: number;
  s2: number;
}

/** The path coefficients of g, v_c and v* under Σ. */
export function pathCoefficients(g: Vector, vc: Vector, vStar: Vector, sigma?: Matrix): PathCoefficients {
  return {
    a: sigmaInner(g, vStar, sigma),
    b: sigmaInner(vc, vStar, sigma),
    c: sigmaInner(g, vc, sigma),
    n2: sigmaInner(g, g, sigma),
    m2: sigmaInner(vc, vc, sigma),
    s2: sigmaInner(vStar, vStar, sigma),
  };
}

/** A(η) from the coefficients: (a + ηb) / √((n² + 2ηc + η²m²) s²); NaN where θ(η) = 0. η = ∞ gives b/√(m² s²). */
export function alignmentAt(coefficients: PathCoefficients, eta: number): number {
  const k = conditioned(coefficients);
  if (eta === Infinity) return clamp(k.b / Math.sqrt(k.m2 * k.s2));
  const q = k.n2 + 2 * eta * k.c + eta * eta * k.m2;
  // θ(η) = 0 only when g = −η v_c; the cosine is then undefined.
  // NaN also where q overflows (η far too large): a cosine of 0 would look valid and be wrong; analyze refuses it.
  if (thetaVanishes(k, eta) || !Number.isFinite(q)) return NaN;
  return clamp((k.a + eta * k.b) / Math.sqrt(q * k.s2));
}

/**
 * The coefficients divided by s² = v*ᵀΣv* when Σ is far from unit scale (alignments, the slope and η* do not
 * change when Σ is scaled), so that products such as b n² neither overflow nor underflow; unchanged otherwise.
 */
export function conditioned(k: PathCoefficients): PathCoefficients {
  if (k.s2 > 1e-30 && k.s2 < 1e30) return k;
  const s = k.s2;
  return { a: k.a / s, b: k.b / s, c: k.c / s, n2: k.n2 / s, m2: k.m2 / s, s2: 1 };
}

/** True when θ(η) = g + η v_c is 0 to rounding (g = −η v_c), where A(η) is undefined (NaN, null in JSON). */
export function thetaVanishes(coefficients: PathCoefficients, eta: number): boolean {
  if (eta === Infinity) return false;
  const k = conditioned(coefficients);
  const q = k.n2 + 2 * eta * k.c + eta * eta * k.m2;
  return Number.isFinite(q) && !(q > 1e-24 * Math.max(k.n2, eta * eta * k.m2));
}

function clamp(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** One point of the path: alignment A(η), expected true value E(η) = <v*, Σθ(η)> and agreement 1 − arccos(A)/π. */
export function pathPoint(geometry: Geometry, eta: number): PathPoint {
  const vc = judgeDirection(geometry.constitution);
  const k = pathCoefficients(geometry.generation, vc, geometry.trueValue, geometry.covariance);
  const alignment = alignmentAt(k, eta);
  const theta = axpy(geometry.generation, eta, vc);
  const expectedValue = dot(geometry.trueValue, sigmaApply(theta, geometry.covariance));
  return { eta, alignment, expectedValue, agreement: Number.isNaN(alignment) ? NaN : agreementFromAlignment(alignment) };
}

/**
 * dA/dη at η = 0 for any Σ: (b n² − a c) / (n³ s). With Σ = I (s = 1) this is THEORY.md's
 * (<v_c, v*> − <ĝ, v*><ĝ, v_c>) / ||g||.
 */
export function slopeAtZero(coefficients: PathCoefficients): number {
  const k = conditioned(coefficients);
  const n = Math.sqrt(k.n2);
  return (k.b * k.n2 - k.a * k.c) / (k.n2 * n * Math.sqrt(k.s2));
}

/** How g relates to v_c: independent, the same direction, or opposite (θ passes through 0 at η = −c/m²). */
function parallelism(coefficients: PathCoefficients): 'independent' | 'same' | 'opposite' {
  const k = conditioned(coefficients);
  const cosGc = k.c / Math.sqrt(k.n2 * k.m2);
  if (cosGc > 1 - 1e-12) return 'same';
  if (cosGc < -1 + 1e-12) return 'opposite';
  return 'independent';
}

/** The stationary point and the shape of A over [0, ∞], with the maximum (peak) and minimum (trough). */
export interface PathShape {
  /** η* = (b n² − a c)/(a m² − b c) when it lies in (0, ∞), else null. */
  stationaryEta: number | null;
  shape: 'overshoot' | 'dip' | 'monotone';
  peak: Extremum;
  trough: Extremum;
}

/**
 * The extremum of A(η) = cosS(g + η v_c, v*) over η ∈ [0, ∞] in closed form. dA/dη has the sign of the linear
 * function D(η) = (b n² − a c) + η (b c − a m²), so A has at most one interior stationary point
 * η* = (b n² − a c)/(a m² − b c): a maximum when D goes from + to − (overshoot), a minimum when from − to +
 * (dip). Without one, the extremes are A(0) and the limit a_c (η = null). Ties go to the smaller η.
 */
export function pathShape(coefficients: PathCoefficients): PathShape {
  const k = conditioned(coefficients);
  const start = alignmentAt(k, 0);
  const limit = alignmentAt(k, Infinity);
  const atStart: Extremum = { eta: 0, alignment: start };
  const atLimit: Extremum = { eta: null, alignment: limit };
  const hi = (x: Extremum, y: Extremum): Extremum => (y.alignment > x.alignment ? y : x);
  const lo = (x: Extremum, y: Extremum): Extremum => (y.alignment < x.alignment ? y : x);
  const par = parallelism(k);
  if (par === 'same') return { stationaryEta: null, shape: 'monotone', peak: atStart, trough: atStart };
  if (par === 'opposite') {
    // θ(η) ∝ g until it crosses 0 at η = ||g||/||v_c||, then ∝ v_c: A jumps from A(0) = −a_c to a_c.
    return { stationaryEta: null, shape: 'monotone', peak: hi(atStart, atLimit), trough: lo(atStart, atLimit) };
  }
  const d0 = k.b * k.n2 - k.a * k.c;
  const d1 = k.b * k.c - k.a * k.m2;
  const etaStar = d1 !== 0 ? -d0 / d1 : NaN;
  if (Number.isFinite(etaStar) && etaStar > 0) {
    const interior: Extremum = { eta: etaStar, alignment: alignmentAt(k, etaStar) };
    if (d0 > 0 && d1 < 0) return { stationaryEta: etaStar, shape: 'overshoot', peak: interior, trough: lo(atStart, atLimit) };
    if (d0 < 0 && d1 > 0) return { stationaryEta: etaStar, shape: 'dip', peak: hi(atStart, atLimit), trough: interior };
  }
  return { stationaryEta: null, shape: 'monotone', peak: hi(atStart, atLimit), trough: lo(atStart, atLimit) };
}
