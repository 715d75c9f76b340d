/** The model lab: activation data sets, directions with provenance, their files, and causal experiments. */
export * from './datasets.js';
export * from './directions.js';
export * from './files.js';
export * from './activations.js';
export * from './refusal.js';
export * from './world-data.js';
export * from './world-data-v2.js';
export * from './lab-model.js';
export * from './pipeline.js';
export * from './quantities.js';
export * from './audit.js';
export * from './subspaces.js';
