import '@tensorflow/tfjs-backend-wasm';
import { tf, registerAllGradients } from './ops.js';

let ready: Promise<void> | undefined;

/** Selects the WASM backend (XNNPACK, SIMD, one thread) and registers gradients; idempotent. */
export function initBackend(): Promise<void> {
  ready ??= (async () => {
    await registerAllGradients();
    const ok = await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm') throw new Error('initBackend: the tfjs WASM backend did not initialise');
    await tf.ready();
  })();
  return ready;
}
