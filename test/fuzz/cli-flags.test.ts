// Fuzz: random flag vectors through the shared flag layer (parseCommandArgs, numberFlag, seedFlag, numberListFlag,
// oneOf) and through main() in-process for the cheap commands. Every case ends in success or exit 2 with one
// stderr line: never exit 1, a stack trace or a hang. Cases come from fc.sample with the suite's seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { numberFlag, numberListFlag, oneOf, parseCommandArgs, seedFlag } from '../../src/util/args.js';
import { InputError } from '../../src/util/errors.js';
import { FuzzTally, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';
import { runCli } from '../helpers/cli.js';

const runs = fuzzRuns(1000);
const dir = mkdtempSync(join(tmpdir(), 'lvh-fuzz-flags-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// The values the reliability audit gave every numeric flag, and a few more.
const NASTY = ['-1', '0', '1e309', 'abc', '', '1.5', '0x10', '0o7', '0b1', '1_000', 'NaN', 'Infinity', '-Infinity', '1e21', '9007199254740993', ' ', '1,2', '--json', '-', '1e-400', '-0', '+3', '.5', '5.', '1e', 'constructor', '__proto__', 'toString', '\u00a0', '٣'];
const nasty = fc.constantFrom(...NASTY);
const anyText = fc.oneof(nasty, fc.string({ maxLength: 8 }), fc.integer({ min: -1e6, max: 1e6 }).map(String), fc.double({ noNaN: false }).map(String));

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// --- Part 1: the flag layer on its own -------------------------------------------------------------------------

const spec = {
  pairs: { type: 'string' }, seed: { type: 'string' }, eta: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' },
  tag: { type: 'string', multiple: true }, json: { type: 'boolean' }, debias: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;
const flagNames = Object.keys(spec).map((n) => `--${n}`);
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...flagNames) },
  { weight: 4, arbitrary: anyText },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...flagNames), anyText).map(([f, v]) => `${f}=${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('--jsn', '-x', '-h', '--', '--__proto__', '--constructor', '-hx', '---pairs', '--pairs=', '--=1') },
);
const SIZES = { tiny: 1, small: 2, base: 3 };

test(`fuzz: ${runs} random flag vectors through parseCommandArgs and the number readers`, async () => {
  const tally = new FuzzTally('cli-flags-parse');
  const vectors = fc.sample(fc.array(token, { maxLength: 8 }), { numRuns: runs, seed: propertySeed });
  for (const args of vectors) {
    await fuzzCase(tally, JSON.stringify(args), () => {
      const { values, positionals } = parseCommandArgs('fuzz', args, spec, { positionals: { max: 1, names: 'FILE' } });
      const v = values as Record<string, string | undefined>;
      return {
        values: v,
        positionals,
        pairs: numberFlag('fuzz', 'pairs', v.pairs, 20, { min: 10, max: 10_000_000, integer: true }),
        seed: seedFlag('fuzz', v.seed, 1),
        eta: v.eta === undefined ? null : numberListFlag('fuzz', 'eta', v.eta, { min: 0 }),
        size: v.size === undefined ? 'tiny' : oneOf('fuzz', 'size', v.size, SIZES),
      };
    }, (output) => {
      const o = output as { values: Record<string, unknown>; positionals: string[]; pairs: number; seed: number; eta: number[] | null; size: string };
      if (o.positionals.length > 1 && o.values.help !== true) return `${o.positionals.length} positionals accepted`;
      const pairs = o.values.pairs as string | undefined;
      if (pairs !== undefined && (!DECIMAL.test(pairs) || Number(pairs) !== o.pairs)) return `--pairs "${pairs}" read as ${o.pairs}`;
      if (!Number.isSafeInteger(o.pairs) || o.pairs < 10 || o.pairs > 10_000_000) return `pairs ${o.pairs}`;
      if (!Number.isSafeInteger(o.seed) || o.seed < 0) return `seed ${o.seed}`;
      if (o.eta && o.eta.some((x) => !Number.isFinite(x) || x < 0)) return `eta ${o.eta.join(',')}`;
      if (!Object.hasOwn(SIZES, o.size)) return `size ${o.size}`;
      return true;
    }, 2000);
  }
  tally.finish();
  assert.ok(tally.counts.accepted > runs / 20, tally.line());
  assert.ok(tally.counts.clean > runs / 4, tally.line());
});

// --- Part 2: main() in-process ---------------------------------------------------------------------------------

const geometry = 'examples/geometries/overshoot.json';
const file = join(dir, 'plain.txt');
writeFileSync(file, 'x');
mkdirSync(join(dir, 'folder'));
symlinkSync(file, join(dir, 'link.txt'));

/** Flag → values that keep a run cheap when valid, mixed with the nasty ones. */
type Pool = Record<string, fc.Arbitrary<string>>;
const pick = (...xs: string[]) => fc.constantFrom(...xs);
const intIn = (min: number, max: number) => fc.integer({ min, max }).map(String);
const withNasty = (a: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 2, arbitrary: nasty });

const simulatePool: Pool = {
  pairs: intIn(10, 60), samples: intIn(2, 60), bootstrap: intIn(20, 25), rounds: intIn(2, 6), 'best-of-n': pick('1', '1,2', '2,4'),
  'pg-chains': intIn(1, 2), 'pg-steps': intIn(2, 3), 'pg-batch': intIn(2, 4), 'pg-lr': pick('0.01', '0.5', '1'), seed: fc.oneof(intIn(0, 100), pick('9007199254740991')),
  lambda: pick('0.1', '2', '50', '1e-3'), l2: pick('0', '1e-3', '1', '100'), level: pick('0.5', '0.9', '0.99'), eta: pick('0', '0,1', '0,1,10', '2'),
  optimizer: pick('tilt', 'best-of-n', 'pg', 'all', 'tilt,pg', 'bogus'), 'value-function': pick('linear', 'cubic', 'quadratic:2', 'quadratic:x', 'sine'),
  'position-bias': pick('0', '0.5', '-1'), 'pairs-grid': pick('10,20', '20'), seeds: intIn(1, 2),
};
// Every simulate run starts from these cheap values; the fuzzed flags replace some of them.
const simulateBase: Record<string, string> = { pairs: '20', samples: '20', bootstrap: '20', rounds: '2', 'best-of-n': '1,2', 'pg-chains': '1', 'pg-steps': '2', 'pg-batch': '2' };
const corpusPool: Pool = {
  docs: intIn(10, 40), p: pick('0', '0.3', '1'), q: pick('0', '0.5', '1'), seed: intIn(0, 5),
  out: fc.constantFrom(join(dir, 'out', 'c.txt'), join(dir, 'folder'), join(file, 'c.txt'), join(dir, 'link.txt'), '/proc/lvh-fuzz/c.txt', file),
};
const benchPool: Pool = { dim: intIn(2, 6), pairs: intIn(10, 100), lam: pick('0', '2', '10'), l2: pick('0', '1e-3', '1'), seed: intIn(0, 9), threads: pick('1', '3', 'two') };

/** A flag vector for one command: some flags from the pool (valid or nasty), sometimes repeated, a stray token. */
function vector(pool: Pool, base: Record<string, string>, switches: string[]): fc.Arbitrary<string[]> {
  const names = Object.keys(pool);
  return fc.record({
    chosen: fc.uniqueArray(fc.constantFrom(...names), { maxLength: 4 }).chain((ns) => fc.tuple(...ns.map((n) => withNasty(pool[n]).map((v) => [n, v] as const)))),
    on: fc.subarray(switches),
    repeat: fc.option(fc.constantFrom(...names), { freq: 8 }),
    stray: fc.option(fc.oneof(pick('extra', '--jsn', '-x', '--json=1', '--help'), anyText), { freq: 5 }),
    inline: fc.boolean(),
  }).map(({ chosen, on, repeat, stray, inline }) => {
    const values = { ...base, ...Object.fromEntries(chosen) };
    const args = Object.entries(values).flatMap(([n, v]) => (inline ? [`--${n}=${v}`] : [`--${n}`, v]));
    if (repeat) args.push(`--${repeat}`, values[repeat] ?? '1');
    args.push(...on.map((s) => `--${s}`));
    if (stray !== null) args.splice(args.length % 3, 0, stray);
    return args;
  });
}

// Commands whose valid runs are expensive (engine, sweep, demo) get one sure mistake, so they stop at parsing.
const expensive = fc.tuple(
  fc.constantFrom(['inspect', '--model', 'models/organism-v1', '--prompt', 'hi'], ['generate', '--model', 'models/organism-v1', '--prompt', 'hi'], ['demo', '--no-organism'], ['sweep', 'examples/sweeps/demo.yaml', '--out', join(dir, 'sweep')], ['organism', 'train', '--out', join(dir, 'never')], ['organism', 'eval', '--model', 'models/organism-v1'], ['bench', 'nn']),
  fc.constantFrom('--zz-unknown', '--seed', 'stray-positional', '--json=yes', '--top', '--max-tokens=0x10', '--workers=1e21', '--size=constructor'),
  fc.array(anyText, { maxLength: 2 }),
).map(([cmd, mistake, tail]) => [...cmd, ...tail.filter((t) => t.length > 0 && !t.startsWith('-')), mistake]);

/** A relative --out value (a nasty one such as `1e-400`) moved under the scratch folder: the fuzz never writes into the repository. */
function insideDir(arg: string, i: number, args: string[]): string {
  if (arg.startsWith('--out=')) return `--out=${insideDir(arg.slice(6), 1, ['--out', arg.slice(6)])}`;
  const isOutValue = i > 0 && args[i - 1] === '--out';
  // A negative number after a value flag is that flag's value (parseCommandArgs joins `--out -1`), so it moves too.
  const flagLike = arg.length > 1 && arg.startsWith('-') && !/^-\d|^-\.\d/.test(arg);
  return isOutValue && arg.trim() !== '' && !arg.startsWith('/') && !flagLike ? join(dir, 'relative', arg) : arg;
}

const commandLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom([geometry], [], [geometry, geometry], ['examples/geometries/gap.json']), fc.subarray(['--json', '--help']), fc.option(fc.oneof(anyText, pick('--jsn', '-h', '--json=1')), { freq: 3 })).map(([pos, sw, extra]) => ['theory', ...pos, ...sw, ...(extra === null ? [] : [extra])]) },
  { weight: 4, arbitrary: vector(simulatePool, simulateBase, ['json', 'debias', 'help']).map((a) => ['simulate', geometry, ...a]) },
  { weight: 3, arbitrary: vector(corpusPool, {}, ['json']).map((a) => ['organism', 'corpus', ...a.map(insideDir)]) },
  { weight: 2, arbitrary: vector(benchPool, { threads: '1', pairs: '50', dim: '4' }, ['detail', 'help']).map((a) => ['bench', 'reward-fit', ...a]) },
  { weight: 1, arbitrary: fc.constantFrom<string[]>(['bench', '--help'], ['bench'], ['bench', 'nn', '--help'], ['bench', 'nm'], ['--version'], ['--help'], ['thoery'], [], ['organism'], ['organism', 'corpus', '--help'], ['help'], ['constructor'], ['simulate', '--help']) },
  { weight: 3, arbitrary: expensive },
);

test(`fuzz: ${runs} random command lines through main(): exit 0, or exit 2 with one stderr line; never exit 1`, async () => {
  const tally = new FuzzTally('cli-flags-main');
  const lines = fc.sample(commandLine, { numRuns: runs, seed: propertySeed });
  const repoBefore = readdirSync('.').sort();
  const started = performance.now();
  for (const argv of lines) {
    await fuzzCase(tally, JSON.stringify(argv), async () => {
      const r = await runCli(argv);
      const stderrLines = r.stderr.split('\n').filter((l) => l.trim().length > 0);
      if (r.code === 1) throw new Error(`exit 1: ${stderrLines.slice(0, 2).join(' | ')}`);
      if (r.code === 2 && stderrLines.length === 1 && r.stdout === '') throw new InputError('fuzz', 'exit 2', stderrLines[0]);
      return r;
    }, (output) => {
      const r = output as { code: number; stdout: string; stderr: string };
      if (r.code === 0) return true;
      if (r.code === 2 && r.stderr.trim() === '' && r.stdout.startsWith('usage:')) return true; // a bare `lvh`, `lvh bench`, `lvh organism`: usage, exit 2
      return `exit ${r.code}, ${r.stderr.split('\n').length} stderr lines: ${r.stderr.split('\n').slice(0, 3).join(' | ').slice(0, 300)}`;
    }, 10_000);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`cli-flags-main: ${lines.length} command lines in ${seconds.toFixed(1)} s`);
  tally.finish();
  assert.ok(tally.counts.accepted > runs / 20, tally.line());
  assert.ok(tally.counts.clean > runs / 4, tally.line());
  assert.deepEqual(readdirSync('.').filter((n) => !repoBefore.includes(n) && (NASTY.includes(n) || /^[\d.+-]/.test(n))), [], 'the fuzz wrote nothing into the working tree');
});
