import { createRng } from '../linalg/rng.js';
import type { ModelConfig } from '../io/config.js';
import { paramSpecs } from '../io/params.js';
export { paramSpecs, type ParamSpec } from '../io/params.js';
import { tf } from './ops.js';

/** A model: its config and its parameters keyed by Hugging Face names, in Hugging Face shapes. */
export interface Model {
  config: ModelConfig;
  params: Map<string, tf.Variable | tf.Tensor>;
}

/** A freshly initialised model (trainable variables), deterministic in `seed`. */
export function initModel(config: ModelConfig, seed: number): Model {
  const rng = createRng(seed);
  const params = new Map<string, tf.Variable | tf.Tensor>();
  for (const spec of paramSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.init.kind === 'ones') data.fill(1);
    else if (spec.init.kind === 'normal') {
      const s = spec.init.std;
      for (let i = 0; i < size; i++) data[i] = rng.normal() * s;
    }
    const initial = tf.tensor(data, spec.shape, 'float32');
    params.set(spec.name, tf.variable(initial, true));
    initial.dispose();
  }
  return { config, params };
}

/** The parameter `name`, or an error naming it. */
export function param(model: Model, name: string): tf.Tensor {
  const t = model.params.get(name);
  if (!t) throw new Error(`model has no parameter "${name}"`);
  return t;
}

/** Number of scalar parameters. */
export function countParams(model: Model): number {
  let n = 0;
  for (const t of model.params.values()) n += t.size;
  return n;
}

/** Frees every parameter tensor of the model. */
export function disposeModel(model: Model): void {
  for (const t of model.params.values()) t.dispose();
  model.params.clear();
}
