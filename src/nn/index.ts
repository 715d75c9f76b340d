/** The tfjs-wasm reference engine (tests compare the ORT engine, src/nn/onnx, against it): GPT-2 and Llama transformers with hooks, generation and training. */
export { initBackend, backendThreads, defaultThreads, type BackendOptions } from './backend.js';
export { tf } from './ops.js';
export * from '../io/config.js';
export * from './model.js';
export * from './hooks.js';
export { forward, runWithCache, hookNames, disposeKv, forwardInternal, type ForwardOptions, type KvCache } from './forward.js';
export * from './score.js';
export * from './generate.js';
export * from './train.js';
export * from './checkpoint.js';
export { saveModelDir, loadModelDir, modelWeights, modelFromWeights, type LoadedModel } from './tfjs-model-dir.js';
export type { SaveOptions } from '../io/model-dir.js';
export { tokenizerFromJson, wordLevelTokenizerJson, type TextTokenizer } from '../io/tokenizer.js';
