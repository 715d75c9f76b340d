// The v2 world: acts with latent compositional values and splits, principles, responses and the truth about them, templates, vocabulary.
export * from './lexicon.js';
export * from './acts.js';
export * from './principles.js';
export * from './responses.js';
export * from './templates.js';
export * from './vocabulary.js';
export * from './describe.js';
export * from './pairs.js';
