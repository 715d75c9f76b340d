/**
 * The safetensors format: 8 bytes little-endian header length N, N bytes of JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }`,
 * then the data. The reader checks everything before trusting it; the writer writes F32.
 */
import { closeSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { InputError, isInputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { INPUT_LIMITS, openInputFile } from '../util/read-input.js';

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

/** The stored float types this reader decodes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

/** One tensor as the header describes it: dtype, shape and its byte span [begin, end) in the data region. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A checked header: the tensor entries (they tile the data region exactly), the metadata and where the data starts. */
export interface SafetensorsHeader {
  entries: Map<string, TensorEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data region in the file (8 + header length). */
  dataStart: number;
}

const LITTLE_ENDIAN = endianness() === 'LE';
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Header larger than this is refused (the reference implementation uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The header length stored in the first 8 bytes, checked against the limit and the file size. */
export function headerLength(first8: Uint8Array, fileBytes: number, file: string): number {
  if (fileBytes < 8 || first8.length < 8) throw new InputError(file, 'header length', `expected a safetensors file of at least 8 bytes; got ${fileBytes} (truncated?)`);
  const headerLen = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) throw new InputError(file, 'header length', `expected at most ${MAX_HEADER_BYTES} bytes; got ${headerLen} (corrupt file?)`);
  if (8 + headerLen > fileBytes) throw new InputError(file, 'header length', `expected a header within the file (${fileBytes - 8} bytes after the length); got ${headerLen} (truncated?)`);
  return headerLen;
}

/**
 * Parses and checks the header of a safetensors file of `fileBytes` bytes, from a buffer holding at least its
 * first 8 + header-length bytes. Every tensor must have a known dtype, a shape matching its byte count, and the
 * spans must tile the data region exactly: no gap, no overlap, nothing after the last tensor (as the reference
 * implementation requires; a header length off by one shows up here).
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileBytes: number, file: string): SafetensorsHeader {
  const headerLen = headerLength(prefix, fileBytes, file);
  if (prefix.length < 8 + headerLen) throw new Error(`parseSafetensorsHeader: given ${prefix.length} bytes, the header needs ${8 + headerLen}`);
  let header: unknown;
  try {
    header = parseJsonStrict(new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, 8 + headerLen)), file);
  } catch (err) {
    // Neither message quotes the header: parseJsonStrict gives a position only, TextDecoder no content.
    const detail = isInputError(err) ? (err.field === '(file)' ? err.expected.replace(/^expected valid JSON/, '') : `: ${err.field}: ${err.expected}`) : ' (invalid UTF-8)';
    throw new InputError(file, 'header', `expected UTF-8 JSON${detail}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InputError(file, 'header', 'expected a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = fileBytes - dataStart;
  const entries = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || Object.values(entry).some((v) => typeof v !== 'string')) {
        throw new InputError(file, '__metadata__', 'expected an object of string values');
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new InputError(file, name, 'expected an object with dtype, shape and data_offsets');
    if (typeof e.dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, e.dtype)) {
      throw new InputError(file, `${name}.dtype`, `expected one of F32, F16, BF16; got ${typeof e.dtype === 'string' && e.dtype.length <= 16 ? JSON.stringify(e.dtype) : typeof e.dtype}`);
    }
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new InputError(file, `${name}.shape`, 'expected an array of non-negative integers');
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((d) => !Number.isSafeInteger(d) || d < 0) || off[0] > off[1]) {
      throw new InputError(file, `${name}.data_offsets`, 'expected two integers [begin, end] with 0 <= begin <= end');
    }
    const [begin, end] = off as [number, number];
    if (end > dataLen) throw new InputError(file, `${name}.data_offsets`, `expected an end within the ${dataLen} data bytes; got ${end} (truncated?)`);
    const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (bytes !== end - begin) {
      throw new InputError(file, `${name}.data_offsets`, `expected ${bytes} bytes for ${dtype} [${shape.join(', ')}]; got ${end - begin}`);
    }
    entries.set(name, { name, dtype, shape, begin, end });
  }
  const spans = [...entries.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const span of spans) {
    if (span.begin < at) throw new InputError(file, `${span.name}.data_offsets`, `expected bytes not overlapping another tensor (corrupt file?)`);
    if (span.begin > at) {
      throw new InputError(file, `${span.name}.data_offsets`, `expected the tensors to tile the data region; data bytes ${at}-${span.begin} belong to no tensor (corrupt file?)`);
    }
    at = span.end;
  }
  if (at !== dataLen) {
    throw new InputError(file, 'data_offsets', `expected the tensors to end at the end of the file; ${dataLen - at} bytes follow the last one (header length off, or corrupt file?)`);
  }
  return { entries, metadata, dataStart };
}

/** Decodes one tensor's bytes (exactly `entry.end - entry.begin` of them) to float32; NaN or ±Infinity is refused naming the tensor. */
export function decodeTensor(bytes: Uint8Array, entry: TensorEntry, file: string): Float32Array {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * DTYPE_BYTES[entry.dtype]) throw new Error(`decodeTensor: ${entry.name} needs ${count * DTYPE_BYTES[entry.dtype]} bytes, given ${bytes.length}`);
  const out = decode(bytes, count, entry.dtype);
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(out[i])) {
      throw new InputError(file, entry.name, `expected finite weights; value ${i} of ${count} is ${out[i]} (corrupt or overflowed checkpoint?)`);
    }
  }
  return out;
}

