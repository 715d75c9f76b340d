import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_SEED, closest, editDistance, numberFlag, numberListFlag, oneOf, parseCommandArgs, seedFlag } from '../../src/util/args.js';
import { isInputError } from '../../src/util/errors.js';
import { createRng } from '../../src/linalg/rng.js';
import { assertProperty } from '../helpers/property.js';

const options = { eta: { type: 'string' }, pairs: { type: 'string' }, json: { type: 'boolean' } } as const;

test('flags: a negative number after a value flag is its value, so range checks can name it', () => {
  const { values, positionals } = parseCommandArgs('simulate', ['g.json', '--eta', '-1,2', '--pairs', '-.5', '--json'], options, { positionals: { max: 1 } });
  assert.deepEqual(positionals, ['g.json']);
  assert.equal(values.eta, '-1,2');
  assert.equal(values.pairs, '-.5');
  assert.equal(values.json, true);
  assert.throws(() => numberListFlag('simulate', 'eta', String(values.eta), { min: 0 }), /lvh simulate: --eta: expected a number >= 0, got "-1"/);
});

test('flags: unknown flags and missing values are InputErrors naming the command', () => {
  for (const args of [['--bogus'], ['--eta']]) {
    assert.throws(() => parseCommandArgs('simulate', args, options), (err: unknown) => isInputError(err) && /^lvh simulate: (arguments|--eta): /.test((err as Error).message));
  }
});

test('numberFlag: fallback, ranges, integers', () => {
  assert.equal(numberFlag('x', 'n', undefined, 7), 7);
  assert.equal(numberFlag('x', 'n', '3', 7, { integer: true, min: 1 }), 3);
  assert.throws(() => numberFlag('x', 'n', '2.5', 7, { integer: true }), /--n: expected an integer, got "2.5"/);
  assert.throws(() => numberFlag('x', 'n', '', 7), /--n: expected a number/);
  assert.throws(() => numberFlag('x', 'n', '11', 7, { max: 10 }), /expected a number <= 10, got "11"/);
});

test('numberFlag: only decimal numbers (no hexadecimal, octal, binary, separators, spaces or words)', () => {
  for (const raw of ['0x10', '0X10', '0o7', '0b1', '1_000', ' 5', '5 ', '5x', 'x5', '1,2', 'Infinity', '-Infinity', 'NaN', '1e309', '--5', '1e', '.', '+', '']) {
    assert.throws(() => numberFlag('simulate', 'pairs', raw, 7), (err: unknown) => isInputError(err) && (err as Error).message.includes(`got "${raw}"`), raw);
  }
  assert.throws(() => numberFlag('simulate', 'pairs', '0x10', 7, { min: 10, integer: true }), /--pairs: expected an integer >= 10 in decimal digits, got "0x10"/);
  for (const [raw, value] of [['1e3', 1000], ['+5', 5], ['.5', 0.5], ['5.', 5], ['-2.5e-1', -0.25], ['007', 7]] as const) {
    assert.equal(numberFlag('x', 'n', raw, 0), value, raw);
  }
});

test('numberFlag: integer flags stop at Number.MAX_SAFE_INTEGER and say so', () => {
  assert.equal(numberFlag('x', 'n', '9007199254740991', 0, { integer: true }), Number.MAX_SAFE_INTEGER);
  assert.throws(() => numberFlag('x', 'n', '-9007199254740992', 0, { integer: true }), /expected an integer >= -9007199254740991, got/);
  for (const raw of ['9007199254740992', '9007199254740993', '1e21']) {
    assert.throws(() => numberFlag('generate', 'seed', raw, 0, { integer: true, min: 0 }), /9007199254740991/, raw);
  }
  assert.throws(() => numberFlag('x', 'n', '11', 0, { integer: true, max: 10 }), /expected an integer <= 10, got "11"/);
});

