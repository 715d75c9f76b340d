// Fuzz: mutated geometry files (JSON and YAML, from the shipped examples) through parseGeometry, analyze and the
// text report, in process. Every case must give a finite report (the documented null of A(η) where θ(η) = 0
// aside) or end in a one-line InputError; never another exception, NaN or a hang.
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { axpy, norm } from '../../src/linalg/index.js';
import { analyze, formatTheoryReport, judgeDirection, parseGeometry, type Geometry, type TheoryReport } from '../../src/theory/index.js';
import { FuzzTally, allFinite, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';

const DIR = 'examples/geometries';
const texts = readdirSync(DIR)
  .filter((f) => /\.(json|ya?ml)$/.test(f))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));
// The examples' objects, to mutate (the examples are plain YAML and JSON).
const bases = texts.map(({ file, text }) => (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text))) as Record<string, unknown>[];

const FIELDS = ['dim', 'trueValue', 'generation', 'encoded', 'constitution', 'candidates', 'covariance', 'eta', 'covarience', 'etas', 'name', '__proto__'];
const extreme = fc.constantFrom(1e308, -1e308, 1e300, 1e200, 1e100, 1e51, 1e50, 1e49, 1e-50, 1e-51, 1e-100, 1e-160, 1e-300, 5e-324, 0, -0, 1, -1, 0.5, 2 ** 53);
const number = fc.oneof(extreme, fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: -3, max: 8 }));
const vector = (n: number) => fc.array(number, { minLength: n, maxLength: n });
const value = fc.oneof(
  number,
  fc.integer({ min: 1, max: 6 }).chain(vector),
  fc.array(fc.array(number, { maxLength: 4 }), { maxLength: 4 }),
  fc.constantFrom('NaN', 'Infinity', '3', '', 'care', 'judge-axis', null, true, [], {}, [[]], [{}], { name: 'c', basis: [[1, 0, 0]], readout: [1, 0, 0] }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Sets `obj[path...]` (creating nothing: a missing parent leaves the object as it was). */
function setAt(obj: unknown, path: (string | number)[], v: unknown): void {
  let at = obj as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = at?.[key];
    if (next === null || typeof next !== 'object') return;
    at = next as Record<string | number, unknown>;
  }
  if (at && typeof at === 'object') at[path[path.length - 1]] = v;
}

type Case = { kind: string; file: string; text: string };
const vectorPaths: (string | number)[][] = [['trueValue'], ['generation'], ['encoded', 0, 'vector'], ['encoded', 1, 'vector'], ['constitution', 'readout'], ['covariance', 0], ['covariance', 1], ['eta']];
const edit = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), fc.option(value, { nil: undefined, freq: 5 })).map(([k, v]) => ({ path: [k] as (string | number)[], v, del: v === undefined })),
  fc.tuple(fc.constantFrom(...vectorPaths), fc.nat({ max: 4 }), number).map(([p, i, v]) => ({ path: [...p, i], v, del: false })),
  fc.tuple(fc.constantFrom(...vectorPaths), fc.double({ min: -300, max: 300, noNaN: true })).map(([p, e]) => ({ path: p, v: 10 ** e, del: false, scale: true })),
);

function mutate(base: Record<string, unknown>, edits: { path: (string | number)[]; v: unknown; del: boolean; scale?: boolean }[]): Record<string, unknown> {
  const g = structuredClone(base);
  for (const e of edits) {
    if (e.scale) {
      // Scale a whole vector (or matrix row) by 10^e: the overflow and underflow cases of the findings.
      const target = e.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string | number, unknown>)[k] : undefined), g);
      if (Array.isArray(target)) target.forEach((x, i) => typeof x === 'number' && (target[i] = x * (e.v as number)));
    } else if (e.del && e.path.length === 1) delete g[e.path[0]];
    else setAt(g, e.path, structuredClone(e.v)); // a copy: fc.constantFrom hands out one shared object
  }
  if (g.covariance === undefined && edits.some((e) => e.path[0] === 'covariance')) {
    const d = typeof g.dim === 'number' ? Math.min(8, Math.max(1, Math.floor(g.dim))) : 2;
    g.covariance = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  }
  return g;
}

