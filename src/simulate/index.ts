// The simulator: Monte-Carlo RLAIF in the linear model (sampler, judge, reward fit, optimisers), checked against the theory.
export * from './normal.js';
export * from './kernels.js';
export * from './sampler.js';
export * from './judge.js';
export * from './reward-fit.js';
export * from './passes.js';
export * from './uncertainty.js';
export * from './stats.js';
export * from './value-function.js';
export * from './run.js';
export * from './workload.js';
export * from './sample-complexity.js';
export * from './format.js';
