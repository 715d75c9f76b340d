// latent-values: the public API, one namespace per module.
export * as linalg from './linalg/index.js';
