import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appendLine, writeFileAtomic } from '../../util/atomic.js';
import { createProgress } from '../../util/progress.js';
import type { SweepCellResult } from './cell.js';
import { expandGrid, type SweepCell } from './grid.js';
import { runCells } from './pool.js';
import { writeSweepReport } from './report.js';
import { loadSweepSpec, type SweepSpec } from './spec.js';
import { prepareOutput, readFinishedCells, sealLine, sweepPaths, type SweepPaths } from './store.js';

/** How to run a sweep. */
export interface SweepOptions {
  /** Output folder (created if missing). */
  out: string;
  /** Worker threads (0 runs the cells on the calling thread). */
  workers?: number;
  /** Forget finished cells in `out` and start over. */
  fresh?: boolean;
  /** Stop after this many newly computed cells (a partial run that a later call resumes). */
  maxCells?: number;
  /** No progress output. */
  quiet?: boolean;
  /** Name of the spec file, for error messages. */
  specFile?: string;
  /** Write plots and report.html when the grid is complete (default true). */
  report?: boolean;
}

/** What a sweep did (the `--json` output of `lvh sweep`). */
export interface SweepSummary {
  name: string;
  out: string;
  /** Cells in the grid. */
  cells: number;
  /** Cells found finished in `cells.jsonl` at start. */
  resumed: number;
  /** Cells computed by this call. */
  computed: number;
  /** Broken or foreign lines dropped from `cells.jsonl` at start (e.g. a write cut by a kill). */
  dropped: number;
  /** Lines of `cells.jsonl` whose checksum was missing or did not match at start: their cells were computed again. */
  tampered: number;
  /** True when every cell is done and `results.json` is written. */
  complete: boolean;
  workers: number;
  seconds: number;
  files: { cells: string; results: string | null; report: string | null; plots: string[] };
}

/** The default number of worker threads. */
export const DEFAULT_SWEEP_WORKERS = 2;

/**
 * Runs (or resumes) a sweep into `opts.out`: every finished cell is appended as one line to `cells.jsonl` by this
 * thread; when all are done, `results.json` (cells in grid order, byte-identical however often the run was
 * interrupted) is written atomically, then the plots and `report.html`.
 */
export async function runSweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepSummary> {
  const started = Date.now();
  const paths = sweepPaths(opts.out);
  const workers = opts.workers ?? DEFAULT_SWEEP_WORKERS;
  prepareOutput(paths, spec, opts.specFile ?? 'spec', opts.fresh ?? false);
  const grid = expandGrid(spec);
  const finished = readFinishedCells(paths.cells, new Set(grid.map((c) => c.key)));
  const pending = grid.filter((c) => !finished.lines.has(c.key));
  const resumed = finished.lines.size;
  if (finished.tampered > 0 && !opts.quiet) {
    console.error(`lvh sweep: resumed ${resumed}, recomputed ${finished.tampered} tampered (lines of ${paths.cells} whose checksum is missing or does not match)`);
  }
  const progress = createProgress(`sweep ${spec.name}`, grid.length, { quiet: opts.quiet });
  let computed = 0;
  progress.update(resumed, resumed > 0 ? `(resumed ${resumed})` : undefined);
  await runCells(spec, pending, workers, (cell: SweepCell, line: string) => {
    appendLine(paths.cells, sealLine(line));
    finished.lines.set(cell.key, line);
    computed++;
    progress.update(resumed + computed);
    return opts.maxCells === undefined || computed < opts.maxCells;
  });
  const complete = finished.lines.size === grid.length;
  progress.finish(complete ? 'done' : `stopped; ${grid.length - finished.lines.size} cells left (run again to resume)`);
  let plots: string[] = [];
  if (complete) {
    writeFileAtomic(paths.results, resultsText(spec, grid.map((c) => finished.lines.get(c.key)!)));
    if (opts.report ?? true) plots = await writeSweepReport(paths, spec);
  }
  return {
    name: spec.name,
    out: opts.out,
    cells: grid.length,
    resumed,
    computed,
    dropped: finished.dropped,
    tampered: finished.tampered,
    complete,
    workers,
    seconds: (Date.now() - started) / 1000,
    files: { cells: paths.cells, results: complete ? paths.results : null, report: complete && (opts.report ?? true) ? paths.report : null, plots },
  };
}

/** The text of `results.json`: name, spec, and the cells' lines in grid order, one per line. */
export function resultsText(spec: SweepSpec, lines: string[]): string {
  return `{"name":${JSON.stringify(spec.name)},"spec":${JSON.stringify(spec)},"cells":[\n${lines.join(',\n')}\n]}\n`;
}

/** Reads a finished sweep's `results.json`. */
export function readSweepResults(paths: SweepPaths): { name: string; spec: SweepSpec; cells: SweepCellResult[] } {
  return JSON.parse(readFileSync(paths.results, 'utf8'));
}

/** The path of the demo sweep spec shipped in `examples/sweeps/demo.yaml` (found from the source or dist tree). */
export function demoSweepSpecPath(): string {
  const path = fileURLToPath(new URL('../../../examples/sweeps/demo.yaml', import.meta.url));
  if (!existsSync(path)) throw new Error(`demo sweep spec not found at ${path}`);
  return path;
}

/** Runs the demo sweep (`examples/sweeps/demo.yaml`) into `out`, resuming if it is there; for `lvh demo`. */
export async function runDemoSweep(out: string, opts: Omit<SweepOptions, 'out' | 'specFile'> = {}): Promise<SweepSummary> {
  const specFile = demoSweepSpecPath();
  return runSweep(loadSweepSpec(specFile), { ...opts, out, specFile });
}
