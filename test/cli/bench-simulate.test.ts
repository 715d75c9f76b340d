// `lvh bench simulate`: its help gives every default; bad flags are refused in one line (exit 2) before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

test('bench simulate --help names the reference, the pairs, the dimensions and the big run with their defaults', async () => {
  const r = await runCli(['bench', 'simulate', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /numpy_simulate_ref\.py/);
  assert.match(r.stdout, /--pairs K\s+alternating pairs per dimension \(default 5\)/);
  assert.match(r.stdout, /--dims LIST\s+dimensions of the paired runs \(default 256,512\)/);
  assert.match(r.stdout, /--big D\s+the dimension run once \(default 1024\)/);
  const list = await runCli(['bench', '--help']);
  assert.match(list.stdout, /^ {2}simulate\s+lvh simulate vs the numpy reference/m);
});

test('bench simulate refuses bad flags, a positional and a missing reference folder', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--pairs', '0'], /--pairs: expected an integer >= 1 <= 100, got "0"$/m],
    [['--dims', '256,x'], /--dims: /],
    [['--big', '1e9'], /--big: expected an integer/],
    [['x'], /unexpected argument "x"/],
    [['--reference', '/nonexistent/bench'], /--reference: expected a folder holding make_geometry\.py/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(['bench', 'simulate', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
