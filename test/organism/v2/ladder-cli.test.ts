import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../../../src/nn/engine.js';
import { run } from '../../../src/cli/organism-ladder.js';
import { HELDOUT_KEY, LADDER_KEYS } from '../../../src/organism/v2/ladder.js';
import { v2Config } from '../../../src/organism/v2/train.js';
import { buildTokenizerJson } from '../../../src/organism/v2/world/index.js';
import { runCli } from '../../helpers/cli.js';

const TINY_EVAL = { otherLayouts: 1, sweepPairs: 1, generationRequests: 1, maxResponseTokens: 6 };

/** Saves a random-weight v2 model of the given dims in `dir` with `organism` as its organism.json. */
function saveTiny(dir: string, dims: { nEmbd: number; nLayer: number; nHead: number }, seed: number, organism: unknown): number {
  const config = v2Config(dims);
  const model = nn.engineModel(config, nn.initWeights(config, seed));
  nn.saveEngineModelDir(model, dir, { tokenizerJson: buildTokenizerJson(), extraFiles: { 'organism.json': `${JSON.stringify(organism)}\n` }, metadata: {} });
  return nn.engineParamCount(config);
}

/** Runs `f` capturing console.log (stdout) and console.error (stderr) lines. */
async function captured<T>(f: () => Promise<T>): Promise<{ value: T; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { value: await f(), out: out.join('\n'), err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

interface LadderJson {
  sizes: { size: string; params: number; n: number; seeds: number[]; summary: Record<string, { mean: number | null; n: number }> }[];
  checks: { name: string; holds: boolean }[];
  models: { name: string; size: string; seed: number; params: number; source: string; headline: Record<string, number | null> }[];
  evalOptions: { pairsPerCell: number } | null;
}

test('lvh organism ladder: two random-weight sizes evaluated, ladder.json/svg/report.html written; the checks fail as random weights must; --reuse reads eval.json', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lvh-ladder-'));
  try {
    const models = join(root, 'models');
    // xs names its size and seed in organism.json; the other size only in its folder name.
    const pXs = saveTiny(join(models, 'xs-s1'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v2', size: 'xs', knobs: { seed: 1 } });
    const pS = saveTiny(join(models, 's-s2'), { nEmbd: 16, nLayer: 2, nHead: 2 }, 2, { world: 'v2' });
    mkdirSync(join(models, 'not-a-model')); // no organism.json: skipped by the scan
    const out = join(root, 'run');
    const r = await captured(() => run(['--models', models, '--out', out, '--pairs', '1'], { v2Options: TINY_EVAL }));
    assert.equal(r.value, 0);
    for (const f of ['ladder.json', 'ladder.svg', 'report.html', 'eval/xs-s1.json', 'eval/s-s2.json']) assert.ok(existsSync(join(out, f)), f);
    // A progress line per model on stderr (started, then done), smallest first.
    assert.equal(r.err.filter((l) => /\[1\/2\] xs-s1 .*evaluating/.test(l)).length, 1, r.err.join('\n'));
    assert.equal(r.err.filter((l) => /\[2\/2\] s-s2 .*held-out \d\.\d{3}, rho /.test(l)).length, 1, r.err.join('\n'));

    const l = JSON.parse(readFileSync(join(out, 'ladder.json'), 'utf8')) as LadderJson;
    assert.deepEqual(l.sizes.map((s) => [s.size, s.params, s.n, s.seeds]), [['xs', pXs, 1, [1]], ['s', pS, 1, [2]]], 'ordered by parameters');
    for (const s of l.sizes) {
      assert.deepEqual(Object.keys(s.summary), [...LADDER_KEYS]);
      assert.equal(s.summary[HELDOUT_KEY].n, 1);
      assert.ok(typeof s.summary[HELDOUT_KEY].mean === 'number');
    }
    assert.equal(l.evalOptions?.pairsPerCell, 1);
    assert.deepEqual(l.models.map((m) => [m.name, m.source]), [['xs-s1', 'evaluated'], ['s-s2', 'evaluated']], 'smallest first');
    const check = (needle: string) => l.checks.find((c) => c.name.includes(needle))!.holds;
    assert.equal(check('ladder shape'), false, 'two sizes of one seed');
    assert.equal(check('smallest'), true, 'random weights: held-out agreement near chance');
    assert.equal(check('largest'), false, 'random weights cannot reach 0.9');
    assert.ok(l.sizes[0].summary[HELDOUT_KEY].mean! < 0.7);

    const svg = readFileSync(join(out, 'ladder.svg'), 'utf8');
    assert.match(svg, /<svg/);
    assert.match(svg, /parameters \(log scale\)/);
    assert.match(svg, /chance 0\.5/);
    assert.match(svg, /position baseline/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.ok(html.includes('<svg') && html.includes('FAIL') && html.includes('PASS') && html.includes('Size xs'));
    assert.match(r.out, /checks:/);
    assert.match(r.out, /largest size's held-out agreement ≥ 0\.9 .* FAIL/);
    assert.match(r.out, /\d of 5 checks hold/);

    // --reuse: each model's eval.json, the same headline; a manifest limits the ladder to the dirs it lists.
    for (const m of ['xs-s1', 's-s2']) copyFileSync(join(out, 'eval', `${m}.json`), join(models, m, 'eval.json'));
    const j = await captured(() => run(['--models', models, '--out', join(root, 'reused'), '--reuse', '--json']));
    assert.equal(j.value, 0);
    const lj = JSON.parse(j.out) as LadderJson;
    assert.deepEqual(lj.models.map((m) => m.source), ['eval.json', 'eval.json']);
    assert.deepEqual(lj.models.map((m) => m.headline), l.models.map((m) => m.headline));
    assert.equal(lj.evalOptions, null);
    writeFileSync(join(models, 'ladder.json'), JSON.stringify({ models: ['xs-s1'] }));
    const one = await captured(() => run(['--models', models, '--out', join(root, 'one'), '--reuse', '--json']));
    assert.deepEqual((JSON.parse(one.out) as LadderJson).models.map((m) => m.name), ['xs-s1']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('lvh organism ladder: bad flags, no models, a bad organism.json or a missing eval.json exit 2 in one line', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lvh-ladder-bad-'));
  try {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const v1 = join(root, 'v1');
    saveTiny(join(v1, 'xs-s1'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v1' });
    const noEval = join(root, 'noeval');
    saveTiny(join(noEval, 'xs-s1'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v2' });
    const unnamed = join(root, 'unnamed');
    saveTiny(join(unnamed, 'model'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v2' });
    const twice = join(root, 'twice');
    saveTiny(join(twice, 'a'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v2', size: 'xs', knobs: { seed: 1 } });
    saveTiny(join(twice, 'b'), { nEmbd: 16, nLayer: 1, nHead: 2 }, 1, { world: 'v2', size: 'xs', knobs: { seed: 1 } });
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    const out = join(root, 'out');
    const cases: [string[], RegExp][] = [
      [['--bogus'], /arguments/],
      [['--pairs', '0'], /--pairs/],
      [['--threads', 'x'], /--threads/],
      [['--models', empty, '--out', out], new RegExp(`--models: expected model directories with organism.json .* in ${empty.replace(/[/\\.]/g, '\\$&')}, found none`)],
      [['--models', join(root, 'missing'), '--out', out], /--models: expected a folder of model directories, got nothing/],
      [['--models', v1, '--out', out], /organism\.json: world: expected "v2"/],
      [['--models', unnamed, '--out', out], /organism\.json: size: expected a size name/],
      [['--models', twice, '--out', out, '--reuse'], /seed: expected one model per size and seed/],
      [['--models', noEval, '--out', out, '--reuse'], /eval\.json: file: expected the eval\.json/],
      [['--models', noEval, '--out', out, '--reuse', '--pairs', '2'], /--pairs: expected no --pairs with --reuse/],
      [['--models', noEval, '--out', join(file, 'run')], /--out: expected a path under a folder/],
    ];
    for (const [argv, expected] of cases) {
      const r = await runCli(['organism', 'ladder', ...argv]);
      assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code} ${r.stderr}`);
      assert.match(r.stderr, expected, argv.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.ok(!existsSync(out), 'nothing written on a refusal');
    const help = await runCli(['organism', 'ladder', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: lvh organism ladder .*--reuse/);
    assert.match((await runCli(['organism', '--help'])).stdout, /ladder {3}evaluate the v2 capacity ladder/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