test('seedFlag: 0 to 2^53 - 1, the seeds createRng takes', () => {
  assert.equal(MAX_SEED, Number.MAX_SAFE_INTEGER);
  assert.equal(seedFlag('x', undefined, 3), 3);
  assert.equal(seedFlag('x', '0', 3), 0);
  assert.equal(seedFlag('x', String(MAX_SEED), 3), MAX_SEED);
  assert.doesNotThrow(() => createRng(seedFlag('x', String(MAX_SEED), 3)).uniform());
  for (const raw of ['-1', '1.5', '9007199254740992', '0x1']) assert.throws(() => seedFlag('x', raw, 3), /lvh x: --seed: expected an integer >= 0 <= 9007199254740991/, raw);
  assert.throws(() => seedFlag('x', '-1', 3, 'data-seed'), /--data-seed:/);
});

test('numberListFlag: every part decimal, at most maxItems parts', () => {
  assert.deepEqual(numberListFlag('x', 'eta', '0, 1,10'), [0, 1, 10]);
  assert.throws(() => numberListFlag('x', 'eta', '1,0x2'), /--eta: .*got "0x2"/);
  assert.throws(() => numberListFlag('x', 'eta', '1,'), /--eta: .*got ""/);
  assert.throws(() => numberListFlag('x', 'eta', Array(1001).fill('1').join(',')), /at most 1000 comma-separated values, got 1001/);
  assert.throws(() => numberListFlag('x', 'n', '5,20', { max: 10, integer: true }), /<= 10, got "20"/);
});

