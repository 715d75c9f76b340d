import { DEFAULT_SWEEP_WORKERS, loadSweepSpec, runSweep } from '../simulate/sweep/index.js';
import { numberFlag, parseCommandArgs } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { checkOutPath } from '../util/out-path.js';

const help = `usage: lvh sweep SPEC.yaml --out DIR [options]

Runs a grid of worlds (dimension × capacity × harmful fraction × constitution × seed) from a spec file
(YAML or JSON, see docs/sweep.md): the theory in every cell, Monte-Carlo RLAIF when the spec has a
simulate: block. Each finished cell is appended to DIR/cells.jsonl; rerunning the same command resumes.
When every cell is done: DIR/results.json (grid order), four SVG plots and DIR/report.html.

options:
  --out DIR          output folder (required): new, empty, or this sweep's own folder (with spec.json)
  --workers N        worker threads (default ${DEFAULT_SWEEP_WORKERS}; 0 runs on the main thread)
  --fresh            forget the cells already in DIR and start over
  --max-cells K      stop after K newly computed cells (resume later)
  --no-report        skip the plots and report.html
  --json             print a summary object on stdout (no progress bar)
  -h, --help         this text`;

/** Runs `lvh sweep`. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('sweep', args, {
    out: { type: 'string' },
    workers: { type: 'string' },
    fresh: { type: 'boolean' },
    'max-cells': { type: 'string' },
    'no-report': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { positionals: { max: 1, names: 'SPEC.yaml' } });
  const positionals = parsed.positionals;
  const values = parsed.values as { out?: string; workers?: string; fresh?: boolean; 'max-cells'?: string; 'no-report'?: boolean; json?: boolean; help?: boolean };
  if (values.help) {
    console.log(help);
    return 0;
  }
  if (positionals.length !== 1) throw new InputError('lvh sweep', 'SPEC', `expected exactly one spec file, got ${positionals.length}`);
  if (values.out === undefined) throw new InputError('lvh sweep', '--out', 'expected an output folder');
  // Before any work: a folder path, not a file, not under a file, in a place where folders can be made.
  checkOutPath('sweep', '--out', values.out, 'dir');
  const workers = numberFlag('sweep', 'workers', values.workers, DEFAULT_SWEEP_WORKERS, { min: 0, max: 64, integer: true });
  const maxCells = values['max-cells'] === undefined ? undefined : numberFlag('sweep', 'max-cells', values['max-cells'], 0, { min: 1, integer: true });
  const specFile = positionals[0];
  const spec = loadSweepSpec(specFile);
  const summary = await runSweep(spec, {
    out: values.out,
    workers,
    fresh: values.fresh ?? false,
    maxCells,
    quiet: values.json ?? false,
    specFile,
    report: !(values['no-report'] ?? false),
  });
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else if (summary.complete) console.log(`lvh sweep: ${summary.cells} cells (${summary.computed} computed, ${summary.resumed} resumed) in ${summary.seconds.toFixed(1)} s → ${summary.files.report ?? summary.files.results}`);
  else console.log(`lvh sweep: stopped with ${summary.resumed + summary.computed}/${summary.cells} cells in ${summary.files.cells}; run the same command again to resume`);
  return 0;
}
