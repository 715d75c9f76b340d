// The model organism: a synthetic value world with known true values, its corpus, training recipe and evaluation.
export * from './lexicon.js';
export * from './world.js';
export * from './documents.js';
export * from './corpus.js';
export * from './tokenizer.js';
export * from './probe.js';
export * from './evaluate.js';
export * from './sizes.js';
export * from './card.js';
export * from './train.js';
export * from './engine-model.js';
export * from './rates.js';
export * from './eval-progress.js';
export * from './world-of.js';
