/**
 * The engine users get: models on ONNX Runtime (src/nn/onnx) loaded from and saved to Hugging Face model
 * directories, with ORT's intra-op threads and execution provider chosen by `--threads` / `--device`.
 * The tfjs-wasm engine (src/nn/forward.ts, train.ts) is the reference the tests compare this one with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readModelConfig, readModelWeights, readTokenizer, saveModelDir, type SaveOptions } from '../io/model-dir.js';
import type { TextTokenizer } from '../io/tokenizer.js';
import { InputError } from '../util/errors.js';
import { dims } from '../io/config.js';
import { engineModel, engineWeights, type EngineModel } from './onnx/forward.js';
import { checkDevice, engineThreads, type EngineOptions } from './onnx/session.js';

export { engineModel, engineForward, engineWeights, initWeights, releaseEngineModel, type EngineModel, type Weights } from './onnx/forward.js';
export { engineGenerate, engineGenerateBatch, engineNextTokenLogits } from './onnx/generate.js';
export { engineContinuationLogProbs, engineContinuationLogProb } from './onnx/score.js';
export { trainEngine, engineEvalLoss, engineParamCount } from './onnx/train.js';
export { checkDevice, engineThreads, type Device, type EngineOptions } from './onnx/session.js';

/** A model directory loaded on the ORT engine: the model, its tokenizer (when `tokenizer.json` exists) and the directory. */
export interface LoadedEngineModel {
  model: EngineModel;
  tokenizer: TextTokenizer | undefined;
  dir: string;
}

/** Resolves engine options: threads from the option or `LVH_THREADS` (else 1), the device checked against the installed binding. */
export function resolveEngineOptions(opts: EngineOptions = {}): Required<EngineOptions> {
  const device = opts.device ?? 'cpu';
  checkDevice(device);
  return { threads: engineThreads(opts.threads), device };
}

/**
 * Loads a model directory onto the ORT engine, with the checks of `loadModelDir` in the same order (config.json,
 * tokenizer.json, then the safetensors header against the config before any weight is read).
 */
export async function loadEngineModelDir(dir: string, opts: EngineOptions = {}): Promise<LoadedEngineModel> {
  const options = resolveEngineOptions(opts);
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory');
  const config = readModelConfig(dir);
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? readTokenizer(dir, dims(config).vocab) : undefined;
  const model = engineModel(config, engineWeights(config, readModelWeights(dir, config), dir), options);
  return { model, tokenizer, dir };
}

/** Writes an engine model as a Hugging Face model directory (config.json, model.safetensors, tokenizer, extra files; atomic). */
export function saveEngineModelDir(m: EngineModel, dir: string, opts: SaveOptions = {}): void {
  saveModelDir({ config: m.config, weights: m.weights }, dir, opts);
}
