// The v2 corpus: seeded documents over the v2 world (narratives, commentary, dialogues, comparisons) and their checks.
export * from './generate.js';
export * from './check.js';
