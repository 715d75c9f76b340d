import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import type { SweepSpec } from './spec.js';

/** The SVG files a finished sweep writes next to report.html. */
export const SWEEP_PLOT_FILES = ['alignment-vs-eta.svg', 'capacity.svg', 'agreement.svg', 'adversarial.svg'] as const;

/** The files of a sweep's output folder. */
export interface SweepPaths {
  dir: string;
  /** The validated spec the run was started with (resume refuses another one). */
  spec: string;
  /** One JSON line per finished cell, in the order they finished. */
  cells: string;
  /** All cells in grid order, written once every cell is done. */
  results: string;
  report: string;
}

/** The paths of the files a sweep writes into `dir`. */
export function sweepPaths(dir: string): SweepPaths {
  return {
    dir,
    spec: join(dir, 'spec.json'),
    cells: join(dir, 'cells.jsonl'),
    results: join(dir, 'results.json'),
    report: join(dir, 'report.html'),
  };
}

/** The canonical text of a spec, as saved in `spec.json` and compared on resume. */
export function specText(spec: SweepSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * Prepares the output folder: with `fresh`, forgets earlier cells; otherwise a folder started with another
 * spec is refused (InputError), so resumed cells always belong to the same grid.
 */
export function prepareOutput(paths: SweepPaths, spec: SweepSpec, specFile: string, fresh: boolean): void {
  const text = specText(spec);
  if (fresh) {
    for (const file of [paths.cells, paths.results, paths.report, ...SWEEP_PLOT_FILES.map((f) => join(paths.dir, f))]) rmSync(file, { force: true });
  } else if (existsSync(paths.spec) && readFileSync(paths.spec, 'utf8') !== text) {
    throw new InputError(specFile, '(spec)', `expected the same spec as the run already in ${paths.dir}; pass --fresh to start over or choose another --out`);
  }
  if (!existsSync(paths.spec) || readFileSync(paths.spec, 'utf8') !== text) writeFileAtomic(paths.spec, text);
}

/** What `readFinishedCells` found: the finished lines by key, and how many broken or foreign lines it dropped. */
export interface FinishedCells {
  lines: Map<string, string>;
  dropped: number;
}

/**
 * Reads the finished cells of `cells.jsonl`. A line that does not parse (a write cut by a kill), a duplicate key
 * or a key outside the grid is dropped, and the file is rewritten atomically without it, so appends continue
 * from complete lines only.
 */
export function readFinishedCells(path: string, gridKeys: Set<string>): FinishedCells {
  const lines = new Map<string, string>();
  if (!existsSync(path)) return { lines, dropped: 0 };
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  // The last part is '' after a trailing newline, or the remains of a cut write.
  let dropped = parts[parts.length - 1] === '' ? 0 : 1;
  for (const line of parts.slice(0, -1)) {
    const key = lineKey(line);
    if (key === null || !gridKeys.has(key) || lines.has(key)) dropped++;
    else lines.set(key, line);
  }
  if (dropped > 0) writeFileAtomic(path, [...lines.values()].map((l) => `${l}\n`).join(''));
  return { lines, dropped };
}

function lineKey(line: string): string | null {
  try {
    const parsed = JSON.parse(line) as { key?: unknown };
    return typeof parsed.key === 'string' ? parsed.key : null;
  } catch {
    return null;
  }
}
