// `lvh sweep`: spec files, the world model per cell, resumable JSONL runs on worker threads, plots and the HTML report.
export * from './spec.js';
export * from './grid.js';
export * from './worlds.js';
export * from './cell.js';
export * from './simulation-view.js';
export * from './store.js';
export * from './pool.js';
export * from './run.js';
export * from './report.js';
