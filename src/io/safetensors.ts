/**
 * The safetensors format: 8 bytes little-endian header length N, N bytes of JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }`,
 * then the data. The reader checks everything before trusting it; the writer writes F32.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { InputError } from '../util/errors.js';

/** One tensor decoded to float32, with its shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Contents of a safetensors file: tensors by name and the string metadata. */
export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN = endianness() === 'LE';
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
/** Header larger than this is refused (the reference implementation uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Parses and validates a safetensors buffer; `file` names it in errors. */
export function parseSafetensors(buf: Uint8Array, file: string): SafetensorsFile {
  if (buf.length < 8) throw new InputError(file, 'header length', `expected a safetensors file of at least 8 bytes; got ${buf.length} (truncated?)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) throw new InputError(file, 'header length', `expected at most ${MAX_HEADER_BYTES} bytes; got ${headerLen} (corrupt file?)`);
  if (8 + headerLen > buf.length) throw new InputError(file, 'header length', `expected a header within the file (${buf.length - 8} bytes after the length); got ${headerLen} (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw new InputError(file, 'header', `expected UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InputError(file, 'header', 'expected a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string')) {
        throw new InputError(file, '__metadata__', 'expected an object of string values');
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new InputError(file, name, 'expected an object with dtype, shape and data_offsets');
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
      throw new InputError(file, `${name}.dtype`, `expected one of F32, F16, BF16; got ${JSON.stringify(e.dtype)}`);
    }
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new InputError(file, `${name}.shape`, 'expected an array of non-negative integers');
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((d) => !Number.isSafeInteger(d) || d < 0) || off[0] > off[1]) {
      throw new InputError(file, `${name}.data_offsets`, 'expected two integers [begin, end] with 0 <= begin <= end');
    }
    const [begin, end] = off as [number, number];
    if (end > dataLen) throw new InputError(file, `${name}.data_offsets`, `expected an end within the ${dataLen} data bytes; got ${end} (truncated?)`);
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    const bytes = count * DTYPE_BYTES[e.dtype];
    if (bytes !== end - begin) {
      throw new InputError(file, `${name}.data_offsets`, `expected ${bytes} bytes for ${e.dtype} [${(e.shape as number[]).join(', ')}]; got ${end - begin}`);
    }
    spans.push({ name, begin, end });
    tensors.set(name, { shape: e.shape as number[], data: decode(buf, dataStart + begin, count, e.dtype) });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].begin < spans[i - 1].end) {
      throw new InputError(file, `${spans[i].name}.data_offsets`, `expected bytes not overlapping ${spans[i - 1].name} (corrupt file?)`);
    }
  }
  return { tensors, metadata };
}

function decode(buf: Uint8Array, offset: number, count: number, dtype: string): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(buf.buffer, buf.byteOffset + offset, count * DTYPE_BYTES[dtype]);
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    out.set(new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + 4 * count)));
  } else if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'BF16') {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      tmp.setUint32(0, view.getUint16(2 * i, true) << 16);
      out[i] = tmp.getFloat32(0);
    }
  } else {
    for (let i = 0; i < count; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
  }
  return out;
}

/** IEEE half-precision bits → number. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reads and validates a safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new InputError(path, 'file', `expected a readable safetensors file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseSafetensors(buf, path);
}

/** Serialises tensors as F32 safetensors (names sorted, header padded to 8 bytes) with optional string metadata. */
export function serializeSafetensors(tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`serializeSafetensors: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}
