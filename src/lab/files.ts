/**
 * Directions on disk: safetensors (`direction` [d] or `basis` [k, d], F32, the provenance as string metadata),
 * readable by Python's safetensors and numpy, and llama.cpp GGUF control vectors (`general.architecture` =
 * `controlvector`, one F32 tensor `direction.{L}` per layer).
 */
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/read-input.js';
import type { Direction, DirectionMethod, Provenance, Subspace } from './directions.js';

const METHODS: readonly DirectionMethod[] = ['diff-of-means', 'logistic-probe', 'pca-pairs', 'random'];

/** The provenance as safetensors metadata (every value a string; `seed` "none" when absent). */
export function provenanceMetadata(p: Provenance, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    model: p.model, layer: String(p.layer), hook: p.hook, position: String(p.position), method: p.method, data: p.data,
    seed: p.seed === null ? 'none' : String(p.seed), format: 'latent-values direction v1',
  };
}

function provenanceFrom(meta: Record<string, string> | undefined, file: string): Provenance {
  const m = meta ?? {};
  const need = (k: string): string => {
    if (typeof m[k] !== 'string') throw new InputError(file, `__metadata__.${k}`, 'expected a string (a direction saved by lvh lab)');
    return m[k];
  };
  const layer = Number(need('layer'));
  const position = Number(need('position'));
  if (!Number.isInteger(layer)) throw new InputError(file, '__metadata__.layer', 'expected an integer');
  if (!Number.isInteger(position)) throw new InputError(file, '__metadata__.position', 'expected an integer');
  const method = need('method') as DirectionMethod;
  if (!METHODS.includes(method)) throw new InputError(file, '__metadata__.method', `expected one of ${METHODS.join(', ')}`);
  const seed = need('seed');
  return { model: need('model'), layer, hook: need('hook'), position, method, data: need('data'), seed: seed === 'none' ? null : Number(seed) };
}

/** The safetensors bytes of a direction (tensor `direction` [d]) or a subspace (tensor `basis` [k, d]). */
export function directionBytes(x: Direction | Subspace, extra: Record<string, string> = {}): Uint8Array {
  if ('vector' in x) return serializeSafetensors({ direction: { shape: [x.vector.length], data: Float32Array.from(x.vector) } }, provenanceMetadata(x.provenance, extra));
  const k = x.basis.length;
  const d = x.basis[0]?.length ?? 0;
  const data = new Float32Array(k * d);
  x.basis.forEach((row, i) => data.set(row, i * d));
  return serializeSafetensors({ basis: { shape: [k, d], data } }, provenanceMetadata(x.provenance, { ...extra, energy: JSON.stringify(x.energy) }));
}

/** Saves a direction or subspace as safetensors (atomic write). */
export function saveDirection(path: string, x: Direction | Subspace, extra: Record<string, string> = {}): void {
  writeFileAtomic(path, directionBytes(x, extra));
}

/** Loads a direction or subspace saved by `saveDirection` (size-limited read; InputErrors name the field). */
export function loadDirection(path: string): Direction | Subspace {
  const buf = readInputFile(path, { what: 'a direction (.safetensors from lvh lab)', maxBytes: 256 * 1024 * 1024 });
  const file = parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
  const provenance = provenanceFrom(file.metadata, path);
  const dir = file.tensors.get('direction');
  if (dir) {
    if (dir.shape.length !== 1) throw new InputError(path, 'direction', 'expected shape [d]');
    return { vector: Float64Array.from(dir.data), provenance };
  }
  const basis = file.tensors.get('basis');
  if (!basis || basis.shape.length !== 2) throw new InputError(path, 'basis', 'expected a tensor "direction" [d] or "basis" [k, d]');
  const [k, d] = basis.shape;
  let energy: number[] = [];
  try {
    energy = JSON.parse(file.metadata?.energy ?? '[]') as number[];
  } catch {
    throw new InputError(path, '__metadata__.energy', 'expected a JSON list of numbers');
  }
  return { basis: Array.from({ length: k }, (_, i) => Float64Array.from(basis.data.subarray(i * d, (i + 1) * d))), energy, provenance };
}

// GGUF (version 3): little-endian; strings are a u64 length and UTF-8 bytes; tensor data aligned to 32 bytes.
const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_ALIGNMENT = 32;
const T_UINT32 = 4;
const T_INT32 = 5;
const T_STRING = 8;
const GGML_F32 = 0;

/** The llama.cpp layer index of a hook: `blocks.L.hook_resid_post` → L, `blocks.L.hook_resid_pre` → L − 1 (null when not a block output). */
export function controlVectorLayer(hook: string): number | null {
  const m = /^blocks\.(\d+)\.hook_resid_(pre|post)$/.exec(hook);
  if (!m) return null;
  return m[2] === 'post' ? Number(m[1]) : Number(m[1]) - 1;
}

/**
 * A llama.cpp control vector as GGUF bytes. llama.cpp adds `direction.L` to the output of block L and never to block 0
 * (its loader rejects `direction.0`), so each direction must sit on a block output `blocks.L.hook_resid_post`
 * (or `blocks.{L+1}.hook_resid_pre`) with L ≥ 1. Layers 1 … layers−1 are all written (zeros where no direction is
 * given), as llama.cpp's cvector-generator does, with `controlvector.layer_count` = layers − 1.
 */
