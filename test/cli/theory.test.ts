import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lvh-theory-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const good = {
  dim: 3,
  trueValue: [1, 0, 0],
  generation: [0.2, 1, 0],
  encoded: [{ name: 'honesty', vector: [0.9, 0, 0.3] }],
  constitution: { name: 'be honest', basis: ['honesty'], readout: [1, 0, 0] },
};

/** Writes `text` to a file in the temp folder and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function variant(patch: (g: Record<string, unknown> & typeof good) => void): string {
  const g = structuredClone(good) as Record<string, unknown> & typeof good;
  patch(g);
  return JSON.stringify(g);
}

test('lvh theory --json prints one object with every required key, the same bytes twice', async () => {
  const a = await runCli(['theory', 'examples/geometries/overshoot.json', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stderr, '');
  const report = JSON.parse(a.stdout);
  for (const key of ['rho', 'gap', 'improves', 'slope', 'ceiling', 'floor', 'peak', 'trough', 'path']) assert.ok(key in report, key);
  for (const key of ['generation', 'judge']) {
    assert.equal(typeof report.alignment[key], 'number');
    assert.equal(typeof report.agreement[key], 'number');
  }
  assert.deepEqual(Object.keys(report.peak), ['eta', 'alignment']);
  assert.deepEqual(report.path.map((p: { eta: number }) => p.eta), [0, 0.5, 1, 1.376, 2, 5, 10, 100]);
  assert.deepEqual(Object.keys(report.path[0]), ['eta', 'alignment', 'expectedValue', 'agreement']);
  const b = await runCli(['theory', 'examples/geometries/overshoot.json', '--json']);
  assert.equal(a.stdout, b.stdout);
});

test('lvh theory human report explains the numbers, the overshoot, the dip and the ceiling', async () => {
  const over = await runCli(['theory', 'examples/geometries/overshoot.json']);
  assert.equal(over.code, 0);
  assert.match(over.stdout, /Representation quality {2}rho = 0\.9578/);
  assert.match(over.stdout, /RLAIF helps/);
  assert.match(over.stdout, /stop early at eta ≈ 1\.376/);
  assert.match(over.stdout, /Ceiling 0\.9578/);
  const dip = await runCli(['theory', 'examples/geometries/dip.yaml']);
  assert.match(dip.stdout, /Dip: alignment first falls/);
  const adv = await runCli(['theory', 'examples/geometries/adversarial.yaml']);
  assert.match(adv.stdout, /RLAIF hurts/);
  assert.match(adv.stdout, /Anti-social encoded directions.*manipulation -0\.8000/);
});

test('lvh theory audits a list of candidate constitutions: each a_c, and the worst of them', async () => {
  const r = await runCli(['theory', 'examples/geometries/adversarial.yaml', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const all = report.candidates.all as { name: string; alignment: number; improves: boolean }[];
  assert.deepEqual(all.map((c) => c.name), ['be caring', 'win the argument at any cost', 'balance care and persuasion']);
  assert.equal(report.candidates.worst.name, 'win the argument at any cost');
  assert.ok(Math.abs(report.candidates.worst.alignment + 0.8) < 1e-12);
  assert.equal(report.candidates.worst.alignment, Math.min(...all.map((c) => c.alignment)));
  assert.ok(report.candidates.worst.alignment >= report.worstConstitution.alignment);
  assert.deepEqual(all.map((c) => c.improves), [true, false, true]);
  const text = await runCli(['theory', 'examples/geometries/adversarial.yaml']);
  assert.match(text.stdout, /Worst of them: "win the argument at any cost" \(a_c -0\.8000\)/);
});

test('lvh theory warns when the constitution basis leaves S', async () => {
  const path = file('outside.json', variant((g) => {
    g.constitution.basis = [[0, 0, 1] as unknown as string];
    g.encoded = [];
    g.constitution.readout = [0, 0.5, 1];
  }));
  const r = await runCli(['theory', path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /WARNING: .*ceiling .* does not apply/);
});

const badCases: { name: string; text: string; message: RegExp; ext?: string }[] = [
  { name: 'wrong vector length', text: variant((g) => { g.generation = [1, 0]; }), message: /generation: expected a vector of length dim = 3, got length 2/ },
  { name: 'zero vector', text: variant((g) => { g.trueValue = [0, 0, 0]; }), message: /trueValue: expected a non-zero vector/ },
  { name: 'zero generation', text: variant((g) => { g.generation = [0, 0, 0]; }), message: /generation: expected a non-zero vector/ },
  { name: 'zero encoded vector', text: variant((g) => { g.encoded[0].vector = [0, 0, 0]; }), message: /encoded\[0\]\.vector: expected a non-zero vector/ },
  { name: 'NaN as a string', text: variant((g) => { (g.trueValue as unknown[])[1] = 'NaN'; }), message: /trueValue\[1\]: expected a finite number/ },
  { name: 'Infinity as a string', text: variant((g) => { (g.generation as unknown[])[0] = 'Infinity'; }), message: /generation\[0\]: expected a finite number/ },
  { name: 'JSON with a bare NaN', text: JSON.stringify(good).replace('[1,0,0]', '[NaN,0,0]'), message: /\(file\): expected valid JSON/ },
  { name: 'YAML .nan', ext: '.yaml', text: 'dim: 3\ntrueValue: [.nan, 0, 0]\ngeneration: [1, 0, 0]\nconstitution: {name: c, basis: [[1, 0, 0]], readout: [1, 0, 0]}\n', message: /trueValue\[0\]: expected a finite number/ },
  { name: 'YAML .inf', ext: '.yaml', text: 'dim: 3\ntrueValue: [1, 0, 0]\ngeneration: [1, .inf, 0]\nconstitution: {name: c, basis: [[1, 0, 0]], readout: [1, 0, 0]}\n', message: /generation\[1\]: expected a finite number/ },
  { name: 'covariance not symmetric', text: variant((g) => { Object.assign(g, { covariance: [[1, 0.5, 0], [0, 1, 0], [0, 0, 1]] }); }), message: /covariance: expected a symmetric positive-definite matrix; it is not symmetric/ },
  { name: 'covariance not positive-definite', text: variant((g) => { Object.assign(g, { covariance: [[1, 2, 0], [2, 1, 0], [0, 0, 1]] }); }), message: /covariance: expected a symmetric positive-definite matrix; it is not positive-definite/ },
  { name: 'covariance wrong shape', text: variant((g) => { Object.assign(g, { covariance: [[1, 0, 0], [0, 1], [0, 0, 1]] }); }), message: /covariance\[1\]: expected a row of length dim = 3/ },
  { name: 'readout outside the constitution subspace', text: variant((g) => { g.constitution.readout = [0, 1, 0]; }), message: /constitution\.readout: expected a readout with a non-zero component in span\(constitution\.basis\)/ },
  { name: 'unknown direction name', text: variant((g) => { g.constitution.basis = ['honesty', 'kindness']; }), message: /constitution\.basis\[1\]: unknown direction name "kindness"/ },
  { name: 'candidate readout outside its subspace', text: variant((g) => { Object.assign(g, { candidates: [{ name: 'ok', basis: [[1, 0, 0]], readout: [1, 0, 0] }, { name: 'bad', basis: [[1, 0, 0]], readout: [0, 1, 0] }] }); }), message: /candidates\[1\]\.readout: expected a readout with a non-zero component in span\(candidates\[1\]\.basis\)/ },
  { name: 'candidate with an unknown name', text: variant((g) => { Object.assign(g, { candidates: [{ name: 'c', basis: ['kindness'], readout: [1, 0, 0] }] }); }), message: /candidates\[0\]\.basis\[0\]: unknown direction name "kindness"/ },
  { name: 'malformed JSON', text: '{"dim": 3, "trueValue": [1, 0, 0', message: /\(file\): expected valid JSON/ },
  { name: 'malformed YAML', ext: '.yaml', text: 'dim: 3\ntrueValue: [1, 0, 0\ngeneration: [1, 0, 0]\n', message: /\(file\): expected well-formed YAML/ },
  { name: 'missing field', text: variant((g) => { delete (g as Partial<typeof good>).generation; }), message: /generation: expected an array of finite numbers/ },
  { name: 'negative eta', text: variant((g) => { Object.assign(g, { eta: [0, -1] }); }), message: /eta\[1\]: expected a finite number >= 0/ },
  { name: 'bad dim', text: variant((g) => { Object.assign(g, { dim: 2.5 }); }), message: /dim: expected a positive integer/ },
  // Hardening (#8): values whose report would overflow, unknown and repeated keys, YAML warnings.
  { name: '1e308 in trueValue', text: variant((g) => { g.trueValue = [1e308, 1, 0]; }), message: /trueValue\[0\]: expected a finite number of magnitude at most 1e50/ },
  { name: '1e308 in generation', text: variant((g) => { g.generation = [1e308, 1, 0]; }), message: /generation\[0\]: expected a finite number of magnitude at most 1e50/ },
  { name: 'generation of norm 1e-160', text: variant((g) => { g.generation = [1e-160, 0, 0]; }), message: /generation: expected a vector with norm between 1e-50 and 1e50 .*got norm 1e-160/ },
  { name: 'covariance 1e300', text: variant((g) => { Object.assign(g, { covariance: [[1e300, 0, 0], [0, 1e300, 0], [0, 0, 1e300]] }); }), message: /covariance\[0\]\[0\]: expected a finite number of magnitude at most 1e50/ },
  { name: 'eta 1e308', text: variant((g) => { Object.assign(g, { eta: [0, 1e308] }); }), message: /eta\[1\]: expected a finite number of magnitude at most 1e50/ },
  { name: 'misspelt covariance', text: variant((g) => { Object.assign(g, { covarience: [[-1, 0, 0], [0, -1, 0], [0, 0, -1]] }); }), message: /covarience: unknown field/ },
  { name: 'misspelt eta', text: variant((g) => { Object.assign(g, { etas: [5] }); }), message: /etas: unknown field/ },
  { name: 'unknown constitution key', text: variant((g) => { Object.assign(g.constitution, { readouts: [1, 0, 0] }); }), message: /constitution\.readouts: unknown field/ },
  { name: 'unknown encoded key', text: variant((g) => { Object.assign(g.encoded[0], { vectors: [1, 0, 0] }); }), message: /encoded\[0\]\.vectors: unknown field/ },
  { name: 'JSON duplicate key', text: JSON.stringify(good).replace('"dim":3', '"dim":3,"eta":[5],"eta":[1]'), message: /eta: expected each key once in an object, got "eta" twice/ },
  { name: 'YAML unresolved tag', ext: '.yaml', text: 'dim: !foo 3\n', message: /\(file\): expected well-formed YAML: Unresolved tag: !foo .*at line 1, column 6\n$/ },
  { name: 'YAML error not cut off', ext: '.yaml', text: '# title\n\nsome prose that is not YAML: at all\nmore prose\n', message: /\(file\): expected well-formed YAML: .+ at line \d+, column \d+\n$/ },
];

for (const [i, c] of badCases.entries()) {
  test(`bad input exits 2 with a one-line message: ${c.name}`, async () => {
    const path = file(`bad-${i}${c.ext ?? '.json'}`, c.text);
    const r = await runCli(['theory', path, '--json']);
    assert.equal(r.code, 2, `${c.name}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.startsWith(`lvh theory: ${path}: `), r.stderr);
    assert.match(r.stderr, c.message);
  });
}

test('missing file and missing argument exit 2', async () => {
  const missing = await runCli(['theory', join(dir, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /expected a geometry file \(\.json or \.yaml\), readable \(ENOENT\)/);
  const none = await runCli(['theory']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /GEOMETRY: expected exactly one geometry file/);
});

test('a device or a FIFO as GEOMETRY is refused at once (exit 2, one line), never read', async () => {
  const zero = await runCli(['theory', '/dev/zero']);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /^lvh theory: \/dev\/zero: \(file\): expected a geometry file .* as a regular file, got a device\n$/);
  const fifo = join(dir, 'pipe.json');
  execFileSync('mkfifo', [fifo]);
  const r = await runCli(['theory', fifo]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /got a FIFO\n$/);
});

test('the documented null: A(eta) where theta(eta) = 0 stays null, every other number is finite', async () => {
  const path = file('theta-zero.json', JSON.stringify({ dim: 2, trueValue: [1, 0], generation: [-1, 0], eta: [0, 1, 2], constitution: { name: 'c', basis: [[1, 0]], readout: [1, 0] } }));
  const r = await runCli(['theory', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual([report.path[1].alignment, report.path[1].agreement], [null, null]);
  assert.equal(report.path[1].expectedValue, 0);
  assert.deepEqual([report.path[0].alignment, report.path[2].alignment], [-1, 1]);
  assert.equal(typeof report.slope, 'number');
});

test('end to end: a real lvh process exits 2 on bad input and 0 on a good file', () => {
  const bad = spawnCli(['theory', file('e2e-bad.json', variant((g) => { g.trueValue = [0, 0, 0]; }))]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /trueValue: expected a non-zero vector/);
  const ok = spawnCli(['theory', 'examples/geometries/gap.json', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).improves, true);
});
