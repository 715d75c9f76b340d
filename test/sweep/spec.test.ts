import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { SIMULATE_LIMITS } from '../../src/simulate/run.js';
import { cellGeometry, expandGrid, loadSweepSpec, SWEEP_LIMITS, validateSweepSpec } from '../../src/simulate/sweep/index.js';
import { analyze } from '../../src/theory/index.js';
import { InputError } from '../../src/util/errors.js';
import { smallSpec, tempDir } from './helpers.js';

/** Runs the CLI in-process and returns its exit code and what it printed on stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...xs: unknown[]) => lines.push(xs.map(String).join(' '));
  try {
    return { code: await main(args), stderr: lines.join('\n') };
  } finally {
    console.error = original;
  }
}

test('a minimal spec gets every default', () => {
  const spec = validateSweepSpec({ dims: [16], capacity: { ladder: [1, 10] } }, 'f.yaml');
  assert.equal(spec.name, 'sweep');
  assert.deepEqual(spec.seeds, [1]);
  assert.deepEqual(spec.capacity, { sigma0: 1, alpha: 0.5, ladder: [1, 10] });
  assert.deepEqual(spec.harmful, { p: [0], cosine: -0.8 });
  assert.deepEqual(spec.constitutions, ['pro-social']);
  assert.equal(spec.simulate, undefined);
});

test('bad fields are InputErrors naming the file and the field path', () => {
  const cases: [unknown, string][] = [
    [{ dims: [3], capacity: { ladder: [1] } }, 'dims.0'],
    [{ dims: [16] }, 'capacity'],
    [{ dims: [16], capacity: { ladder: [0] } }, 'capacity.ladder.0'],
    [{ dims: [16], capacity: { ladder: [1] }, harmful: { p: [1.5] } }, 'harmful.p.0'],
    [{ dims: [16], capacity: { ladder: [1] }, harmful: { cosine: 0.3 } }, 'harmful.cosine'],
    [{ dims: [16], capacity: { ladder: [1] }, constitutions: ['friendly'] }, 'constitutions.0'],
    [{ dims: [16], capacity: { ladder: [1] }, constitutions: [{ mixture: 2 }] }, 'constitutions.0.mixture'],
    [{ dims: [16], capacity: { ladder: [1] }, eta: [-1] }, 'eta.0'],
    [{ dims: [16], capacity: { ladder: [1] }, simulate: { pairs: 0 } }, 'simulate.pairs'],
    [{ dims: [16], capacity: { ladder: [1], beta: 2 } }, 'capacity.beta'],
    [{ dims: [16], capacity: { ladder: [1] }, colour: 'red' }, 'colour'],
  ];
  for (const [raw, field] of cases) {
    assert.throws(
      () => validateSweepSpec(raw, 'bad.yaml'),
      (err: unknown) => err instanceof InputError && err.file === 'bad.yaml' && err.field === field,
      `expected an InputError on ${field}`,
    );
  }
});

test('the grid has one cell per combination, with unique stable keys, repeats dropped', () => {
  const spec = smallSpec({ seeds: [1, 2, 2] });
  const cells = expandGrid(spec);
  assert.equal(cells.length, 1 * 3 * 3 * 4 * 2);
  assert.equal(new Set(cells.map((c) => c.key)).size, cells.length);
  assert.equal(cells[0].key, 'd=8|N=1|p=0|c=pro-social|seed=1');
  assert.deepEqual(expandGrid(spec), cells);
  const mixture = cells.find((c) => c.constitution === 'mixture:0.5')!;
  assert.equal(mixture.adversarialWeight, 0.5);
  assert.ok(Math.abs(cells.find((c) => c.capacity === 100)!.sigma - 0.2) < 1e-15);
});

test('YAML and JSON spec files load; syntax errors name the file', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 's.yaml'), 'dims: [16]\ncapacity:\n  ladder: [1, 10]\n');
    writeFileSync(join(dir, 's.json'), JSON.stringify({ dims: [16], capacity: { ladder: [1, 10] } }));
    writeFileSync(join(dir, 'broken.yaml'), 'dims: [16\n');
    assert.deepEqual(loadSweepSpec(join(dir, 's.yaml')), loadSweepSpec(join(dir, 's.json')));
    assert.throws(() => loadSweepSpec(join(dir, 'broken.yaml')), (e: unknown) => e instanceof InputError && e.field === '(file)' && /at line 2, column 1$/.test(e.expected));
    assert.throws(() => loadSweepSpec(join(dir, 'missing.yaml')), (e: unknown) => e instanceof InputError && e.field === '(file)');
  } finally {
    cleanup();
  }
});

test('lvh sweep exits 2 on a bad spec with a message naming the field, and writes nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'dims: [16]\ncapacity:\n  sigma0: -1\n  ladder: [1]\n');
    const out = join(dir, 'out');
    const { code, stderr } = await cli(['sweep', file, '--out', out]);
    assert.equal(code, 2);
    assert.match(stderr, /bad\.yaml: capacity\.sigma0: /);
    assert.equal((await import('node:fs')).existsSync(out), false);
    assert.equal((await cli(['sweep', file])).code, 2);
    assert.match((await cli(['sweep', file, '--out', out, '--workers', 'two'])).stderr, /--workers/);
  } finally {
    cleanup();
  }
});

/** The field of the InputError that validating `raw` throws (fails the test when it does not throw one). */
function refusedField(raw: unknown): string {
  try {
    validateSweepSpec(raw, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.message.includes('\n'), false);
    return err.field;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

test('simulate.pairs, samples and bootstrap take exactly the simulator\'s ranges (SIMULATE_LIMITS)', () => {
  const ranges = { pairs: SIMULATE_LIMITS.pairs, samples: SIMULATE_LIMITS.policySamples, bootstrap: SIMULATE_LIMITS.bootstrap };
  for (const [field, { min, max }] of Object.entries(ranges)) {
    const spec = (value: number) => ({ dims: [8], capacity: { ladder: [1] }, simulate: { [field]: value } });
    // Before: pairs 5, samples 1 and bootstrap 1 passed the spec and failed in every cell (exit 1, a stack).
    assert.equal(refusedField(spec(min - 1)), `simulate.${field}`);
    assert.equal(refusedField(spec(max + 1)), `simulate.${field}`);
    assert.equal((validateSweepSpec(spec(min), 'ok.yaml').simulate as unknown as Record<string, number>)[field], min);
    assert.equal((validateSweepSpec(spec(max), 'ok.yaml').simulate as unknown as Record<string, number>)[field], max);
  }
});

test('degenerate capacities, strengths and etas are refused by the spec, naming the field', () => {
  const at = (extra: Record<string, unknown>) => ({ dims: [8], capacity: { ladder: [1] }, ...extra });
  const cases: [unknown, string][] = [
    [at({ capacity: { ladder: [1e-320] } }), 'capacity.ladder.0'],
    [at({ capacity: { ladder: [5e-324], alpha: 2 } }), 'capacity.ladder.0'],
    [at({ capacity: { ladder: [0.5], alpha: 1e6 } }), 'capacity.ladder.0'],
    [at({ capacity: { ladder: [1, 1e-200], sigma0: 1e5, alpha: 1 } }), 'capacity.ladder.1'],
    [at({ capacity: { ladder: [1e-200], sigma0: 1e200 } }), 'capacity.sigma0'],
    [at({ generation: { strength: 1e-308 } }), 'generation.strength'],
    [at({ generation: { strength: 1e308 } }), 'generation.strength'],
    [at({ eta: [0, 1e308] }), 'eta.1'],
    [at({ simulate: { lambda: 1e308 } }), 'simulate.lambda'],
  ];
  for (const [raw, field] of cases) assert.equal(refusedField(raw), field, JSON.stringify(raw));
});

test('a spec at the edges of every stated range still gives a finite theory in every cell', () => {
  const spec = validateSweepSpec(
    {
      dims: [5, 64],
      capacity: { sigma0: SWEEP_LIMITS.maxSigma0, alpha: 0, ladder: [1] },
      harmful: { p: [0, 1], cosine: -0.999999 },
      generation: { strength: SWEEP_LIMITS.strength.min, cosine: -1 },
      constitutions: ['pro-social', 'neutral', 'adversarial', { mixture: 1 }],
      eta: [0, SWEEP_LIMITS.maxEta],
    },
    'edge.yaml',
  );
  const strong = { ...spec, generation: { strength: SWEEP_LIMITS.strength.max, cosine: 1 }, capacity: { sigma0: 0, alpha: 0, ladder: [1] } };
  for (const s of [spec, strong]) {
    for (const cell of expandGrid(s)) {
      const report = analyze(cellGeometry(s, cell));
      assert.ok(Number.isFinite(report.slope) && report.path.every((p) => Number.isFinite(p.alignment)), cell.key);
    }
  }
});

test('a grid over the cell limit is refused before it is expanded, naming the limit', () => {
  const seeds = Array.from({ length: 100_000 }, (_, i) => i);
  const ladder = Array.from({ length: 100 }, (_, i) => i + 1);
  const started = performance.now();
  // Before: expandGrid ran out of heap on these 1e7 cells.
  assert.equal(refusedField({ dims: [8], seeds, capacity: { ladder } }), '(grid)');
  assert.throws(() => validateSweepSpec({ dims: [8], seeds, capacity: { ladder } }, 'big.yaml'), /at most 100,000 cells .* got 10,000,000/);
  assert.ok(performance.now() - started < 30_000); // a guard against expanding 1e7 cells, loose so that load never fails it
  // A spec built in code (not validated) is stopped by expandGrid itself, before any cell exists.
  const unchecked = { ...validateSweepSpec({ dims: [8], capacity: { ladder: [1] } }, 'x'), seeds, capacity: { sigma0: 1, alpha: 0.5, ladder } };
  assert.throws(() => expandGrid(unchecked), (e: unknown) => e instanceof InputError && e.field === '(grid)');
  // Exactly at the limit is fine (repeats count once).
  const atLimit = validateSweepSpec({ dims: [8], seeds: seeds.slice(0, 1000), capacity: { ladder: [...ladder, 1] } }, 'ok.yaml');
  assert.equal(atLimit.seeds.length * new Set(atLimit.capacity.ladder).size, SWEEP_LIMITS.maxCells);
});

test('spec files: duplicate JSON keys, YAML warnings, devices and FIFOs are one-line InputErrors', () => {
  const { dir, cleanup } = tempDir();
  try {
    const write = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const refused = (path: string, field: string, message: RegExp) =>
      assert.throws(() => loadSweepSpec(path), (e: unknown) => e instanceof InputError && e.field === field && message.test(e.expected) && !e.message.includes('\n'));
    // Before: the JSON spec ran with dims [9] (last key wins).
    refused(write('dup.json', '{"dims":[8],"dims":[9],"capacity":{"ladder":[1]}}'), 'dims', /"dims" twice/);
    // Before: the YAML warning block went to stderr next to the one-line error.
    refused(write('alias.yaml', 'dims: [8]\ncapacity: {ladder: [1]}\nconstitutions: [pro-social, {*mixture: 0.5}]\n'), '(file)', /at line 3, column \d+$/);
    refused(write('tag.yaml', 'dims: !foo [8]\ncapacity: {ladder: [1]}\n'), '(file)', /Unresolved tag/);
    refused('/dev/zero', '(file)', /got a device/);
    const fifo = join(dir, 'spec.yaml');
    execFileSync('mkfifo', [fifo]);
    refused(fifo, '(file)', /got a FIFO/);
  } finally {
    cleanup();
  }
});
