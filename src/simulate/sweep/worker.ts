// Worker thread of `lvh sweep`: receives the spec once, then cells one at a time, and answers each with its JSON line.
import { parentPort } from 'node:worker_threads';
import { isInputError, type InputError } from '../../util/errors.js';
import { cellLine } from './cell.js';
import type { SweepCell } from './grid.js';
import type { SweepSpec } from './spec.js';

/** A message from the main thread: the spec (once), then cells. */
export type WorkerRequest = { type: 'spec'; spec: SweepSpec } | { type: 'cell'; cell: SweepCell };
/** A worker's answer: the finished line of a cell, or the error it threw. */
export type WorkerReply = { type: 'ready' } | { type: 'done'; key: string; line: string } | { type: 'error'; key: string; message: string; input?: Pick<InputError, 'file' | 'field' | 'expected'> };

let spec: SweepSpec | null = null;
const port = parentPort;
if (port) {
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'spec') {
      spec = msg.spec;
      return;
    }
    try {
      if (!spec) throw new Error('sweep worker: cell before spec');
      port.postMessage({ type: 'done', key: msg.cell.key, line: cellLine(spec, msg.cell) } satisfies WorkerReply);
    } catch (err) {
      // An InputError crosses the thread as its parts, so that the main thread throws it again (exit 2, one line).
      const input = isInputError(err) ? { file: err.file, field: err.field, expected: err.expected } : undefined;
      port.postMessage({ type: 'error', key: msg.cell.key, message: err instanceof Error ? (err.stack ?? err.message) : String(err), input } satisfies WorkerReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
