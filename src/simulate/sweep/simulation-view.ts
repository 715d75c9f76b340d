// The few numbers the sweep's plots and table read from a cell's simulation.
import type { CellSimulation } from './cell.js';

/** A measured value with its 95% interval. */
export interface Measured {
  alignment: number;
  lo: number;
  hi: number;
}

/** What the sweep report shows of one simulation: the measured path and the measured judge agreement. */
export interface SimulationView {
  /** Measured alignment of the tilted policy at each eta, with its interval (empty when the tilt was not run). */
  path: ({ eta: number } & Measured)[];
  /** Agreement of the AI judge's labels with v* on the labelled pairs, its interval, and the finite-λ prediction. */
  judgeAgreement: { agreement: number; lo: number; hi: number; predicted: number };
}

/** Extracts the report's view of a cell's simulation. */
export function readSimulation(sim: CellSimulation): SimulationView {
  return {
    path: sim.path.map((p) => ({ eta: p.eta, alignment: p.measured.alignment, lo: p.interval.alignment[0], hi: p.interval.alignment[1] })),
    judgeAgreement: { agreement: sim.measured.judgeAgreement, lo: sim.intervals.judgeAgreement[0], hi: sim.intervals.judgeAgreement[1], predicted: sim.predicted.judgeAgreement },
  };
}
