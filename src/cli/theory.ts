// `lvh theory GEOMETRY [--json]`: every closed-form quantity of THEORY.md for one geometry file.
import { analyze, formatTheoryReport, loadGeometry } from '../theory/index.js';
import { parseCommandArgs } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { finiteJson } from '../util/json.js';

const HELP = `usage: lvh theory GEOMETRY [--json]

GEOMETRY is a .json or .yaml file {dim, trueValue, generation, encoded: [{name, vector}],
constitution: {name, basis, readout}, covariance?, eta?}. basis entries are vectors or names of
encoded directions. Prints rho, alignments, agreements, gap, slope, peak/trough, ceiling, floor,
the worst constitution and the path over eta (default 0, 1, 10, 100).

  --json   one JSON object on stdout instead of the readable report`;


/** Runs `lvh theory`. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('theory', args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { positionals: { max: 1, names: 'GEOMETRY' } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new InputError('lvh theory', 'GEOMETRY', `expected exactly one geometry file, got ${positionals.length}`);
  const file = positionals[0];
  const report = analyze(loadGeometry(file), file);
  console.log(values.json ? finiteJson(report) : formatTheoryReport(report, file));
  return 0;
}
