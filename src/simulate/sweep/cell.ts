import { deriveSeed } from '../../linalg/index.js';
import { analyze, type TheoryReport } from '../../theory/index.js';
import { runSimulation, type SimulateOptions, type SimulationResult } from '../run.js';
import type { SweepCell } from './grid.js';
import type { SweepSpec } from './spec.js';
import { cellGeometry } from './worlds.js';

/** The theory report of a cell without its d-dimensional vectors (they would dominate the file). */
export type CellTheory = Omit<TheoryReport, 'judgeDirection' | 'worstConstitution'> & { worstConstitution: { alignment: number } };

/** A simulation result without its d-dimensional fitted weights. */
export type CellSimulation = Omit<SimulationResult, 'rewardFit'> & { rewardFit: Omit<SimulationResult['rewardFit'], 'weights'> };

/** One finished cell, as stored in `cells.jsonl` and `results.json`. */
export interface SweepCellResult {
  key: string;
  cell: Omit<SweepCell, 'key' | 'index'>;
  theory: CellTheory;
  /** The Monte-Carlo run (the JSON of `lvh simulate --json` without the fitted weights), when the spec has a `simulate:` block. */
  simulation?: CellSimulation;
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

/** The simulator options of a cell: the spec's `simulate:` block over the defaults, seeded from the seed and the key. */
export function simulateOptions(spec: SweepSpec, cell: SweepCell): Partial<SimulateOptions> {
  const sim = spec.simulate!;
  const options: Partial<SimulateOptions> = { seed: deriveSeed(cell.seed, hashKey(cell.key)), optimizers: sim.optimizers };
  if (sim.pairs !== undefined) options.pairs = sim.pairs;
  if (sim.lambda !== undefined) options.lambda = sim.lambda;
  if (sim.samples !== undefined) options.policySamples = sim.samples;
  if (sim.bootstrap !== undefined) options.bootstrap = sim.bootstrap;
  return options;
}

/** Evaluates one cell: the theory always, the simulation when the spec asks for it. Pure: same cell, same result. */
export function evaluateCell(spec: SweepSpec, cell: SweepCell): SweepCellResult {
  const geometry = cellGeometry(spec, cell);
  const { judgeDirection: _dropped, worstConstitution, ...rest } = analyze(geometry);
  const { key, index: _index, ...params } = cell;
  const result: SweepCellResult = { key, cell: params, theory: { ...rest, worstConstitution: { alignment: worstConstitution.alignment } } };
  if (spec.simulate) {
    const { rewardFit: full, ...sim } = runSimulation(geometry, simulateOptions(spec, cell));
    const { weights: _weights, ...rewardFit } = full;
    result.simulation = { ...sim, rewardFit };
  }
  return result;
}

/** The JSON line of a finished cell (no trailing newline). */
export function cellLine(spec: SweepSpec, cell: SweepCell): string {
  return JSON.stringify(evaluateCell(spec, cell));
}
