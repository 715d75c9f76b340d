// The v2 evaluation: the model interface, pairs and cases, judges and baselines, readout, statistics, the report.
export * from './model.js';
export * from './stats.js';
export * from './cases.js';
export * from './judges.js';
export * from './readout.js';
export * from './evaluate.js';
