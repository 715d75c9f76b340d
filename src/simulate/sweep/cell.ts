import { analyze, type TheoryReport } from '../../theory/index.js';
import type { SweepCell } from './grid.js';
import type { SweepSpec } from './spec.js';
import { cellGeometry } from './worlds.js';

/** The theory report of a cell without its d-dimensional vectors (they would dominate the file). */
export type CellTheory = Omit<TheoryReport, 'judgeDirection' | 'worstConstitution'> & { worstConstitution: { alignment: number } };

/** One finished cell, as stored in `cells.jsonl` and `results.json`. */
export interface SweepCellResult {
  key: string;
  cell: Omit<SweepCell, 'key' | 'index'>;
  theory: CellTheory;
  /** The Monte-Carlo run (the JSON of `lvh simulate --json`), present when the spec has a `simulate:` block. */
  simulation?: unknown;
}

/** FNV-1a hash of a string to 32 bits (seeds each cell's simulation from its key, independent of grid order). */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Evaluates one cell: the theory always, the simulation when the spec asks for it. Pure: same cell, same result. */
export function evaluateCell(spec: SweepSpec, cell: SweepCell): SweepCellResult {
  const geometry = cellGeometry(spec, cell);
  const { judgeDirection: _dropped, worstConstitution, ...rest } = analyze(geometry);
  const { key, index: _index, ...params } = cell;
  const result: SweepCellResult = { key, cell: params, theory: { ...rest, worstConstitution: { alignment: worstConstitution.alignment } } };
  return result;
}

/** The JSON line of a finished cell (no trailing newline). */
export function cellLine(spec: SweepSpec, cell: SweepCell): string {
  return JSON.stringify(evaluateCell(spec, cell));
}
