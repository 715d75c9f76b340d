// Value functions f of the true value x = <v*, φ>: linear (THEORY.md), monotone cubic, non-monotone quadratic.
import type { ValueFunction } from '../theory/index.js';
import { InputError } from '../util/errors.js';

/** f(x) = x, f(x) = x³ (monotone) or f(x) = −(x − center)² (non-monotone, peaked at center). */
export type ValueFunctionSpec = { kind: 'linear' } | { kind: 'cubic' } | { kind: 'quadratic'; center: number };

/** Parses `linear`, `cubic` or `quadratic:M` (M a finite number); InputError naming `--value-function` otherwise. */
export function parseValueFunction(raw: string, command: string): ValueFunctionSpec {
  if (raw === 'linear') return { kind: 'linear' };
  if (raw === 'cubic') return { kind: 'cubic' };
  const m = /^quadratic:(.+)$/.exec(raw);
  if (m) {
    const center = Number(m[1]);
    if (m[1].trim() !== '' && Number.isFinite(center)) return { kind: 'quadratic', center };
  }
  throw new InputError(`lvh ${command}`, '--value-function', `expected linear, cubic or quadratic:M with M a number, got "${raw}"`);
}

/** The name a report prints for f. */
export function valueFunctionName(f: ValueFunctionSpec): string {
  return f.kind === 'quadratic' ? `quadratic:${f.center}` : f.kind;
}

/** f(x). */
export function applyValue(f: ValueFunctionSpec, x: number): number {
  if (f.kind === 'linear') return x;
  if (f.kind === 'cubic') return x * x * x;
  return -((x - f.center) ** 2);
}

/** The theory's description of f (cubic and linear are both monotone increasing). */
export function theoryValueFunction(f: ValueFunctionSpec): ValueFunction {
  return f.kind === 'quadratic' ? { kind: 'quadratic', center: f.center } : { kind: 'monotone', increasing: true };
}

/**
 * E f(μ + s W) from the first three moments of W (all three f are polynomials of degree ≤ 3).
 * W standard normal: moments [0, 1, 0]; best-of-n: W = aR + √(1 − a²)Z with R the max of n normals.
 */
export function expectedValueFromMoments(f: ValueFunctionSpec, mean: number, scale: number, w: [number, number, number]): number {
  const [w1, w2, w3] = w;
  if (f.kind === 'linear') return mean + scale * w1;
  if (f.kind === 'cubic') return mean ** 3 + 3 * mean ** 2 * scale * w1 + 3 * mean * scale ** 2 * w2 + scale ** 3 * w3;
  const c = mean - f.center;
  return -(c * c + 2 * c * scale * w1 + scale * scale * w2);
}

/** E f(X) for X ~ N(mean, sd²). */
export function expectedValueGaussian(f: ValueFunctionSpec, mean: number, sd: number): number {
  return expectedValueFromMoments(f, mean, sd, [0, 1, 0]);
}
