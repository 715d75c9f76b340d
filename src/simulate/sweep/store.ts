import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** The names a sweep writes into its folder (temp files of atomic writes aside). */
function isSweepFile(name: string): boolean {
  return ['spec.json', 'cells.jsonl', 'results.json', 'report.html', ...SWEEP_PLOT_FILES].includes(name) || name.startsWith('.lvh-tmp-');
}

/**
 * Prepares the output folder: with `fresh`, forgets earlier cells; otherwise a folder started with another
 * spec is refused (InputError), so resumed cells always belong to the same grid. A folder that holds no
 * spec.json but other files (another command's run, e.g. `lvh demo`'s demo.json and report.html) is refused
 * too, with or without `fresh`, so a sweep never writes its report over them.
 */
export function prepareOutput(paths: SweepPaths, spec: SweepSpec, specFile: string, fresh: boolean): void {
  const text = specText(spec);
  if (!existsSync(paths.spec) && existsSync(paths.dir)) {
    const foreign = readdirSync(paths.dir).filter((name) => !isSweepFile(name));
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} in all)` : '');
      throw new InputError('lvh sweep', '--out', `expected an empty folder or a sweep's own folder (with spec.json), but ${paths.dir} holds ${shown}, not written by a sweep; choose another --out`);
    }
  }
  if (fresh) {
    for (const file of [paths.cells, paths.results, paths.report, ...SWEEP_PLOT_FILES.map((f) => join(paths.dir, f))]) rmSync(file, { force: true });
  } else if (existsSync(paths.spec) && readFileSync(paths.spec, 'utf8') !== text) {
    throw new InputError(specFile, '(spec)', `expected the same spec as the run already in ${paths.dir}; pass --fresh to start over or choose another --out`);
  }
  if (!existsSync(paths.spec) || readFileSync(paths.spec, 'utf8') !== text) writeFileAtomic(paths.spec, text);
}

/** What `readFinishedCells` found: the finished lines by key (without checksums), and the lines it set aside. */
export interface FinishedCells {
  /** Each finished cell's JSON line as `cellLine` wrote it (the checksum field removed), by key. */
  lines: Map<string, string>;
  /** Lines that do not parse (a write cut by a kill), duplicates and keys outside the grid. */
  dropped: number;
  /** Parseable lines of the grid whose checksum is missing (an older version wrote them) or does not match (edited). */
  tampered: number;
}

/** The checksum of a cell's line: the first 16 hex digits of the SHA-256 of its text without the checksum field. */
export function lineChecksum(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex').slice(0, 16);
}

const SUM_FIELD = /,"sum":"([0-9a-f]{16})"\}$/;

/** A cell's line as stored in `cells.jsonl`: the JSON object with a last field `"sum"`, the checksum of the rest. */
export function sealLine(content: string): string {
  if (!content.endsWith('}')) throw new Error('sealLine: expected a JSON object line');
  return `${content.slice(0, -1)},"sum":"${lineChecksum(content)}"}`;
}

/** The content of a sealed line (checksum field removed) when its checksum matches, else null. */
export function unsealLine(line: string): string | null {
  const match = SUM_FIELD.exec(line);
  if (!match) return null;
  const content = `${line.slice(0, match.index)}}`;
  return lineChecksum(content) === match[1] ? content : null;
}

/**
 * Reads the finished cells of `cells.jsonl`. A line that does not parse (a write cut by a kill), a duplicate key
 * or a key outside the grid is dropped; a line whose checksum is missing or wrong is set aside as tampered (its
 * cell is computed again). The file is then rewritten atomically without them, so appends continue from
 * complete, verified lines only.
 */
export function readFinishedCells(path: string, gridKeys: Set<string>): FinishedCells {
  const lines = new Map<string, string>();
  if (!existsSync(path)) return { lines, dropped: 0, tampered: 0 };
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  // The last part is '' after a trailing newline, or the remains of a cut write.
  let dropped = parts[parts.length - 1] === '' ? 0 : 1;
  let tampered = 0;
  const kept: string[] = [];
  for (const line of parts.slice(0, -1)) {
    const key = lineKey(line);
    if (key === null || !gridKeys.has(key)) {
      dropped++;
      continue;
    }
    const content = unsealLine(line);
    if (content === null || lineKey(content) !== key) tampered++;
    else if (lines.has(key)) dropped++;
    else {
      lines.set(key, content);
      kept.push(line);
    }
  }
  if (dropped + tampered > 0) writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
  return { lines, dropped, tampered };
}

function lineKey(line: string): string | null {
  try {
    const parsed = JSON.parse(line) as { key?: unknown };
    return typeof parsed.key === 'string' ? parsed.key : null;
  } catch {
    return null;
  }
}
