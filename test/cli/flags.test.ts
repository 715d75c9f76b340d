// The CLI's shared flag layer as users meet it: every mistake exits 2 with one line on stderr and nothing on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { defaultRewardFitWorkload } from '../../src/simulate/workload.js';

const geometry = 'examples/geometries/gap.json';

function assertRefused(r: CliResult, pattern: RegExp, label: string): void {
  assert.equal(r.code, 2, `${label}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', label);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${label}: ${r.stderr}`);
  assert.match(r.stderr, pattern, label);
}

test('lvh --version prints the version of package.json', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `lvh ${version}\n`);
  assert.match((await runCli(['--help'])).stdout, /lvh --version/);
});

test('an unknown command gets a "did you mean"', async () => {
  assertRefused(await runCli(['thoery']), /^lvh: unknown command "thoery" \(did you mean theory\?\); expected one of theory, simulate, /, 'thoery');
  assertRefused(await runCli(['simualte']), /did you mean simulate\?/, 'simualte');
  const far = await runCli(['xyzzy']);
  assertRefused(far, /unknown command "xyzzy"; expected one of/, 'xyzzy');
  assertRefused(await runCli(['constructor']), /unknown command "constructor"/, 'constructor');
  assertRefused(await runCli(['__proto__']), /unknown command "__proto__"/, '__proto__');
});

test('lvh bench --help lists the workloads; a workload typo is refused with a guess', async () => {
  const help = await runCli(['bench', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /usage: lvh bench <workload>/);
  assert.match(help.stdout, /reward-fit/);
  assert.match(help.stdout, /\bnn\b/);
  assert.equal((await runCli(['bench', '-h'])).code, 0);
  const none = await runCli(['bench']);
  assert.equal(none.code, 2);
  assertRefused(await runCli(['bench', 'reward-fti']), /^lvh bench: workload: expected one of reward-fit, (simulate, )?nn, got "reward-fti" \(did you mean reward-fit\?\)$/m, 'reward-fti');
  assertRefused(await runCli(['bench', 'toString']), /got "toString"/, 'toString');
});

test('each bench workload\'s help gives every default, and auto threads as the idle CPU time of the last 200 ms', async () => {
  const fit = await runCli(['bench', 'reward-fit', '--help']);
  assert.equal(fit.code, 0);
  const d = defaultRewardFitWorkload;
  for (const flag of [`--dim ${d.dim}`, `--pairs ${d.pairs}`, `--lam ${d.lam}`, `--l2 ${d.l2}`, `--seed ${d.seed}`, '--threads auto']) assert.ok(fit.stdout.includes(flag), flag);
  assert.match(fit.stdout, /last 200 ms/);
  assert.doesNotMatch(fit.stdout, /load average/);
  const nn = await runCli(['bench', 'nn', '--help']);
  assert.equal(nn.code, 0);
  assert.match(nn.stdout, /Defaults: --steps 8 --batch 8 --threads LVH_THREADS, else 1/);
});

test('bench reward-fit: seconds rounded to the millisecond, --threads only 1, 2 or auto', async () => {
  const r = await runCli(['bench', 'reward-fit', '--dim', '4', '--pairs', '200', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { seconds: number };
  assert.equal(out.seconds, Math.round(out.seconds * 1000) / 1000);
  assertRefused(await runCli(['bench', 'reward-fit', '--threads', '3']), /--threads: expected one of 1, 2, auto, got "3"$/m, 'threads 3');
  assertRefused(await runCli(['bench', 'nn', '--steps', '1e9']), /--steps: expected an integer >= 1 <= 1000/, 'steps 1e9');
});

test('an unknown flag: one balanced line listing the flags, with a guess', async () => {
  const r = await runCli(['theory', geometry, '--jsn']);
  assertRefused(r, /^lvh theory: arguments: unknown flag --jsn \(did you mean --json\?\); expected one of --json, --help$/m, '--jsn');
  assert.equal((r.stderr.match(/'/g) ?? []).length, 0);
});

test('stray positional arguments are refused by every command that takes none or one', async () => {
  const cases: string[][] = [
    ['organism', 'corpus', '--docs', '50', 'extra'],
    ['demo', 'x'],
    ['demo', '--no-organism', 'x'],
    ['inspect', '--model', 'models/organism-v1', '--prompt', 'hello', 'x'],
    ['generate', '--model', 'models/organism-v1', '--prompt', 'hello', 'x'],
    ['organism', 'eval', '--model', 'models/organism-v1', 'x'],
    ['organism', 'train', '--out', 'scratch/never', 'x'],
    ['bench', 'nn', 'x'],
    ['bench', 'reward-fit', 'x'],
    ['theory', geometry, 'x'],
    ['simulate', geometry, 'x'],
    ['sweep', 'examples/sweeps/demo.yaml', 'x', '--out', 'scratch/never'],
  ];
  for (const args of cases) {
    const extra = args.includes('extra') ? 'extra' : 'x';
    assertRefused(await runCli(args), new RegExp(`: arguments: unexpected argument "${extra}"; `), args.join(' '));
  }
});

test('a value flag given twice is refused; so is a flag where a value goes', async () => {
  assertRefused(await runCli(['simulate', geometry, '--seed', '1', '--seed', '2']), /^lvh simulate: --seed: given twice \("1", then "2"\); give it once$/m, 'seed twice');
  assertRefused(await runCli(['organism', 'corpus', '--docs', '50', '--docs=60']), /--docs: given twice/, 'docs twice');
  assertRefused(await runCli(['simulate', geometry, '--pairs', '--json']), /--pairs: expected a value, got the flag "--json"/, 'flag as value');
  assertRefused(await runCli(['simulate', geometry, '--json=1']), /--json: takes no value/, 'switch with value');
});

test('numbers: decimal only, integers within the safe range', async () => {
  for (const raw of ['0x10', '0o20', '0b10000', '1_000', ' 100', '100 ', '1e21']) {
    assertRefused(await runCli(['simulate', geometry, '--pairs', raw]), new RegExp(`--pairs: expected an integer .*got "${raw}"`), `pairs ${raw}`);
  }
  assertRefused(await runCli(['generate', '--model', 'models/organism-v1', '--prompt', 'hi', '--seed', '9007199254740993']), /--seed: expected an integer >= 0 <= 9007199254740991/, 'generate seed');
  assertRefused(await runCli(['organism', 'corpus', '--docs', '0x40']), /--docs: .*in decimal digits, got "0x40"/, 'docs hex');
});

test('organism train --size refuses the names of Object.prototype before any training', async () => {
  for (const size of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assertRefused(await runCli(['organism', 'train', '--out', 'scratch/never', '--size', size]), new RegExp(`--size: expected one of xs, s, m, l, got "${size}"`), size);
  }
});

test('end to end: a real lvh process, one stderr line and exit 2 for a typo', () => {
  const r = spawnCli(['theory', geometry, '--jsn']);
  assertRefused(r, /unknown flag --jsn/, 'spawned');
});
