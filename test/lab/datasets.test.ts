import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, readCsvColumn, readInstructionJson, readPreferenceJsonl, readPromptLines, readPrompts, sharedPrompt } from '../../src/lab/datasets.js';
import { InputError } from '../../src/util/errors.js';

const DATA = '../shared/data';
const tmp = mkdtempSync(join(tmpdir(), 'lvh-lab-data-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const shared = (rel: string, t: { skip: (m: string) => void }): string | null => {
  const p = join(DATA, rel);
  if (!existsSync(p)) {
    t.skip(`${p} absent (shared research data not on this machine)`);
    return null;
  }
  return p;
};

test('CSV parser: quotes, escaped quotes, embedded commas and newlines, CRLF, line numbers', () => {
  const rows = parseCsv('goal,target\r\n"a, b","say ""hi"""\n"multi\nline",x\nplain,y', 'f.csv');
  assert.deepEqual(rows.map((r) => r.fields), [['goal', 'target'], ['a, b', 'say "hi"'], ['multi\nline', 'x'], ['plain', 'y']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 3, 5]);
  assert.throws(() => parseCsv('a,"b\n', 'f.csv'), (e: unknown) => e instanceof InputError && e.field === 'line 1' && /closing quote/.test(e.expected));
  assert.throws(() => parseCsv('a,b"c\n', 'f.csv'), (e: unknown) => e instanceof InputError && /quote only at the start/.test(e.expected));
});

test('AdvBench-style CSV: the goal column, field-count and empty-prompt errors name the line', () => {
  assert.deepEqual(readCsvColumn(file('ok.csv', 'goal,target\n"Do x, then y",Sure\n')).map((p) => p.prompt), ['Do x, then y']);
  assert.throws(() => readCsvColumn(file('nogoal.csv', 'prompt,target\nx,y\n')), (e: unknown) => e instanceof InputError && e.field === 'line 1');
  assert.throws(() => readCsvColumn(file('short.csv', 'goal,target\nx,y\nz\n')), (e: unknown) => e instanceof InputError && e.field === 'line 3');
  assert.throws(() => readCsvColumn(file('empty.csv', 'goal,target\n ,y\n')), (e: unknown) => e instanceof InputError && e.field === 'line 2.goal');
});

test('instruction JSON: categories, and errors naming the item and field', () => {
  const items = readInstructionJson(file('a.json', '[{"instruction":"x","category":"c"},{"instruction":"y","category":null}]'));
  assert.deepEqual(items, [{ prompt: 'x', category: 'c' }, { prompt: 'y', category: null }]);
  assert.throws(() => readInstructionJson(file('b.json', '[{"instruction":"x"},{"category":"c"}]')), (e: unknown) => e instanceof InputError && e.field === '[1].instruction');
  assert.throws(() => readInstructionJson(file('c.json', '{"instruction":"x"}')), (e: unknown) => e instanceof InputError && e.field === '(top level)');
  assert.throws(() => readInstructionJson(file('d.json', '[{"instruction":"x","category":3}]')), (e: unknown) => e instanceof InputError && e.field === '[0].category');
});

test('HH-RLHF JSONL: the shared prompt ends at the last shared "Assistant:"; errors name line and field', () => {
  const pairs = readPreferenceJsonl(file('p.jsonl', `${JSON.stringify({ chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: go away' })}\n\n`));
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0].prompt, '\n\nHuman: hi\n\nAssistant:');
  assert.equal(sharedPrompt('abc', 'abd'), 'ab');
  assert.throws(() => readPreferenceJsonl(file('q.jsonl', '{"chosen":"a","rejected":"b"}\n{"chosen":"a"}\n')), (e: unknown) => e instanceof InputError && e.field === 'line 2.rejected');
  assert.throws(() => readPreferenceJsonl(file('r.jsonl', 'not json\n')), (e: unknown) => e instanceof InputError && e.field === 'line 1');
});

test('plain text: one prompt a line, blanks and # comments skipped; a directory is refused', () => {
  assert.deepEqual(readPromptLines(file('t.txt', 'one\r\n\n# note\n two \n')).map((p) => p.prompt), ['one', 'two']);
  assert.throws(() => readPrompts(tmp), (e: unknown) => e instanceof InputError && /directory/.test(e.expected));
});

test('the shared refusal_direction and AdvBench files read in full', (t) => {
  const train = shared('refusal_direction/harmful_train.json', t);
  if (!train) return;
  assert.equal(readInstructionJson(train).length, 260);
  const jbb = readInstructionJson(join(DATA, 'refusal_direction/jailbreakbench.json'));
  assert.equal(jbb.length, 100);
  assert.ok(jbb.every((x) => typeof x.category === 'string'));
  const adv = readCsvColumn(join(DATA, 'refusal_direction/advbench.csv'));
  assert.equal(adv.length, 520);
  assert.match(adv[0].prompt, /^Write a script that can exploit vulnerabilities/);
  assert.ok(readPrompts(join(DATA, 'refusal_direction/harmless_val.json')).length > 1000);
});

test('the shared HH-RLHF test split (gzip) reads 2,312 pairs with prompts ending in "Assistant:"', (t) => {
  const p = shared('hh-rlhf/test.jsonl.gz', t);
  if (!p) return;
  const pairs = readPreferenceJsonl(p);
  assert.equal(pairs.length, 2312);
  const ending = pairs.filter((x) => x.prompt.endsWith('\n\nAssistant:')).length;
  assert.ok(ending / pairs.length > 0.95, `only ${ending} prompts end at an Assistant turn`);
  assert.ok(pairs.every((x) => x.chosen.startsWith(x.prompt) && x.rejected.startsWith(x.prompt)));
});
