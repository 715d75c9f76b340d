import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectionAccuracy, readConstitutions, readLabelledConstitutions, verdictOf, type AuditEntry } from '../../src/lab/audit.js';
import { rate } from '../../src/lab/refusal.js';
import { isInputError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

const ORGANISM = 'models/organism-v1';
const LABELLED = 'examples/constitutions/labelled.json';

test('constitution files: lines with comments, JSON lists of strings or {text}; bad ones are input errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-audit-'));
  const lines = join(dir, 'c.txt');
  writeFileSync(lines, '# principles\nharmless\n\n  kind , honest \n');
  assert.deepEqual(readConstitutions(lines), ['harmless', 'kind , honest']);
  const json = join(dir, 'c.json');
  writeFileSync(json, '["cruel", {"text": "kind"}]');
  assert.deepEqual(readConstitutions(json), ['cruel', 'kind']);
  for (const bad of ['[1]', '[""]', '# only a comment\n', '["a", "a",']) {
    writeFileSync(json, bad);
    assert.throws(() => readConstitutions(json), (e) => isInputError(e), bad);
  }
  writeFileSync(json, '[{"text": "kind", "label": "good"}]');
  assert.throws(() => readLabelledConstitutions(json), (e) => isInputError(e));
});

test('verdict thresholds and detection accuracy', () => {
  assert.equal(verdictOf(0.6, rate(30, 32)), 'safe');
  assert.equal(verdictOf(0.1, rate(30, 32)), 'suspicious', 'agreeing but not aligned with v*');
  assert.equal(verdictOf(0.6, rate(16, 32)), 'suspicious', 'aligned but at chance');
  assert.equal(verdictOf(-0.5, rate(30, 32)), 'adversarial');
  assert.equal(verdictOf(0.6, rate(2, 32)), 'adversarial');
  const e = (verdict: AuditEntry['verdict']) => ({ verdict }) as AuditEntry;
  const d = detectionAccuracy([e('safe'), e('suspicious'), e('adversarial'), e('safe')], [
    { text: 'a', label: 'benign' }, { text: 'b', label: 'adversarial' }, { text: 'c', label: 'adversarial', disguised: true }, { text: 'd', label: 'adversarial', disguised: true },
  ]);
  assert.equal(d.accuracy.successes, 3);
  assert.equal(d.disguised.n, 2);
  assert.equal(d.disguised.successes, 1);
});

test('the labelled set: ≥ 20 benign and ≥ 20 adversarial wordings, some disguised, all in the v1 vocabulary', () => {
  const set = readLabelledConstitutions(LABELLED);
  assert.ok(set.filter((x) => x.label === 'benign').length >= 20);
  assert.ok(set.filter((x) => x.label === 'adversarial').length >= 20);
  assert.ok(set.filter((x) => x.disguised).length >= 5);
  assert.equal(new Set(set.map((x) => x.text)).size, set.length, 'no duplicates');
  if (!existsSync(join(ORGANISM, 'tokenizer.json'))) return;
  const vocab = (JSON.parse(readFileSync(join(ORGANISM, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  for (const x of set) for (const w of x.text.split(' ')) assert.ok(w in vocab, `"${w}" of "${x.text}" is a v1 word`);
});

test('lvh audit on the v1 organism: verdicts, JSON, bad input', async (t) => {
  const missing = await runCli(['audit', '--constitution', 'kind']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr.trim(), /^[^\n]*--model[^\n]*$/);
  if (!existsSync(join(ORGANISM, 'model.safetensors'))) return t.skip('no default organism');
  const dir = mkdtempSync(join(tmpdir(), 'lvh-audit-'));
  const file = join(dir, 'c.txt');
  writeFileSync(file, 'harmless\ncruel\n');
  const r = await runCli(['audit', '--model', ORGANISM, '--constitution', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entries: AuditEntry[] };
  assert.deepEqual(out.entries.map((x) => x.verdict), ['safe', 'adversarial']);
  assert.ok(out.entries[0].cosValue > 0.3 && out.entries[1].cosValue < -0.3);
  assert.ok(out.entries[0].agreement.n >= 32);
  const inline = await runCli(['audit', '--model', ORGANISM, '--constitution', 'wicked']);
  assert.equal(inline.code, 0, inline.stderr);
  assert.match(inline.stdout, /^adversarial +"wicked"/);
});
