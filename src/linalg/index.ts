// Float64 linear algebra and seeded randomness for the theory and the simulator (own code, no dependency).
export * from './rng.js';
export * from './vector.js';
export * from './matrix.js';
export * from './basis.js';
export * from './eigen.js';
export * from './sigma.js';
