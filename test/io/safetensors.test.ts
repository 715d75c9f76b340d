import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { f16ToF32, openSafetensors, parseSafetensors, readSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
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
  const f16 = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x0000];
  const bf16 = [0x3f80, 0xc040, 0x4049];
  const data = new Uint8Array(2 * (f16.length + bf16.length));
  const view = new DataView(data.buffer);
  [...f16, ...bf16].forEach((h, i) => view.setUint16(2 * i, h, true));
  const file = fileWith(
    { h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] }, b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] } },
    data,
  );
  const t = parseSafetensors(file, 'mem').tensors;
  assert.deepEqual([...t.get('h')!.data], [1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24), 65504, 0]);
  assert.equal(f16ToF32(0x7c00), Infinity);
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

test('NaN and ±Infinity are refused at load, naming the tensor (F32, and the Inf/NaN patterns of F16 and BF16)', () => {
  const cases: [string, number, number][] = [
    ['F32', 0x7fc00000, 4], ['F32', 0x7f800000, 4], ['F32', 0xff800000, 4],
    ['F16', 0x7c00, 2], ['F16', 0xfc00, 2], ['F16', 0x7e00, 2],
    ['BF16', 0x7f80, 2], ['BF16', 0xff80, 2], ['BF16', 0x7fc0, 2],
  ];
  for (const [dtype, bits, width] of cases) {
    const data = new Uint8Array(3 * width);
    const view = new DataView(data.buffer);
    if (width === 4) view.setUint32(4, bits, true);
    else view.setUint16(2, bits, true);
    refused(fileWith({ 'transformer.ln_f.weight': { dtype, shape: [3], data_offsets: [0, 3 * width] } }, data), /transformer\.ln_f\.weight: expected finite weights; value 1 of 3 is (NaN|-?Infinity)/);
  }
  // The largest finite values of each type load.
  const max = new Uint8Array(8);
  new DataView(max.buffer).setFloat32(0, 3.4028234663852886e38, true);
  new DataView(max.buffer).setUint16(4, 0x7f7f, true); // BF16 max
  new DataView(max.buffer).setUint16(6, 0x7bff, true); // F16 max
  const t = parseSafetensors(fileWith({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] }, c: { dtype: 'F16', shape: [1], data_offsets: [6, 8] } }, max), 'mem').tensors;
  assert.ok(Number.isFinite(t.get('a')!.data[0]) && Number.isFinite(t.get('b')!.data[0]) && t.get('c')!.data[0] === 65504);
});

test('tensors must tile the data region exactly: gaps, trailing bytes and a header length off by one are refused', () => {
  const eight = new Uint8Array(8);
  refused(fileWith({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /w\.data_offsets: expected the tensors to tile the data region; data bytes 0-4 belong to no tensor/);
  refused(fileWith({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [0], data_offsets: [8, 8] } }, eight), /b\.data_offsets: expected the tensors to tile.*bytes 4-8/);
  refused(fileWith({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, eight), /data_offsets: expected the tensors to end at the end of the file; 4 bytes follow the last one/);
  refused(fileWith({}, eight), /8 bytes follow the last one/);
  // An empty tensor may sit between two others; a file of only a header is fine.
  assert.equal(parseSafetensors(fileWith({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, e: { dtype: 'F32', shape: [0, 3], data_offsets: [4, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), 'mem').tensors.size, 3);
  assert.equal(parseSafetensors(fileWith({ __metadata__: { a: 'b' } }, new Uint8Array(0)), 'mem').tensors.size, 0);
  const good = serializeSafetensors({ w: { shape: [4], data: Float32Array.from([1, 2, 3, 4]) } });
  const n = new DataView(good.buffer).getBigUint64(0, true);
  for (const delta of [-1n, 1n]) {
    const bad = Uint8Array.from(good);
    new DataView(bad.buffer).setBigUint64(0, n + delta, true);
    refused(bad, delta < 0n ? /1 bytes follow the last one \(header length off/ : /header: expected UTF-8 JSON|end within/);
  }
});

test('__metadata__ must be an object of strings; duplicate header keys and non-UTF-8 are refused without quoting the header', () => {
  const empty = new Uint8Array(0);
  for (const meta of [[], ['a'], null, 'x', { n: 1 }, { a: ['b'] }]) refused(fileWith({ __metadata__: meta }, empty), /__metadata__: expected an object of string values/);
  const dup = Buffer.from('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  const file = new Uint8Array(8 + dup.length + 4);
  new DataView(file.buffer).setBigUint64(0, BigInt(dup.length), true);
  file.set(dup, 8);
  refused(file, /header: expected UTF-8 JSON: w: expected each key once/);
  const secret = Buffer.from('root:x:0:0:root:/root:/bin/bash');
  const notJson = new Uint8Array(8 + secret.length);
  new DataView(notJson.buffer).setBigUint64(0, BigInt(secret.length), true);
  notJson.set(secret, 8);
  assert.throws(() => parseSafetensors(notJson, 'x.safetensors'), (err: unknown) => isInputError(err) && /header: expected UTF-8 JSON( \(at character \d+\))?$/.test((err as Error).message) && !(err as Error).message.includes('root'));
  const latin = Uint8Array.from([...fileWith({}, empty)]);
  latin[9] = 0xff;
  refused(latin, /header: expected UTF-8 JSON \(invalid UTF-8\)/);
});

test('readSafetensors reads only regular files under a size limit; openSafetensors reads the header alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvh-st-'));
  try {
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, serializeSafetensors({ w: { shape: [2], data: Float32Array.from([1, 2]) } }));
    const fileRefused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: unknown) => isInputError(err) && pattern.test((err as Error).message));
    fileRefused(() => readSafetensors('/dev/zero'), /\/dev\/zero: \(file\): expected a safetensors file as a regular file, got a device/);
    fileRefused(() => readSafetensors(dir), /got a directory/);
    fileRefused(() => readSafetensors(path, 16), /expected a safetensors file of at most 16 bytes/);
    const fifo = join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status === 0) fileRefused(() => readSafetensors(fifo), /got a FIFO/);
    symlinkSync(path, join(dir, 'link.safetensors')); // a Hugging Face cache is made of symlinks
    assert.deepEqual([...readSafetensors(join(dir, 'link.safetensors')).tensors.get('w')!.data], [1, 2]);
    // A sparse 1.9 GB file whose header claims 475,000,000 floats: the header is checked without reading the data.
    const sparse = join(dir, 'sparse.safetensors');
    const header = Buffer.from(JSON.stringify({ 'transformer.wte.weight': { dtype: 'F32', shape: [475_000_000], data_offsets: [0, 1_900_000_000] } }));
    const head = new Uint8Array(8 + header.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
    head.set(header, 8);
    writeFileSync(sparse, head);
    truncateSync(sparse, head.length + 1_900_000_000);
    const rss = process.memoryUsage().rss;
    const reader = openSafetensors(sparse);
    try {
      assert.deepEqual(reader.header.entries.get('transformer.wte.weight')!.shape, [475_000_000]);
    } finally {
      reader.close();
    }
    assert.ok(process.memoryUsage().rss - rss < 100e6, 'the data was not read');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
