/** The neural engine: TensorFlow.js (WASM) transformers of the GPT-2 and Llama families, with hooks, generation and training. */
export { initBackend, backendThreads, defaultThreads, type BackendOptions } from './backend.js';
export { tf } from './ops.js';
export * from './config.js';
export * from './model.js';
export * from './hooks.js';
export { forward, runWithCache, hookNames, disposeKv, forwardInternal, type ForwardOptions, type KvCache } from './forward.js';
export * from './score.js';
export * from './generate.js';
export * from './train.js';
export * from './checkpoint.js';
export { saveModelDir, loadModelDir, modelWeights, type LoadedModel, type SaveOptions } from '../io/model-dir.js';
export { tokenizerFromJson, wordLevelTokenizerJson, type TextTokenizer } from '../io/tokenizer.js';
