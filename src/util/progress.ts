/** Progress reporting: a redrawn bar with ETA on a terminal, plain periodic lines otherwise. */
export interface Progress {
  /** Sets the number of finished units and an optional status text (e.g. "loss 2.31"). */
  update(done: number, status?: string): void;
  /** Ends the bar with a final line. */
  finish(status?: string): void;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A progress reporter writing to stderr; silent when `quiet` (e.g. under --json). */
export function createProgress(label: string, total: number, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const start = Date.now();
  let lastPrint = 0;
  let lastDone = 0;
  const line = (done: number, status?: string): string => {
    const elapsed = (Date.now() - start) / 1000;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = done > 0 ? (elapsed * (total - done)) / done : NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    return `${label} ${bar} ${done}/${total} ${(frac * 100).toFixed(0)}% elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${status ? ` ${status}` : ''}`;
  };
  return {
    update(done, status) {
      lastDone = done;
      if (opts.quiet) return;
      const now = Date.now();
      if (tty) {
        if (now - lastPrint < 100 && done < total) return;
        stream.write(`\r\x1b[2K${line(done, status)}`);
      } else {
        if (now - lastPrint < 2000 && done < total) return;
        stream.write(`${line(done, status)}\n`);
      }
      lastPrint = now;
    },
    finish(status) {
      if (opts.quiet) return;
      stream.write(`${tty ? '\r\x1b[2K' : ''}${line(lastDone, status)}\n`);
    },
  };
}
