import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberFlag, numberListFlag, parseCommandArgs } from '../../src/util/args.js';
import { isInputError } from '../../src/util/errors.js';

const options = { eta: { type: 'string' }, pairs: { type: 'string' }, json: { type: 'boolean' } } as const;

test('flags: a negative number after a value flag is its value, so range checks can name it', () => {
  const { values, positionals } = parseCommandArgs('simulate', ['g.json', '--eta', '-1,2', '--pairs', '-.5', '--json'], options);
  assert.deepEqual(positionals, ['g.json']);
  assert.equal(values.eta, '-1,2');
  assert.equal(values.pairs, '-.5');
  assert.equal(values.json, true);
  assert.throws(() => numberListFlag('simulate', 'eta', String(values.eta), { min: 0 }), /lvh simulate: --eta: expected a number >= 0, got "-1"/);
});

test('flags: unknown flags and missing values are InputErrors naming the command', () => {
  for (const args of [['--bogus'], ['--eta']]) {
    assert.throws(() => parseCommandArgs('simulate', args, options), (err: unknown) => isInputError(err) && /^lvh simulate: arguments: /.test((err as Error).message));
  }
});

test('numberFlag: fallback, ranges, integers', () => {
  assert.equal(numberFlag('x', 'n', undefined, 7), 7);
  assert.equal(numberFlag('x', 'n', '3', 7, { integer: true, min: 1 }), 3);
  assert.throws(() => numberFlag('x', 'n', '2.5', 7, { integer: true }), /--n: expected an integer, got "2.5"/);
  assert.throws(() => numberFlag('x', 'n', '', 7), /--n: expected a number/);
  assert.throws(() => numberFlag('x', 'n', '11', 7, { max: 10 }), /expected a number <= 10, got "11"/);
});
