/**
 * onnxruntime-node sessions: the one place the engine talks to ORT. Threads map to ORT's intra-op
 * threads; the execution provider is `cpu` (MLAS kernels, always there) or `cuda` (only with an
 * onnxruntime-node build that carries the CUDA provider).
 */
import * as ort from 'onnxruntime-node';
import { InputError } from '../../util/errors.js';

/** Where graphs run. */
export type Device = 'cpu' | 'cuda';

/** Options of a session. */
export interface EngineOptions {
  /** ORT intra-op threads; default `LVH_THREADS`, else 1. */
  threads?: number;
  /** Execution provider; default `cpu`. */
  device?: Device;
}

/** A host tensor: float32 or int64 data with its shape. */
export interface HostTensor {
  data: Float32Array | BigInt64Array;
  shape: number[];
}

/** The thread count used when none is given: `LVH_THREADS` (1-64), else 1. */
export function engineThreads(threads?: number): number {
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new InputError('--threads', 'threads', `expected a positive integer; got ${threads}`);
    return threads;
  }
  const env = process.env.LVH_THREADS;
  if (env === undefined || env === '') return 1;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError('LVH_THREADS', 'value', `expected an integer 1-64; got ${JSON.stringify(env)}`);
  return n;
}

/** True when the installed onnxruntime-node binding carries `device`'s execution provider. */
export function deviceAvailable(device: Device): boolean {
  if (device === 'cpu') return true;
  return ort.listSupportedBackends().some((b) => b.name === device && b.bundled);
}

/** Refuses a device the installed binding lacks, with the way to get it. */
export function checkDevice(device: Device): void {
  if (device !== 'cpu' && device !== 'cuda') throw new InputError('--device', 'device', `expected cpu or cuda; got ${JSON.stringify(device)}`);
  if (!deviceAvailable(device)) {
    throw new InputError('--device', 'cuda', 'expected an onnxruntime-node build with the CUDA execution provider (this install has CPU only; reinstall it with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` on a machine with CUDA 12)');
  }
}

/** A compiled graph: run it with named host tensors, get named host tensors back. */
export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph on `feeds` (by input name); returns the outputs asked for (all when omitted). */
  run(feeds: Record<string, HostTensor | ort.Tensor>, outputs?: string[]): Promise<Record<string, ort.Tensor>>;
  /** Frees the native session. */
  release(): Promise<void>;
}

/** An ORT tensor over a host tensor's data (no copy). */
export function toOrt(t: HostTensor | ort.Tensor): ort.Tensor {
  if ('dims' in t) return t; // already an ORT tensor
  return t.data instanceof Float32Array ? new ort.Tensor('float32', t.data, t.shape) : new ort.Tensor('int64', t.data, t.shape);
}

/** Compiles an encoded ONNX model into a session. */
export async function createSession(model: Uint8Array, opts: EngineOptions = {}): Promise<GraphSession> {
  const device = opts.device ?? 'cpu';
  checkDevice(device);
  const threads = engineThreads(opts.threads);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [device],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    logSeverityLevel: 3,
    // Idle pool threads sleep instead of spinning (as torch's OMP_WAIT_POLICY=PASSIVE): spinning workers
    // fight every other process for the cores of a small shared machine. LVH_ORT_SPIN=1 turns spinning on.
    extra: { session: { intra_op: { allow_spinning: process.env.LVH_ORT_SPIN === '1' ? '1' : '0' } } },
  });
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      // Feeds the graph does not take (a pruned weight, a segment's other inputs) are left out.
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const name of session.inputNames) {
        const v = feeds[name];
        if (!v) throw new Error(`run: no feed for graph input "${name}"`);
        ortFeeds[name] = toOrt(v);
      }
      return outputs ? session.run(ortFeeds, outputs) : session.run(ortFeeds);
    },
    release: () => session.release(),
  };
}
