// The tfjs-wasm reference engine's side of model directories: build a tfjs Model from checked weights, load a
// directory, read a Model's weights back, and save a Model (through io's saveModelDir). Tests use it as the reference.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dims, type ModelConfig } from '../io/config.js';
import { matchWeights, readModelConfig, readModelWeights, readTokenizer, saveModelDir as saveWeightsDir, type SaveOptions } from '../io/model-dir.js';
import { paramSpecs } from '../io/params.js';
import type { NamedTensor } from '../io/safetensors.js';
import type { TextTokenizer } from '../io/tokenizer.js';
import { InputError } from '../util/errors.js';
import type { Model } from './model.js';
import { tf } from './ops.js';

/** Builds a model from a config and named weights, checking names and shapes (GPT-2 keys with or without `transformer.`). */
export function modelFromWeights(config: ModelConfig, weights: Map<string, NamedTensor>, file = 'model.safetensors'): Model {
  const matched = matchWeights(config, new Map([...weights].map(([name, t]) => [name, t.shape])), () => file);
  const params = new Map<string, tf.Variable | tf.Tensor>();
  for (const spec of paramSpecs(config)) {
    const t = weights.get(matched.get(spec.name)!)!;
    const initial = tf.tensor(t.data, spec.shape, 'float32');
    params.set(spec.name, tf.variable(initial, true));
    initial.dispose();
  }
  return { config, params };
}

/** A loaded model directory: the model, its tokenizer (when `tokenizer.json` exists) and the directory. */
export interface LoadedModel {
  model: Model;
  tokenizer: TextTokenizer | undefined;
  dir: string;
}

/**
 * Loads a model directory: config.json, safetensors weights, tokenizer.json when present. Everything is
 * checked before the model is built; weight files may be symlinks (a Hugging Face cache is made of them).
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const { initBackend } = await import('./backend.js');
  await initBackend();
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory');
  const config = readModelConfig(dir);
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? readTokenizer(dir, dims(config).vocab) : undefined;
  const model = modelFromWeights(config, readModelWeights(dir, config), dir);
  return { model, tokenizer, dir };
}

/** The model's weights as named float32 arrays in HF names and shapes (what `save_pretrained` writes; the tied head is left out). */
export function modelWeights(model: Model): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of model.params) out.set(name, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
  return out;
}

/** Saves a tfjs Model, or a config with named weights, as a Hugging Face directory (see io's saveModelDir). */
export function saveModelDir(model: Model | { config: ModelConfig; weights: Map<string, NamedTensor> }, dir: string, opts: SaveOptions = {}): void {
  saveWeightsDir('weights' in model ? model : { config: model.config, weights: modelWeights(model) }, dir, opts);
}