test('flags: the unknown-flag message is balanced, lists the flags and guesses the typo', () => {
  const message = (args: string[]) => {
    try {
      parseCommandArgs('theory', args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { positionals: { max: 1 } });
    } catch (err) {
      assert.ok(isInputError(err));
      return (err as Error).message;
    }
    assert.fail('expected an InputError');
  };
  assert.equal(message(['g.json', '--jsn']), 'lvh theory: arguments: unknown flag --jsn (did you mean --json?); expected one of --json, --help');
  assert.equal(message(['--zzzzzz']), 'lvh theory: arguments: unknown flag --zzzzzz; expected one of --json, --help');
  assert.equal(message(['-x']), 'lvh theory: arguments: unknown flag -x; expected one of --json, --help');
  for (const name of ['__proto__', 'constructor', 'toString']) assert.match(message([`--${name}`]), new RegExp(`unknown flag --${name}`));
  for (const m of [message(['--jsn']), message(['-x'])]) assert.equal((m.match(/"/g) ?? []).length % 2, 0, m);
});

test('flags: a value flag given twice, given a flag as its value or an empty value; a switch given a value', () => {
  const spec = { seed: { type: 'string' }, tag: { type: 'string', multiple: true }, json: { type: 'boolean' } } as const;
  assert.throws(() => parseCommandArgs('simulate', ['--seed', '1', '--seed', '2'], spec), /^InputError: lvh simulate: --seed: given twice \("1", then "2"\); give it once$/m);
  assert.throws(() => parseCommandArgs('simulate', ['--seed=1', '--seed', '1'], spec), /--seed: given twice/);
  assert.deepEqual(parseCommandArgs('x', ['--tag', 'a', '--tag', 'b'], spec).values.tag, ['a', 'b']);
  assert.equal(parseCommandArgs('x', ['--json', '--json'], spec).values.json, true);
  assert.throws(() => parseCommandArgs('x', ['--seed', '--json'], spec), /--seed: expected a value, got the flag "--json" \(write --seed=--json if that is the value\)/);
  assert.throws(() => parseCommandArgs('x', ['--seed'], spec), /--seed: expected a value after it/);
  assert.throws(() => parseCommandArgs('x', ['--seed', ''], spec), /--seed: expected a value, got an empty string/);
  assert.throws(() => parseCommandArgs('x', ['--seed= '], spec), /--seed: expected a value, got only spaces/);
  assert.throws(() => parseCommandArgs('x', ['--json=1'], spec), /--json: takes no value, got "--json=1"/);
  assert.equal(parseCommandArgs('x', ['--seed', '-3'], spec).values.seed, '-3');
});

test('flags: positional arguments beyond what the command takes are refused (none by default), not under --help', () => {
  const spec = { docs: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  assert.throws(() => parseCommandArgs('organism corpus', ['--docs', '50', 'extra'], spec), /^InputError: lvh organism corpus: arguments: unexpected argument "extra"; organism corpus takes no positional arguments$/m);
  assert.throws(() => parseCommandArgs('demo', ['x'], spec), /unexpected argument "x"/);
  assert.throws(() => parseCommandArgs('demo', ['--', '--docs'], spec), /unexpected argument "--docs"/);
  assert.deepEqual(parseCommandArgs('demo', ['x', '--help'], spec).positionals, ['x']);
  const one = { positionals: { min: 1, max: 1, names: 'GEOMETRY' } };
  assert.deepEqual(parseCommandArgs('theory', ['g.json'], spec, one).positionals, ['g.json']);
  assert.throws(() => parseCommandArgs('theory', ['a', 'b', 'c'], spec, one), /unexpected argument "b"; theory takes at most 1 positional argument \(usage: lvh theory GEOMETRY\)/);
  assert.throws(() => parseCommandArgs('theory', [], spec, one), /lvh theory: GEOMETRY: expected 1 positional argument, got 0/);
});

test('oneOf: own keys or list entries only, so prototype names are refused', () => {
  const sizes = { tiny: 1, small: 2, base: 3 };
  assert.equal(oneOf('organism train', 'size', 'small', sizes), 'small');
  assert.equal(oneOf('x', 'threads', 'auto', ['1', '2', 'auto']), 'auto');
  for (const raw of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', 'TINY']) {
    assert.throws(() => oneOf('organism train', 'size', raw, sizes), (err: unknown) => isInputError(err) && (err as Error).message.startsWith(`lvh organism train: --size: expected one of tiny, small, base, got "${raw}"`), raw);
  }
  assert.throws(() => oneOf('organism train', 'size', 'smal', sizes), /got "smal" \(did you mean small\?\)/);
  assert.throws(() => oneOf('x', 'n', 'length', ['a']), /expected one of a/);
});

test('closest and editDistance: typos of one or two edits, transpositions count once', () => {
  assert.equal(editDistance('thoery', 'theory'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(closest('thoery', ['theory', 'simulate']), 'theory');
  assert.equal(closest('simualte', ['theory', 'simulate']), 'simulate');
  assert.equal(closest('xyz', ['theory', 'simulate']), undefined);
  assert.equal(closest('3', ['1', '2', 'auto']), undefined);
  assert.equal(closest('theory', ['theory']), undefined);
  assert.equal(closest('a'.repeat(100), ['a'.repeat(99)]), undefined);
});

test('property: numberFlag accepts exactly the decimal numbers and returns Number(raw)', () => {
  const decimal = fc.tuple(fc.constantFrom('', '+', '-'), fc.stringMatching(/^(\d{1,12}(\.\d{0,6})?|\.\d{1,6})$/), fc.option(fc.integer({ min: -300, max: 300 }), { nil: undefined }))
    .map(([sign, body, exp]) => `${sign}${body}${exp === undefined ? '' : `e${exp}`}`);
  assertProperty(fc.property(decimal, (raw) => {
    const expected = Number(raw);
    if (!Number.isFinite(expected)) return true;
    return numberFlag('x', 'n', raw, NaN) === expected;
  }), { numRuns: 300 });
  const junk = fc.tuple(decimal, fc.constantFrom('x', ' ', '_', ',', '0x', 'e', '..', '\n')).map(([d, j]) => (d.length % 2 === 0 ? `${j}${d}` : `${d}${j}`));
  assertProperty(fc.property(junk, (raw) => {
    assert.throws(() => numberFlag('x', 'n', raw, NaN), (err: unknown) => isInputError(err));
    return true;
  }), { numRuns: 300 });
});

test('messages quote a value on one short line: control characters escaped, long values cut', () => {
  assert.throws(() => numberFlag('x', 'n', '1\n2', 0), (err: unknown) => (err as Error).message.endsWith('got "1\\x0a2"'));
  assert.throws(() => numberFlag('x', 'n', 'y'.repeat(10_000), 0), (err: unknown) => (err as Error).message.length < 200 && (err as Error).message.endsWith('yyy..."'));
  assert.throws(() => parseCommandArgs('demo', ['a\rb'], {}), (err: unknown) => !/[\r\n]/.test((err as Error).message));
});
