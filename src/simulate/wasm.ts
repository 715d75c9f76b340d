// A minimal WebAssembly assembler: enough to write the simulator's few SIMD and integer kernels as byte arrays in
// TypeScript (no toolchain, no binary blob in the repository), and the slice of the WebAssembly API that runs them.

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(v: number): number[] {
  const out: number[] = [];
  v |= 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction encoders (the opcodes the kernels use). */
export const w = {
  get: (i: number): number[] => [0x20, i],
  set: (i: number): number[] => [0x21, i],
  tee: (i: number): number[] => [0x22, i],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  f64: (v: number): number[] => [0x44, ...Array.from(new Uint8Array(Float64Array.of(v).buffer))],
  /** Memory access with (log2 alignment, byte offset). */
  mem: (opcode: number, align: number, offset: number): number[] => [opcode, ...uleb(align), ...uleb(offset)],
  simd: (opcode: number, align?: number, offset?: number): number[] => [0xfd, ...uleb(opcode), ...(align === undefined ? [] : [...uleb(align), ...uleb(offset ?? 0)])],
  loop: [0x03, 0x40],
  block: [0x02, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, depth],
  brIf: (depth: number): number[] => [0x0d, depth],
  ret: [0x0f],
  select: [0x1b],
};

/** Opcodes (plain and SIMD). */
export const op = {
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Xor: 0x73,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  f64Mul: 0xa2,
  f64ConvertI32S: 0xb7,
  v128Load: 0x00,
  v128Load64Splat: 0x0a,
  v128Store: 0x0b,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
};

/** One exported function: its signature, extra locals (runs of [count, type]) and body (without the final `end`). */
export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  locals: Array<[number, number]>;
  body: number[];
}

/** A module that imports its memory as `m.mem` and exports the given functions, in order. */
export function assembleModule(functions: WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const codes = functions.map((f) => {
    const code = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 1]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(codes)),
  ]);
}

/** WebAssembly linear memory (64 KiB pages). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// The slice of the WebAssembly API used here (the project's TypeScript lib has no DOM, hence no WebAssembly types).
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Instantiates an assembled module on a fresh memory of `pages` pages; returns the memory and the exports. */
export function instantiate(bytes: Uint8Array, pages: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(new wasm.Module(bytes), { m: { mem: memory } });
  return { memory, exports: instance.exports };
}

/** Grows `memory` to hold at least `bytes` bytes. */
export function ensureBytes(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
