import { Worker } from 'node:worker_threads';
import { InputError, isInputError } from '../../util/errors.js';
import { cellLine } from './cell.js';
import type { SweepCell } from './grid.js';
import type { SweepSpec } from './spec.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

/** A cell's InputError (a world the spec allowed but the theory refused), with the cell's key in front of the field. */
function cellInputError(key: string, err: Pick<InputError, 'file' | 'field' | 'expected'>): InputError {
  return new InputError(err.file, `${err.field} (sweep cell ${key})`, err.expected);
}

/** Called on the main thread, in finishing order, with each cell's JSON line; returning false stops the run. */
export type OnCellDone = (cell: SweepCell, line: string) => boolean | void;

/**
 * Starts one sweep worker: the compiled `worker.js` next to this file, or, when this module runs as TypeScript
 * source under tsx (tests, development), a small bootstrap that registers tsx in the thread and imports `worker.ts`.
 */
export function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * Evaluates `cells` and hands each finished line to `onDone` on the calling thread. With `workers` ≥ 1 the cells
 * are dealt out in order to that many worker threads (each takes the next cell when it is free); with 0 they run
 * inline. Resolves when all cells are done or `onDone` returned false; rejects on the first cell that throws.
 */
export async function runCells(spec: SweepSpec, cells: SweepCell[], workers: number, onDone: OnCellDone): Promise<void> {
  if (workers <= 0 || cells.length === 0) {
    for (const cell of cells) {
      let line: string;
      try {
        line = cellLine(spec, cell);
      } catch (err) {
        if (isInputError(err)) throw cellInputError(cell.key, err);
        throw err;
      }
      if (onDone(cell, line) === false) return;
    }
    return;
  }
  const count = Math.min(workers, cells.length);
  const threads: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let stopped = false;
      const byKey = new Map(cells.map((c) => [c.key, c]));
      const finish = (err?: Error): void => {
        if (stopped) return;
        stopped = true;
        if (err) reject(err);
        else resolve();
      };
      const feed = (worker: Worker): void => {
        if (stopped) return;
        if (next >= cells.length) {
          if (running === 0) finish();
          return;
        }
        running++;
        worker.postMessage({ type: 'cell', cell: cells[next++] } satisfies WorkerRequest);
      };
      for (let i = 0; i < count; i++) {
        const worker = startWorker();
        threads.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          // A worker gets its first cell once it has loaded (and listens), then one more per answer.
          if (reply.type === 'ready') {
            worker.postMessage({ type: 'spec', spec } satisfies WorkerRequest);
            return feed(worker);
          }
          running--;
          if (stopped) return;
          if (reply.type === 'error') {
            if (reply.input) return finish(cellInputError(reply.key, reply.input));
            return finish(new Error(`sweep cell ${reply.key} failed:\n${reply.message}`));
          }
          let keepGoing: boolean | void;
          try {
            keepGoing = onDone(byKey.get(reply.key)!, reply.line);
          } catch (err) {
            return finish(err as Error);
          }
          if (keepGoing === false) return finish();
          feed(worker);
        });
        worker.on('error', (err) => finish(err));
        worker.on('exit', (code) => {
          if (!stopped && code !== 0) finish(new Error(`sweep worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
