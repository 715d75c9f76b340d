// Fuzz: mutated sweep specs (from examples/sweeps/demo.yaml, as YAML and JSON) through parseSweepSpec, expandGrid and
// the theory of a few cells with their text report (and a small simulation where the spec has a simulate: block),
// in process. A spec must be refused as a one-line InputError, or every evaluated cell must give finite numbers:
// never a spec that is accepted and then fails in a cell, never NaN, never a hang.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { axpy, norm } from '../../src/linalg/index.js';
import { runSimulation } from '../../src/simulate/run.js';
import { cellGeometry, expandGrid, parseSweepSpec, simulateOptions, type SweepSpec } from '../../src/simulate/sweep/index.js';
import { analyze, formatTheoryReport, judgeDirection, type Geometry, type TheoryReport } from '../../src/theory/index.js';
import { FuzzTally, allFinite, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';

const demoText = readFileSync('examples/sweeps/demo.yaml', 'utf8');
const demo = parseYaml(demoText) as Record<string, unknown>;

const extreme = fc.constantFrom(1e308, -1e308, 1e200, 1e50, 1e7, 1e6, 1e-6, 1e-7, 1e-50, 1e-200, 1e-308, 1e-320, 5e-324, 0, -0, 1, -1, 0.5, -0.5, 0.999999, -0.999999, 2, 5, 10, 19, 20, 4096, 4097, 100_000, 2 ** 32, 2 ** 53);
const number = fc.oneof(extreme, fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: -3, max: 40 }));
const list = fc.array(number, { minLength: 0, maxLength: 4 });
const value = fc.oneof(
  number,
  list,
  fc.constantFrom('NaN', 'Infinity', '8', '', 'pro-social', 'neutral', 'adversarial', 'friendly', null, true, [], {}, [{}], { mixture: 0.5 }, { mixture: 2 }, ['tilt'], ['best-of-n', 'pg'], ['adam']),
  fc.jsonValue({ maxDepth: 2 }),
);
const PATHS: string[][] = [
  ['name'], ['seeds'], ['dims'], ['capacity'], ['capacity', 'sigma0'], ['capacity', 'alpha'], ['capacity', 'ladder'], ['capacity', 'beta'],
  ['harmful'], ['harmful', 'p'], ['harmful', 'cosine'], ['generation'], ['generation', 'strength'], ['generation', 'cosine'],
  ['constitutions'], ['eta'], ['simulate'], ['simulate', 'pairs'], ['simulate', 'lambda'], ['simulate', 'optimizers'], ['simulate', 'samples'],
  ['simulate', 'bootstrap'], ['simulate', 'colour'], ['colour'],
];
const edit = fc.tuple(fc.constantFrom(...PATHS), fc.option(value, { nil: undefined, freq: 6 }));

function mutate(edits: [string[], unknown][]): Record<string, unknown> {
  const spec = structuredClone(demo);
  for (const [path, v] of edits) {
    let at = spec as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      if (at[key] === null || typeof at[key] !== 'object' || Array.isArray(at[key])) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    if (v === undefined) delete at[path[path.length - 1]];
    else at[path[path.length - 1]] = structuredClone(v); // a copy: fc.constantFrom hands out one shared object
  }
  return spec;
}