/** Parses and validates a whole safetensors buffer (header, tiling, finite values); `file` names it in errors. */
export function parseSafetensors(buf: Uint8Array, file: string): SafetensorsFile {
  const header = parseSafetensorsHeader(buf, buf.length, file);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, e] of header.entries) {
    const bytes = buf.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    tensors.set(name, { shape: e.shape, data: decodeTensor(bytes, e, file) });
  }
  return { tensors, metadata: header.metadata };
}

function decode(bytes: Uint8Array, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32: every value (and every Inf/NaN pattern) maps exactly.
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

/** An open safetensors file whose header is checked; tensors are read and decoded one at a time. */
export interface SafetensorsReader {
  file: string;
  header: SafetensorsHeader;
  /** Reads and decodes tensor `name` (finite values checked). */
  read(name: string): NamedTensor;
  close(): void;
}

/**
 * Opens a safetensors file and checks its header without reading the data: a regular file (symlinks followed)
 * of at most `maxBytes` (INPUT_LIMITS.weights by default); FIFOs and devices are refused.
 */
export function openSafetensors(path: string, maxBytes: number = INPUT_LIMITS.weights): SafetensorsReader {
  const { fd, size } = openInputFile(path, { what: 'a safetensors file', maxBytes });
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  const readAt = (length: number, position: number): Buffer => {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, position + done);
      if (n === 0) throw new InputError(path, '(file)', `expected a safetensors file; it shrank while being read`);
      done += n;
    }
    return buf;
  };
  try {
    const headerLen = headerLength(readAt(Math.min(8, size), 0), size, path);
    const header = parseSafetensorsHeader(readAt(8 + headerLen, 0), size, path);
    return {
      file: path,
      header,
      read: (name) => {
        const e = header.entries.get(name);
        if (!e) throw new Error(`openSafetensors: ${path} has no tensor ${name}`);
        return { shape: e.shape, data: decodeTensor(readAt(e.end - e.begin, header.dataStart + e.begin), e, path) };
      },
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/** Reads and validates a whole safetensors file (size-limited, regular files only). */
export function readSafetensors(path: string, maxBytes: number = INPUT_LIMITS.weights): SafetensorsFile {
  const reader = openSafetensors(path, maxBytes);
  try {
    const tensors = new Map<string, NamedTensor>();
    for (const name of reader.header.entries.keys()) tensors.set(name, reader.read(name));
    return { tensors, metadata: reader.header.metadata };
  } finally {
    reader.close();
  }
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
