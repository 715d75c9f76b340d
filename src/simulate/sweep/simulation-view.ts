// The few numbers the sweep's plots and table read from a simulation result (the JSON of `lvh simulate --json`).

/** A measured value with its 95% interval. */
export interface Measured {
  alignment: number;
  lo: number;
  hi: number;
}

/** What the sweep report shows of one simulation: the measured path and the measured judge agreement. */
export interface SimulationView {
  /** Measured alignment of the optimised policy at each eta, with 95% intervals. */
  path: ({ eta: number } & Measured)[];
  /** Measured agreement of the AI judge's labels with v* on the labelled pairs, with its 95% interval. */
  judgeAgreement: { agreement: number; lo: number; hi: number } | null;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Reads a value with an interval: a number plus `[lo, hi]` under `interval`/`ci`, or `{value|mean|estimate, lo, hi}`. */
function withInterval(x: unknown, siblings?: Json): { value: number; lo: number; hi: number } | null {
  if (num(x) !== null) {
    const ci = siblings && (siblings.interval ?? siblings.ci ?? siblings.ci95);
    if (Array.isArray(ci) && num(ci[0]) !== null && num(ci[1]) !== null) return { value: x as number, lo: ci[0] as number, hi: ci[1] as number };
    return { value: x as number, lo: x as number, hi: x as number };
  }
  if (!isObj(x)) return null;
  const value = num(x.value) ?? num(x.mean) ?? num(x.estimate);
  if (value === null) return null;
  const ci = x.interval ?? x.ci ?? x.ci95;
  if (Array.isArray(ci) && num(ci[0]) !== null && num(ci[1]) !== null) return { value, lo: ci[0] as number, hi: ci[1] as number };
  const lo = num(x.lo) ?? num(x.lower);
  const hi = num(x.hi) ?? num(x.upper);
  return { value, lo: lo ?? value, hi: hi ?? value };
}

/** Extracts the report's view of a simulation result; missing parts come back empty rather than throwing. */
export function readSimulation(sim: unknown): SimulationView {
  const view: SimulationView = { path: [], judgeAgreement: null };
  if (!isObj(sim)) return view;
  const measured = isObj(sim.measured) ? sim.measured : {};
  const agreement = withInterval(measured.judgeAgreement, measured);
  if (agreement) view.judgeAgreement = { agreement: agreement.value, lo: agreement.lo, hi: agreement.hi };
  if (Array.isArray(sim.path)) {
    for (const p of sim.path) {
      if (!isObj(p) || num(p.eta) === null) continue;
      const m = isObj(p.measured) ? p.measured : p;
      const a = withInterval(m.alignment, m);
      if (a) view.path.push({ eta: p.eta as number, alignment: a.value, lo: a.lo, hi: a.hi });
    }
  }
  return view;
}
