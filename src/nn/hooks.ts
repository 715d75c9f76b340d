import { orthonormalBasis } from '../linalg/basis.js';
import { tf } from './ops.js';

/** Where an activation sits: `positionOffset` is the absolute position of its first time index (non-zero with a key/value cache). */
export interface HookContext {
  positionOffset: number;
}

/** A hook function: receives an activation [B, T, ...] and returns the one to use instead (never mutating the model). */
export type HookFn = (activation: tf.Tensor, name: string, ctx: HookContext) => tf.Tensor;

/** A hook bound to a hook point name (exact string) or to every name a RegExp matches. */
export interface Hook {
  name: string | RegExp;
  fn: HookFn;
}

/** True when hook `h` applies at hook point `name`. */
export function hookMatches(h: Hook, name: string): boolean {
  return typeof h.name === 'string' ? h.name === name : h.name.test(name);
}

/** Which layers and positions a helper hook touches; positions are absolute (negative counts from the end of the full sequence seen so far). */
export interface HookTarget {
  /** Layers whose `blocks.{L}.{hookName}` get the edit; default all. */
  layers?: number[];
  /** Hook point suffix, default `hook_resid_post` (e.g. `hook_resid_pre`, `hook_attn_out`). */
  hookName?: string;
  /** Absolute positions to edit; default every position. */
  positions?: number[];
}

function targetName(t: HookTarget): RegExp {
  const hook = (t.hookName ?? 'hook_resid_post').replace(/\./g, '\\.');
  const layers = t.layers ? `(${t.layers.join('|')})` : '\\d+';
  return new RegExp(`^blocks\\.${layers}\\.${hook}$`);
}

// A [1, T, 1] float mask selecting the hooked positions among [offset, offset + T).
function positionMask(t: HookTarget, length: number, ctx: HookContext): tf.Tensor | null {
  if (!t.positions) return null;
  const mask = new Float32Array(length);
  for (const p of t.positions) {
    // Negative positions count from the end of the sequence seen so far (−1: the last token), as documented.
    const at = p < 0 ? ctx.positionOffset + length + p : p;
    if (!Number.isInteger(p) || at < 0) throw new Error(`hook positions: expected integers within the ${ctx.positionOffset + length} tokens, got ${p}`);
    const i = at - ctx.positionOffset;
    if (i >= 0 && i < length) mask[i] = 1;
  }
  return tf.tensor3d(mask, [1, length, 1]);
}

function edit(t: HookTarget, apply: (act: tf.Tensor) => tf.Tensor): Hook {
  return {
    name: targetName(t),
    fn: (act, _name, ctx) => {
      const changed = apply(act);
      const mask = positionMask(t, act.shape[1] ?? 1, ctx);
      if (!mask) return changed;
      return tf.add(act, tf.mul(tf.sub(changed, act), mask));
    },
  };
}

/** Adds `scale`·`vector` [d] to the activation at the chosen layers and positions. */
export function addVectorHook(vector: ArrayLike<number>, target: HookTarget = {}, scale = 1): Hook {
  return edit(target, (act) => tf.add(act, tf.mul(tf.tensor1d(Float32Array.from(vector)), scale)));
}

/** Removes the component along `direction` [d] (normalised here): x − (x·u)u. */
export function ablateDirectionHook(direction: ArrayLike<number>, target: HookTarget = {}): Hook {
  return ablateSubspaceHook([direction], target);
}

/**
 * Removes the projection on the span of `basis` rows (k × d, orthonormalised here by Gram-Schmidt):
 * x − (x·Qᵀ)·Q.
 */
export function ablateSubspaceHook(basis: ArrayLike<number>[], target: HookTarget = {}): Hook {
  const q = orthonormalBasis(basis).basis; // dependent rows dropped
  if (q.length === 0) throw new Error('ablateSubspaceHook: the basis spans nothing (all rows zero)');
  const k = q.length;
  const d = q[0]?.length ?? 0;
  const flat = new Float32Array(k * d);
  q.forEach((row, i) => flat.set(row, i * d));
  return edit(target, (act) => {
    const shape = act.shape;
    const x = tf.reshape(act, [-1, d]);
    const basisT = tf.tensor2d(flat, [k, d]);
    const coords = tf.matMul(x, tf.transpose(basisT)); // (N, k)
    return tf.reshape(tf.sub(x, tf.matMul(coords, basisT)), shape);
  });
}

/** Replaces the activation at the chosen layers and positions by `value` (a [d] vector broadcast, or a function of the old one). */
export function replaceHook(value: ArrayLike<number> | ((act: tf.Tensor) => tf.Tensor), target: HookTarget = {}): Hook {
  return edit(target, (act) => (typeof value === 'function' ? value(act) : tf.add(tf.zerosLike(act), tf.tensor1d(Float32Array.from(value)))));
}
