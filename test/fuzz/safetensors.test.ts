// Fuzz: mutated safetensors files through the reader (in memory and from disk) and the match against a config.
// Every case must load with finite weights or end in an InputError; never another exception, NaN or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gpt2Config } from '../../src/io/config.js';
import { paramSpecs } from '../../src/nn/model.js';
import { matchWeights } from '../../src/io/model-dir.js';
import { parseSafetensors, readSafetensors, serializeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { isInputError } from '../../src/util/errors.js';
import { FuzzTally, allFinite, fuzzCase, fuzzRuns } from '../helpers/fuzz.js';
import { propertySeed } from '../helpers/property.js';

// A one-layer GPT-2 small enough that a case takes well under a millisecond (about 4 KB of weights).
const config = gpt2Config({ vocabSize: 8, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 });
const weights = new Map<string, NamedTensor>();
let k = 0;
for (const spec of paramSpecs(config)) {
  const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1)).map(() => Math.sin(++k) * 0.1);
  weights.set(spec.name, { shape: spec.shape, data });
}
const base = serializeSafetensors(weights, { format: 'pt' });
const baseHeaderLen = Number(new DataView(base.buffer).getBigUint64(0, true));
const baseHeader = JSON.parse(Buffer.from(base.subarray(8, 8 + baseHeaderLen)).toString('utf8')) as Record<string, unknown>;
const names = [...weights.keys()].sort();

// A header object and data bytes → a file (header padded with spaces to 8 bytes, as writers do, unless told not to).
function assemble(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const bytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + bytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  out.set(data, 8 + bytes.length);
  return out;
}
const baseData = base.subarray(8 + baseHeaderLen);

const special = fc.constantFrom(NaN, Infinity, -Infinity, 3e38, -3.4e38, 1e30, 1e-45, -0, 65504, 1e39);
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 2 ** 53, 2 ** 64, 1e21, 0.5, 'F64', 'I8', [], {}, null, [1e9, 1e9]));

type Mutation = { kind: string; apply: () => Uint8Array };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => ({
    kind: `flip ${JSON.stringify(flips)}`,
    apply: () => {
      const b = Uint8Array.from(base);
      for (const [i, v] of flips) b[i] = v;
      return b;
    },
  })),
  fc.oneof(fc.integer({ min: -24, max: 24 }), fc.constantFrom(2 ** 60, 2 ** 40, -baseHeaderLen)).map((delta) => ({
    kind: `header length ${delta >= 0 ? '+' : ''}${delta}`,
    apply: () => {
      const b = Uint8Array.from(base);
      new DataView(b.buffer).setBigUint64(0, BigInt(Math.max(0, baseHeaderLen + delta)), true);
      return b;
    },
  })),
  fc.nat({ max: base.length }).map((n) => ({ kind: `truncate ${n}`, apply: () => base.slice(0, n) })),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => ({ kind: `append ${extra.length}`, apply: () => Uint8Array.from([...base, ...extra]) })),
  fc.tuple(fc.constantFrom(...names), fc.constantFrom('dtype', 'shape', 'data_offsets', 'delete', 'entry'), jsonish).map(([name, field, value]) => ({
    kind: `header ${name}.${field} = ${JSON.stringify(value)}`,
    apply: () => {
      const h = structuredClone(baseHeader) as Record<string, Record<string, unknown>>;
      if (field === 'delete') delete h[name];
      else if (field === 'entry') h[name] = value as Record<string, unknown>;
      else h[name][field] = value;
      return assemble(h, baseData);
    },
  })),
  fc.tuple(fc.constantFrom(...names), fc.constantFrom(...names), fc.boolean()).map(([a, b, pad]) => ({
    kind: `swap offsets ${a} ${b}${pad ? '' : ' unpadded'}`,
    apply: () => {
      const h = structuredClone(baseHeader) as Record<string, Record<string, unknown>>;
      [h[a].data_offsets, h[b].data_offsets] = [h[b].data_offsets, h[a].data_offsets];
      return assemble(h, baseData, pad);
    },
  })),
  fc.tuple(fc.string({ maxLength: 30 }), fc.nat({ max: 8 }), fc.boolean()).map(([name, count, atEnd]) => ({
    kind: `extra tensor ${JSON.stringify(name)} [${count}]${atEnd ? '' : ' no data'}`,
    apply: () => {
      const h = structuredClone(baseHeader) as Record<string, unknown>;
      h[name] = { dtype: 'F32', shape: [count], data_offsets: [baseData.length, baseData.length + 4 * count] };
      return assemble(h, atEnd ? Uint8Array.from([...baseData, ...new Uint8Array(4 * count)]) : baseData);
    },
  })),
  jsonish.map((meta) => ({
    kind: `__metadata__ = ${JSON.stringify(meta)}`,
    apply: () => assemble({ ...baseHeader, __metadata__: meta }, baseData),
  })),
  fc.tuple(fc.nat({ max: baseData.length / 4 - 1 }), special).map(([i, value]) => ({
    kind: `value ${i} = ${value}`,
    apply: () => {
      const b = Uint8Array.from(base);
      new DataView(b.buffer).setFloat32(8 + baseHeaderLen + 4 * i, value, true);
      return b;
    },
  })),
  fc.tuple(fc.constantFrom(...names), fc.constantFrom('F16', 'BF16')).map(([name, dtype]) => ({
    kind: `reinterpret ${name} as ${dtype}`,
    apply: () => {
      const h = structuredClone(baseHeader) as Record<string, Record<string, unknown>>;
      const shape = h[name].shape as number[];
      h[name] = { ...h[name], dtype, shape: shape.length === 0 ? [2] : [...shape.slice(0, -1), 2 * shape[shape.length - 1]] };
      return assemble(h, baseData);
    },
  })),
);

test(`fuzz safetensors: ${fuzzRuns()} mutated files load with finite weights matching the config, or give an InputError`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-fuzz-st-'));
  const tally = new FuzzTally('safetensors');
  try {
    const path = join(dir, 'model.safetensors');
    for (const m of fc.sample(mutation, { numRuns: fuzzRuns(), seed: propertySeed })) {
      const buf = m.apply();
      await fuzzCase(tally, m.kind, () => {
        // The in-memory and the file reader must agree: both refuse (InputError) or both give the same tensors.
        writeFileSync(path, buf);
        let memory: ReturnType<typeof parseSafetensors> | Error;
        try {
          memory = parseSafetensors(buf, path);
        } catch (err) {
          if (!isInputError(err)) throw err;
          memory = err;
        }
        let disk: ReturnType<typeof readSafetensors>;
        try {
          disk = readSafetensors(path);
        } catch (err) {
          if (isInputError(err) && memory instanceof Error && err.message === memory.message) throw err;
          throw new Error(`readers disagree: memory ${memory instanceof Error ? memory.message : 'loaded'}, disk ${(err as Error).message}`);
        }
        if (memory instanceof Error) throw new Error(`readers disagree: memory ${memory.message}, disk loaded`);
        assert.deepEqual(disk.tensors, memory.tensors);
        matchWeights(config, new Map([...disk.tensors].map(([n, t]) => [n, t.shape])), () => path);
        return disk;
      }, (out) => {
        const file = out as ReturnType<typeof readSafetensors>;
        for (const [name, t] of file.tensors) {
          if (!allFinite(t.data)) return `non-finite values in ${name}`;
          if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) return `${name}: ${t.data.length} values for [${t.shape}]`;
        }
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tally.finish();
  assert.ok(tally.counts.accepted > 0 && tally.counts.clean > 0, 'both outcomes are exercised');
});
