import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATE_LIMITS } from '../../src/simulate/index.js';
import { runCli } from '../helpers/cli.js';

const overshoot = fileURLToPath(new URL('../../examples/geometries/overshoot.json', import.meta.url));
const fast = ['--pairs', '2000', '--samples', '400', '--rounds', '200', '--pg-steps', '40', '--bootstrap', '40', '--best-of-n', '1,4'];

test('lvh simulate --json prints the documented keys, the same bytes for the same seed', async () => {
  const a = await runCli(['simulate', overshoot, ...fast, '--seed', '3', '--json']);
  assert.equal(a.code, 0, a.stderr);
  const r = JSON.parse(a.stdout);
  for (const key of ['judgeAgreement', 'rewardAlignment']) {
    assert.equal(typeof r.measured[key], 'number');
    assert.equal(typeof r.predicted[key], 'number');
  }
  assert.ok(r.path.length > 0);
  for (const p of r.path) {
    assert.equal(typeof p.eta, 'number');
    assert.equal(typeof p.measured.alignment, 'number');
    assert.equal(typeof p.predicted.expectedValue, 'number');
  }
  const b = await runCli(['simulate', overshoot, ...fast, '--seed', '3', '--json']);
  assert.equal(b.stdout, a.stdout);
});

test('lvh simulate prints a table with OK/OUTSIDE flags; --pairs-grid prints the rate', async () => {
  const r = await runCli(['simulate', overshoot, ...fast, '--optimizer', 'tilt']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /judgeAgreement\s+\S+ \[\S+, \S+\]\s+\S+\s+(OK|OUTSIDE)/);
  assert.match(r.stdout, /tilt\[eta=1\.376\]\.alignment/);
  const grid = await runCli(['simulate', overshoot, '--pairs-grid', '200,2000', '--seeds', '3']);
  assert.equal(grid.code, 0, grid.stderr);
  assert.match(grid.stdout, /rate: 1 − cos\(ŵ, v_c\) ≈ \S+ · N\^-?\d/);
});

test('bad input exits 2 with a message naming the field', async () => {
  const cases: [string[], string][] = [
    [['simulate', overshoot, '--pairs', 'many'], '--pairs'],
    [['simulate', overshoot, '--pairs', '5'], '--pairs'],
    [['simulate', overshoot, '--lambda', '-1'], '--lambda'],
    [['simulate', overshoot, '--optimizer', 'adam'], '--optimizer'],
    [['simulate', overshoot, '--value-function', 'quadratic:x'], '--value-function'],
    [['simulate', overshoot, '--eta', '1,-2'], '--eta'],
    [['simulate', overshoot, '--level', '2'], '--level'],
    [['simulate', overshoot, '--pairs-grid', '100,abc'], '--pairs-grid'],
    [['simulate', overshoot, '--frobnicate'], 'arguments'],
    [['simulate'], 'GEOMETRY'],
    [['simulate', '/nonexistent/geometry.json'], '/nonexistent/geometry.json'],
    // Hardening (#8): the flags the reliability review found unbounded or silently ignored.
    [['simulate', overshoot, '--best-of-n', '1,1e9'], '--best-of-n'],
    [['simulate', overshoot, '--l2', '1e308'], '--l2'],
    [['simulate', overshoot, '--lambda', '1e308'], '--lambda'],
    [['simulate', overshoot, '--position-bias', '1e308'], '--position-bias'],
    [['simulate', overshoot, '--eta', '0,1e308'], '--eta'],
    [['simulate', overshoot, '--pairs-grid', '100,1000', '--optimizer', 'tilt'], '--optimizer'],
    [['simulate', overshoot, '--pairs-grid', '100,1000', '--samples', '50'], '--samples'],
    [['simulate', overshoot, '--seeds', '3'], '--seeds'],
    [['bench', 'reward-fit', '--dim', '0'], '--dim'],
    [['bench', 'reward-fit', '--lam', 'x'], '--lam'],
  ];
  for (const [args, field] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.ok(r.stderr.includes(field), `${args.join(' ')}: "${r.stderr.trim()}" should name ${field}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('lvh bench reward-fit prints the reference keys', async () => {
  const r = await runCli(['bench', 'reward-fit', '--dim', '8', '--pairs', '3000', '--seed', '2']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['dim', 'pairs', 'iterations', 'cosRewardJudge', 'cosRewardTrue', 'predictedTrue', 'seconds']);
  assert.equal(out.dim, 8);
  assert.ok(out.cosRewardJudge > 0.97);
});

test('the flag bounds are the simulator\'s: --best-of-n names its maximum, and the largest values still run', async () => {
  const r = await runCli(['simulate', overshoot, '--best-of-n', String(SIMULATE_LIMITS.bestOfN.max + 1)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`--best-of-n: expected an integer >= 1 <= ${SIMULATE_LIMITS.bestOfN.max}`));
  // At the edges of the ranges the run finishes with finite numbers (before: --l2 1e308 threw "sigmaCos: zero vector").
  const tiny = ['--pairs', '300', '--samples', '50', '--bootstrap', '20', '--rounds', '5', '--pg-steps', '3', '--pg-chains', '1', '--json'];
  for (const edge of [['--l2', String(SIMULATE_LIMITS.l2.max)], ['--lambda', String(SIMULATE_LIMITS.lambda.max)], ['--position-bias', String(-SIMULATE_LIMITS.positionBias.maxAbs)]]) {
    const ok = await runCli(['simulate', overshoot, ...tiny, '--optimizer', 'tilt', ...edge]);
    assert.equal(ok.code, 0, `${edge.join(' ')}: ${ok.stderr}`);
    const { options: _options, ...rest } = JSON.parse(ok.stdout);
    assert.equal(JSON.stringify(rest).includes('null'), false, `${edge.join(' ')} printed a null`);
  }
});

test('a geometry the theory takes but the simulator cannot measure is refused in one line, naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-simulate-'));
  try {
    const write = (name: string, extra: Record<string, unknown>): string => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify({ dim: 2, trueValue: [1, 1], generation: [1, 0], constitution: { name: 'c', basis: [[0, 1]], readout: [0, 1] }, ...extra }));
      return path;
    };
    // Before: Σ = 1e-40 I left the fitted reward at 0 ("sigmaCos: zero vector", exit 1); a geometry's η of 1e50
    // reached the policy gradient and printed nulls.
    const cases: [string, string][] = [
      [write('tiny.json', { covariance: [[1e-40, 0], [0, 1e-40]] }), 'covariance'],
      [write('far.json', { eta: [0, 1e50] }), 'eta[1]'],
    ];
    for (const [path, field] of cases) {
      const r = await runCli(['simulate', path, '--pairs', '300']);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`lvh simulate: ${path}: ${field}: `), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