const structural: fc.Arbitrary<Case> = fc
  .tuple(fc.nat({ max: bases.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([b, edits, yaml]) => {
    const g = mutate(bases[b], edits);
    return { kind: `${texts[b].file} ${JSON.stringify(edits)}`, file: yaml ? 'g.yaml' : 'g.json', text: yaml ? toYaml(g) : JSON.stringify(g, null, 2) };
  });
const textual: fc.Arbitrary<Case> = fc
  .tuple(fc.nat({ max: texts.length - 1 }), fc.nat({ max: 4000 }), fc.nat({ max: 6 }), fc.string({ maxLength: 6 }))
  .map(([b, at, cut, insert]) => {
    const { file, text } = texts[b];
    const i = at % (text.length + 1);
    return { kind: `${file} text @${i} -${cut} +${JSON.stringify(insert)}`, file, text: text.slice(0, i) + insert + text.slice(i + cut) };
  });
const special: fc.Arbitrary<Case> = fc.constantFrom<Case>(
  { kind: 'duplicate key', file: 'g.json', text: texts.find((t) => t.file.endsWith('.json'))!.text.replace('"dim": 3,', '"dim": 3, "eta": [5], "eta": [1],') },
  { kind: 'unresolved tag', file: 'g.yaml', text: 'dim: !foo 3\n' },
  { kind: 'ambiguous alias', file: 'g.yaml', text: 'dim: 2\ntrueValue: [1, 0]\ngeneration: [1, 0]\nconstitution: {name: c, basis: [*x: 1], readout: [1, 0]}\n' },
  { kind: 'billion laughs', file: 'g.yaml', text: 'a: &a [1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ndim: [*d, *d, *d, *d, *d, *d, *d, *d]\n' },
  { kind: 'deep nesting', file: 'g.yaml', text: `dim: ${'['.repeat(5000)}${']'.repeat(5000)}\n` },
  { kind: 'deep dashes', file: 'g.yaml', text: `${'- '.repeat(3000)}x\n` },
  { kind: 'multi-document', file: 'g.yaml', text: 'dim: 2\n---\ndim: 3\n' },
  { kind: 'prose', file: 'README.md', text: '# Title\n\nSome prose: with a colon\nand more prose\n' },
  { kind: 'theta = 0', file: 'g.json', text: '{"dim":2,"trueValue":[1,0],"generation":[-1,0],"eta":[0,1,2],"constitution":{"name":"c","basis":[[1,0]],"readout":[1,0]}}' },
  { kind: 'empty', file: 'g.json', text: '' },
);
const cases = fc.oneof({ weight: 7, arbitrary: structural }, { weight: 3, arbitrary: textual }, { weight: 1, arbitrary: special });

/** The report with the documented nulls removed: A(η) and its agreement where θ(η) = g + η v_c is 0. */
function withoutDocumentedNulls(g: Geometry, report: TheoryReport): { report: unknown; nulls: number } {
  const vc = judgeDirection(g.constitution);
  let nulls = 0;
  const path = report.path.map((p) => {
    const theta = norm(axpy(g.generation, p.eta, vc));
    if (Number.isNaN(p.alignment) && Number.isNaN(p.agreement) && theta <= 1e-9 * Math.max(norm(g.generation), p.eta)) {
      nulls++;
      return { eta: p.eta, expectedValue: p.expectedValue };
    }
    return p;
  });
  return { report: { ...report, path }, nulls };
}

test(`fuzz geometry: ${fuzzRuns()} mutated geometry files give a finite report or a one-line InputError`, async () => {
  const tally = new FuzzTally('geometry');
  for (const c of fc.sample(cases, { numRuns: fuzzRuns(), seed: propertySeed })) {
    await fuzzCase(
      tally,
      `${c.kind} <- ${c.text.slice(0, 200)}`,
      () => {
        const geometry = parseGeometry(c.text, c.file);
        const report = analyze(geometry, c.file);
        return { geometry, report, text: formatTheoryReport(report, c.file) };
      },
      (out) => {
        const { geometry, report, text } = out as { geometry: Geometry; report: TheoryReport; text: string };
        const { report: checked, nulls } = withoutDocumentedNulls(geometry, report);
        if (!allFinite(checked)) return 'non-finite number in the report';
        if (/NaN|Infinity|null/.test(text)) return 'NaN, Infinity or null in the text report';
        if ((text.match(/undefined/g) ?? []).length !== 2 * nulls) return '"undefined" in the text report beyond the documented θ = 0 rows';
        return true;
      },
    );
  }
  tally.finish();
});