export function controlVectorBytes(directions: Direction[], opts: { layers: number; modelHint: string; scale?: number }): Uint8Array {
  if (directions.length === 0) throw new Error('controlVectorBytes: no directions');
  const d = directions[0].vector.length;
  const byLayer = new Map<number, Float64Array>();
  for (const dir of directions) {
    const layer = controlVectorLayer(dir.provenance.hook);
    if (layer === null || layer < 1 || layer >= opts.layers) {
      throw new InputError('direction', dir.provenance.hook, `expected a block output with llama.cpp layer in [1, ${opts.layers - 1}] (blocks.L.hook_resid_post, L ≥ 1); llama.cpp never steers block 0`);
    }
    if (dir.vector.length !== d) throw new Error('controlVectorBytes: directions of different widths');
    byLayer.set(layer, dir.vector);
  }
  const scale = opts.scale ?? 1;
  const chunks: Uint8Array[] = [];
  const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); chunks.push(b); };
  const i32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); chunks.push(b); };
  const u64 = (v: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); chunks.push(b); };
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); u64(b.length); chunks.push(new Uint8Array(b)); };
  const names = Array.from({ length: opts.layers - 1 }, (_, i) => i + 1);
  u32(GGUF_MAGIC);
  u32(3);
  u64(names.length); // tensors
  u64(3); // metadata pairs
  str('general.architecture'); u32(T_STRING); str('controlvector');
  str('controlvector.model_hint'); u32(T_STRING); str(opts.modelHint);
  str('controlvector.layer_count'); u32(T_INT32); i32(names.length);
  names.forEach((layer, i) => {
    str(`direction.${layer}`);
    u32(1); // dims
    u64(d);
    u32(GGML_F32);
    u64(i * Math.ceil((4 * d) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT); // offset within the data section
  });
  let size = chunks.reduce((s, c) => s + c.length, 0);
  const pad = (GGUF_ALIGNMENT - (size % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
  chunks.push(new Uint8Array(pad));
  size += pad;
  const stride = Math.ceil((4 * d) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  const data = new Uint8Array(stride * names.length);
  const view = new DataView(data.buffer);
  names.forEach((layer, i) => {
    const v = byLayer.get(layer);
    if (v) for (let j = 0; j < d; j++) view.setFloat32(i * stride + 4 * j, v[j] * scale, true);
  });
  chunks.push(data);
  const out = new Uint8Array(size + data.length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** Writes a GGUF control vector (atomic). */
export function saveControlVector(path: string, directions: Direction[], opts: { layers: number; modelHint: string; scale?: number }): void {
  writeFileAtomic(path, controlVectorBytes(directions, opts));
}

/** A parsed GGUF file: string/int metadata and F32 tensors (enough to check a control vector). */
export interface GgufFile {
  version: number;
  metadata: Map<string, string | number>;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Parses GGUF v3 bytes holding string, u32/i32 metadata and F32 tensors (other types are refused). */
export function parseGguf(bytes: Uint8Array, file: string): GgufFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number) => { if (at + n > bytes.length) throw new InputError(file, `byte ${at}`, 'expected more bytes (truncated GGUF)'); };
  const u32 = () => { need(4); const v = view.getUint32(at, true); at += 4; return v; };
  const u64 = () => { need(8); const v = Number(view.getBigUint64(at, true)); at += 8; return v; };
  const str = () => { const n = u64(); need(n); const s = Buffer.from(bytes.subarray(at, at + n)).toString('utf8'); at += n; return s; };
  if (u32() !== GGUF_MAGIC) throw new InputError(file, 'magic', 'expected "GGUF"');
  const version = u32();
  if (version !== 3) throw new InputError(file, 'version', `expected 3, got ${version}`);
  const tensorCount = u64();
  const kvCount = u64();
  const metadata = new Map<string, string | number>();
  let alignment = GGUF_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    const type = u32();
    if (type === T_STRING) metadata.set(key, str());
    else if (type === T_UINT32) metadata.set(key, u32());
    else if (type === T_INT32) { need(4); metadata.set(key, view.getInt32(at, true)); at += 4; }
    else throw new InputError(file, key, `expected a string or 32-bit integer value (type ${type} not supported here)`);
    if (key === 'general.alignment') alignment = Number(metadata.get(key));
  }
  const infos: { name: string; shape: number[]; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = str();
    const dims = u32();
    const shape = Array.from({ length: dims }, () => u64());
    const type = u32();
    if (type !== GGML_F32) throw new InputError(file, name, `expected an F32 tensor, got ggml type ${type}`);
    infos.push({ name, shape, offset: u64() });
  }
  const dataStart = Math.ceil(at / alignment) * alignment;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of infos) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + t.offset;
    if (start + 4 * count > bytes.length) throw new InputError(file, t.name, 'expected its data inside the file');
    const data = new Float32Array(count);
    for (let j = 0; j < count; j++) data[j] = view.getFloat32(start + 4 * j, true);
    tensors.set(t.name, { shape: t.shape, data });
  }
  return { version, metadata, tensors };
}
