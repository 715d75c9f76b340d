export * from './safetensors.js';
export * from './tokenizer.js';
export * from './model-dir.js';
