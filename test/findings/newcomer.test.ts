// The findings of ../shared/findings/newcomer-b711be8.md (issue 8) that a test can check, as a new user met them.
// Findings already specified elsewhere are named in the comments: the demo report (7-9, 24, 25:
// test/cli/demo.test.ts), the sweep report (10-13: test/sweep/report.test.ts), organism eval and train (14-19:
// test/organism/cli.test.ts, test/organism/rates.test.ts), the <unk> warning (21: test/cli/inspect-generate.test.ts),
// --version, "did you mean", bench --help and its text, rounded seconds (3, 4, 20, 25: test/cli/flags.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/linalg/index.js';
import { createNormalSource, fitReward, judgePairs, responseModel, samplePairs } from '../../src/simulate/index.js';
import { assertRefused, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'lvh-newcomer-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

/** The fit of the Newton-CG property test of test/simulate/reward-fit.test.ts for one (seed, d, soft) case. */
function propertyFit(seed: number, d: number, soft: boolean) {
  const n = 400;
  const pairs = samplePairs(responseModel(d), n, createNormalSource(createRng(seed)));
  const vc = createRng(seed + 1).normals(d);
  const { labels } = judgePairs(pairs, vc, { lambda: 1, positionBias: soft ? 0.5 : 0, debias: soft }, createRng(seed + 2));
  return fitReward(pairs.diff, n, d, labels, { l2: 0.1, gradTol: 1e-12 });
}

test('finding 1: the flaky counterexample [1, 12, true] converges, and so does every case of 400 seeds × d 1-12 × soft/hard', () => {
  const counterexample = propertyFit(1, 12, true);
  assert.ok(counterexample.converged, `gradNorm ${counterexample.gradNorm} after ${counterexample.iterations} iterations`);
  assert.ok(counterexample.iterations < 50, 'well before the iteration cap');
  const failed: string[] = [];
  for (let seed = 1; seed <= 400; seed++) {
    const d = 1 + (seed % 12);
    for (const soft of [true, false]) if (!propertyFit(seed, d, soft).converged) failed.push(`[${seed},${d},${soft}]`);
  }
  assert.deepEqual(failed, []);
});

test('finding 2: the README\'s sweep example writes elsewhere than the demo, and a sweep into the demo\'s folder is refused', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const examples = [...readme.matchAll(/lvh sweep \S+ --out (\S+)/g)].map((m) => m[1]!);
  assert.ok(examples.length > 0);
  for (const out of examples) assert.ok(!/^runs\/demo\/?$/.test(out), `README example --out ${out}`);
  const demo = join(root, 'demo');
  mkdirSync(demo);
  writeFileSync(join(demo, 'demo.json'), '{}');
  writeFileSync(join(demo, 'report.html'), '<html>demo</html>');
  assertRefused(await runCli(['sweep', 'examples/sweeps/demo.yaml', '--out', demo, '--workers', '0']), /^lvh sweep: --out: /, 'sweep into a demo folder');
  assert.equal(readFileSync(join(demo, 'report.html'), 'utf8'), '<html>demo</html>', 'the demo report is untouched');
});

test('finding 5: no two files of the project differ only in case (docs/THEORY.md and docs/theory.md)', () => {
  const skip = new Set(['node_modules', '.git', 'dist', 'scratch', 'runs']);
  const clashes: string[] = [];
  const walk = (dir: string): void => {
    const seen = new Map<string, string>();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const lower = entry.name.toLowerCase();
      if (seen.has(lower)) clashes.push(`${join(dir, seen.get(lower)!)} / ${join(dir, entry.name)}`);
      seen.set(lower, entry.name);
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk('.');
  assert.deepEqual(clashes, []);
});

test('finding 20: CLI details: the YAML error of a prose file is whole; --pairs-grid refuses --optimizer', async () => {
  const prose = await runCli(['theory', 'README.md']);
  assertRefused(prose, /README\.md: \(file\): expected well-formed YAML: .* at line \d+, column \d+$/m, 'theory README.md');
  assert.doesNotMatch(prose.stderr, /:\s*$/, 'the message does not stop at a colon');
  assertRefused(
    await runCli(['simulate', 'examples/geometries/gap.json', '--pairs-grid', '100,1000', '--optimizer', 'tilt']),
    /--optimizer: expected no --optimizer with --pairs-grid/,
    '--pairs-grid --optimizer',
  );
  const jsn = await runCli(['theory', 'examples/geometries/gap.json', '--jsn']);
  assertRefused(jsn, /unknown flag --jsn \(did you mean --json\?\)/, '--jsn');
  assert.equal((jsn.stderr.match(/['"]/g) ?? []).length % 2, 0, 'balanced quotes');
});

test('findings 22-23: the install-script variables of .ci/run are needed and said so; the README names the install scripts', () => {
  const ci = readFileSync('.ci/run', 'utf8');
  const lock = readFileSync('package-lock.json', 'utf8');
  if (/ONNXRUNTIME_NODE_INSTALL/.test(ci)) {
    assert.match(lock, /"node_modules\/onnxruntime-node"/, '.ci/run sets onnxruntime variables only when onnxruntime-node is installed');
    assert.match(ci, /^#.*onnxruntime/im, '.ci/run says why');
  }
  const readme = readFileSync('README.md', 'utf8');
  assert.match(readme, /esbuild's postinstall/);
  assert.match(readme, /ONNXRUNTIME_NODE_INSTALL=skip/);
});
