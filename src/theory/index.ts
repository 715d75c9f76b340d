// The theory of THEORY.md in closed form: geometry files, the quantities, the bounds, and the agreements.
export * from './types.js';
export * from './schema.js';
export * from './quadrature.js';
export * from './agreement.js';
export * from './quantities.js';
export * from './bounds.js';
export * from './gain.js';
export * from './pareto.js';
export * from './analyze.js';
export * from './text-report.js';
