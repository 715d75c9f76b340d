import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { expandGrid, loadSweepSpec, validateSweepSpec } from '../../src/simulate/sweep/index.js';
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
    assert.throws(() => loadSweepSpec(join(dir, 'broken.yaml')), (e: unknown) => e instanceof InputError && e.field === '(syntax)');
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
