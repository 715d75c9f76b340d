import { test } from 'node:test';
import assert from 'node:assert/strict';
import { f16ToF32, parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { isInputError } from '../../src/util/errors.js';

function fileWith(header: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function refused(buf: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseSafetensors(buf, 'x.safetensors'), (err: unknown) => isInputError(err) && pattern.test((err as Error).message));
}

test('F32 write → read round trip is exact, with metadata and an 8-byte aligned header', () => {
  const a = { shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25e-7, 0, 3.4e38, -0]) };
  const b = { shape: [0], data: new Float32Array(0) };
  const c = { shape: [], data: Float32Array.from([Math.PI]) };
  const bytes = serializeSafetensors({ a, b, c }, { format: 'pt', note: 'x' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0);
  const back = parseSafetensors(bytes, 'mem');
  assert.deepEqual(back.metadata, { format: 'pt', note: 'x' });
  assert.deepEqual([...back.tensors.keys()], ['a', 'b', 'c']);
  assert.deepEqual(back.tensors.get('a'), a);
  assert.deepEqual(back.tensors.get('b'), b);
  assert.deepEqual(back.tensors.get('c'), c);
});

test('F16 and BF16 decode to the right float32 values', () => {
  const f16 = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000];
  const bf16 = [0x3f80, 0xc040, 0x4049];
  const data = new Uint8Array(2 * (f16.length + bf16.length));
  const view = new DataView(data.buffer);
  [...f16, ...bf16].forEach((h, i) => view.setUint16(2 * i, h, true));
  const file = fileWith(
    { h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] }, b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] } },
    data,
  );
  const t = parseSafetensors(file, 'mem').tensors;
  assert.deepEqual([...t.get('h')!.data], [1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24), Infinity, 0]);
  assert.deepEqual([...t.get('b')!.data], [1, -3, Math.fround(3.140625)]);
  assert.equal(f16ToF32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(f16ToF32(0x7e00)));
});

test('truncated and corrupt files are refused with a message naming the problem', () => {
  const good = serializeSafetensors({ w: { shape: [4], data: Float32Array.from([1, 2, 3, 4]) } });
  refused(good.subarray(0, 5), /at least 8 bytes.*truncated/);
  refused(good.subarray(0, 20), /header within the file.*truncated/);
  refused(good.subarray(0, good.length - 4), /end within the 12 data bytes.*truncated/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  refused(huge, /header length: expected at most/);
  const bad = Uint8Array.from(good);
  bad[9] = 0x7b; // '{' where '"' was: not JSON
  refused(bad, /header: expected UTF-8 JSON/);
  const four = new Uint8Array(16);
  refused(fileWith({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, four), /12 bytes for F32 \[3\]; got 16/);
  refused(fileWith({ w: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, four), /w\.dtype: expected one of F32, F16, BF16/);
  refused(fileWith({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, four), /w\.shape/);
  refused(fileWith({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, four), /data_offsets: expected two integers/);
  refused(
    fileWith({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, four),
    /not overlapping a/,
  );
  refused(fileWith({ __metadata__: { n: 1 } }, four), /__metadata__: expected an object of string values/);
});
