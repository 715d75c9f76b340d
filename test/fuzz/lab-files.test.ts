// Fuzz: the lab's own parsers. Random text through the CSV parser and mutated GGUF control vectors through
// parseGguf: every case must parse or end in an InputError; never another exception or a hang. Plus a seeded
// round-trip property: any records written as RFC 4180 CSV parse back to the same fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv } from '../../src/lab/datasets.js';
import { controlVectorBytes, parseGguf } from '../../src/lab/files.js';
import { FuzzTally, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { assertProperty, propertySeed } from '../helpers/property.js';

const csvChar = fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '""', '\r\n');
const csvText = fc.array(csvChar, { maxLength: 40 }).map((xs) => xs.join(''));

test('CSV round trip: quoted records parse back to their fields', () => {
  const field = fc.array(csvChar, { maxLength: 6 }).map((xs) => xs.join(''));
  assertProperty(fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (records) => {
    const text = records.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\r\n');
    const back = parseCsv(text, 'x.csv').map((r) => r.fields);
    assert.deepEqual(back, records);
  }), { numRuns: 300 });
});

test('fuzz: parseCsv on random text', async () => {
  const tally = new FuzzTally('lab-csv');
  for (const text of fc.sample(csvText, { numRuns: fuzzRuns(), seed: propertySeed })) {
    await fuzzCase(tally, JSON.stringify(text), () => parseCsv(text, 'f.csv'), (out) => (Array.isArray(out) && out.every((r) => r.line >= 1) ? true : 'records without lines'));
  }
  tally.finish();
  assert.ok(tally.counts.accepted > 0 && tally.counts.clean > 0, 'both outcomes are exercised');
});

test('fuzz: parseGguf on mutated control vectors', async () => {
  const vector = Float64Array.from({ length: 8 }, (_, i) => i / 8);
  const base = controlVectorBytes([{ vector, provenance: { model: 'm', layer: 1, hook: 'blocks.1.hook_resid_post', position: -1, method: 'random', data: 'x', seed: 1 } }], { layers: 3, modelHint: 'gpt2' });
  const mutation = fc.oneof(
    fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => {
      const b = Uint8Array.from(base);
      for (const [i, v] of flips) b[i] = v;
      return { kind: `flip ${JSON.stringify(flips)}`, bytes: b };
    }),
    fc.nat({ max: base.length }).map((n) => ({ kind: `truncate ${n}`, bytes: base.subarray(0, n) })),
  );
  const tally = new FuzzTally('lab-gguf');
  for (const m of fc.sample(mutation, { numRuns: fuzzRuns(), seed: propertySeed })) {
    await fuzzCase(tally, m.kind, () => parseGguf(m.bytes, 'cv.gguf'), (out) => {
      const g = out as ReturnType<typeof parseGguf>;
      return g.version === 3 ? true : 'accepted a version other than 3';
    });
  }
  tally.finish();
  assert.ok(tally.counts.accepted > 0 && tally.counts.clean > 0, 'both outcomes are exercised');
});