type Case = { kind: string; file: string; text: string };
const structural: fc.Arbitrary<Case> = fc.tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([edits, yaml]) => {
  const spec = mutate(edits);
  return { kind: JSON.stringify(edits), file: yaml ? 's.yaml' : 's.json', text: yaml ? toYaml(spec) : JSON.stringify(spec) };
});
const textual: fc.Arbitrary<Case> = fc.tuple(fc.nat({ max: demoText.length }), fc.nat({ max: 6 }), fc.string({ maxLength: 6 })).map(([at, cut, insert]) => ({
  kind: `text @${at} -${cut} +${JSON.stringify(insert)}`,
  file: 'demo.yaml',
  text: demoText.slice(0, at) + insert + demoText.slice(at + cut),
}));
// 2,000 seeds × 100 capacities = 200,000 cells, over the limit (100,000 seeds made each such case take seconds to parse).
const seeds = Array.from({ length: 2000 }, (_, i) => i).join(', ');
const special: fc.Arbitrary<Case> = fc.constantFrom<Case>(
  { kind: 'duplicate key', file: 's.json', text: '{"dims":[8],"dims":[9],"capacity":{"ladder":[1]}}' },
  { kind: 'ambiguous alias', file: 's.yaml', text: 'dims: [8]\ncapacity: {ladder: [1]}\nconstitutions: [pro-social, {*mixture: 0.5}]\n' },
  { kind: 'unresolved tag', file: 's.yaml', text: 'dims: !foo [8]\ncapacity: {ladder: [1]}\n' },
  { kind: 'huge grid', file: 's.yaml', text: `dims: [8]\nseeds: [${seeds}]\ncapacity: {ladder: [${Array.from({ length: 100 }, (_, i) => i + 1).join(', ')}]}\n` },
  { kind: 'deep nesting', file: 's.yaml', text: `dims: ${'['.repeat(3000)}${']'.repeat(3000)}\n` },
  { kind: 'pairs below the simulator', file: 's.yaml', text: 'dims: [8]\ncapacity: {ladder: [1]}\nsimulate: {pairs: 5}\n' },
  { kind: 'ladder 1e-320', file: 's.yaml', text: 'dims: [8]\ncapacity: {ladder: [1e-320]}\n' },
  { kind: 'strength 1e308', file: 's.yaml', text: 'dims: [8]\ncapacity: {ladder: [1]}\ngeneration: {strength: 1e308}\n' },
  { kind: 'empty', file: 's.yaml', text: '' },
);
const cases = fc.oneof({ weight: 7, arbitrary: structural }, { weight: 3, arbitrary: textual }, { weight: 1, arbitrary: special });

/** A report without the documented nulls (A(η) and its agreement where θ(η) = g + η v_c is 0). */
function withoutDocumentedNulls(g: Geometry, report: TheoryReport): unknown {
  const vc = judgeDirection(g.constitution);
  const path = report.path.map((p) => {
    const theta = norm(axpy(g.generation, p.eta, vc));
    const vanishes = Number.isNaN(p.alignment) && Number.isNaN(p.agreement) && theta <= 1e-9 * Math.max(norm(g.generation), p.eta);
    return vanishes ? { eta: p.eta, expectedValue: p.expectedValue } : p;
  });
  return { ...report, path };
}

/** Parse, validate, expand; the theory and its text report of the first, a middle and the last cell; a small simulation of the first. */
function evaluate(c: Case): unknown {
  const spec: SweepSpec = parseSweepSpec(c.text, c.file);
  const grid = expandGrid(spec);
  const picked = [...new Set([0, Math.floor(grid.length / 2), grid.length - 1])].map((i) => grid[i]);
  const out = picked.map((cell) => {
    const geometry = cellGeometry(spec, cell);
    const report = analyze(geometry, c.file);
    return { key: cell.key, theory: withoutDocumentedNulls(geometry, report), text: formatTheoryReport(report, cell.key) };
  });
  let simulation: unknown = null;
  if (spec.simulate && grid[0].dim <= 64) {
    // The spec's own sizes where they are small (so the simulator's limits are exercised), capped to keep cases fast.
    const options = simulateOptions(spec, grid[0]);
    const cap = (x: number | undefined, most: number) => (x === undefined ? most : Math.min(x, most));
    const { options: _options, ...result } = runSimulation(cellGeometry(spec, grid[0]), {
      ...options,
      optimizers: ['tilt'],
      pairs: cap(options.pairs, 200),
      policySamples: cap(options.policySamples, 50),
      bootstrap: cap(options.bootstrap, 20),
      eta: spec.eta.slice(0, 3),
    });
    simulation = result;
  }
  return { cells: out, simulation };
}

test(`fuzz sweep spec: ${fuzzRuns()} mutated specs are refused in one line or give finite cells`, async () => {
  const tally = new FuzzTally('sweep-spec');
  for (const c of fc.sample(cases, { numRuns: fuzzRuns(), seed: propertySeed })) {
    await fuzzCase(tally, `${c.kind} <- ${c.text.slice(0, 200)}`, () => evaluate(c), (out) => {
      const { cells, simulation } = out as { cells: { theory: unknown; text: string }[]; simulation: unknown };
      for (const cell of cells) {
        if (!allFinite(cell.theory)) return 'non-finite number in a cell theory';
        if (/NaN|Infinity|null/.test(cell.text)) return 'NaN, Infinity or null in a cell text report';
      }
      if (!allFinite(simulation)) return 'non-finite number in the simulation';
      return true;
    });
  }
  tally.finish();
});
