import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker as NodeWorker } from 'node:worker_threads';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { tf, registerAllGradients } from './ops.js';

let ready: Promise<void> | undefined;
let threadsInUse = 1;

/** Options of `initBackend`. */
export interface BackendOptions {
  /** XNNPACK threads (1-8). Default: the `LVH_THREADS` environment variable, else 1 (the single-threaded SIMD build). */
  threads?: number;
}

/**
 * The thread count `initBackend` uses when none is given: `LVH_THREADS` (1-8), else 1. One thread is the
 * default because on 2 cores the threaded build was slower for d=64/2 layers (training and batch-1 forward)
 * and no faster for d=128/4 layers; it helps larger models (d=256/4 layers: +23% training).
 */
export function defaultThreads(): number {
  const env = Number(process.env.LVH_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 8);
  return 1;
}

/** Threads the WASM backend runs XNNPACK on (1 before `initBackend` resolves or when threads are off). */
export function backendThreads(): number {
  return threadsInUse;
}

/**
 * Selects the WASM backend (XNNPACK, SIMD; multithreaded when threads > 1) and registers gradients;
 * idempotent: the first call's thread count holds for the process.
 */
export function initBackend(options: BackendOptions = {}): Promise<void> {
  ready ??= (async () => {
    await registerAllGradients();
    const threads = Math.max(1, Math.min(8, Math.floor(options.threads ?? defaultThreads())));
    const ok = threads > 1 ? await setThreadedBackend(threads) : await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm') throw new Error('initBackend: the tfjs WASM backend did not initialise');
    await tf.ready();
    threadsInUse = wasmBackend.getThreadsCount();
  })();
  return ready;
}

/**
 * Loads tfjs-backend-wasm's threaded SIMD build under Node, which the package turns off there (its flag
 * WASM_HAS_MULTITHREAD_SUPPORT is false under Node, tensorflow/tfjs#3830). Nothing under node_modules is
 * changed; for the duration of the backend's initialisation only:
 * - the flag is set to true;
 * - `globalThis.Worker` (which the Emscripten glue assigns Node's `Worker` to and then calls with a `blob:`
 *   URL Node cannot load) answers a Worker subclass that runs the package's own pthread worker script
 *   (`wasm-out/…-threaded-simd.worker.js`) by eval and points its `load` message at the package's glue file
 *   `wasm-out/tfjs-backend-wasm-threaded-simd.js` (the same build as the bundled one); the workers start
 *   without the parent's Node flags, and the subclass ignores `ref()`, so the idle thread pool never keeps
 *   the process alive;
 * - `os.cpus()` reports twice the wanted threads: the C++ side caps threads at half the logical cores
 *   (it assumes two hyperthreads per core), which would give one thread on a 2-core machine.
 * The glue preallocates 8 pthread workers, so at most 8 threads are asked for.
 */
async function setThreadedBackend(threads: number): Promise<boolean> {
  const require = createRequire(import.meta.url);
  const root = require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, '');
  const glue = `${root}wasm-out/tfjs-backend-wasm-threaded-simd.js`;
  // The script is exported as a template string whose "\n" escapes became newlines; restore them (as the package does).
  const script = (require(`${root}wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  class PthreadWorker extends NodeWorker {
    constructor() {
      // No inherited flags: e.g. --input-type=module would make the (CommonJS) script fail.
      super(script, { eval: true, execArgv: [] });
    }
    override postMessage(message: unknown, transfer?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: string } | null;
      super.postMessage(m && m.cmd === 'load' ? { ...m, urlOrBlob: glue } : message, transfer);
    }
    override ref(): void {}
  }
  const workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  const cpus = os.cpus;
  const real = cpus.call(os);
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(1, real.length)]);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmBackend.setThreadsCount(threads);
  try {
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    return ok;
  } finally {
    os.cpus = cpus;
    if (workerDescriptor) Object.defineProperty(globalThis, 'Worker', workerDescriptor);
    else delete (globalThis as { Worker?: unknown }).Worker;
  }
}
