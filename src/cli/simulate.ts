// `lvh simulate GEOMETRY`: Monte-Carlo RLAIF in the linear model, every measurement next to the theory's prediction.
import { loadGeometry, type Geometry } from '../theory/index.js';
import {
  defaultSimulateOptions,
  formatSampleComplexity,
  formatSimulation,
  parseValueFunction,
  runSampleComplexity,
  runSimulation,
  SIMULATE_LIMITS,
  type OptimizerName,
  type SimulateOptions,
  type StageTimings,
} from '../simulate/index.js';
import { numberFlag, numberListFlag, parseCommandArgs } from '../util/args.js';
import { InputError } from '../util/errors.js';
import { finiteJson } from '../util/json.js';

const d = defaultSimulateOptions;
const HELP = `usage: lvh simulate GEOMETRY [options]

Runs the RLAIF pipeline of THEORY.md by sampling: responses from the base policy, pairs labelled by the AI judge
(Bradley-Terry along v_c) and by the true values, the reward model (logistic regression, Newton-CG), and the
policy optimised on the fitted reward (exact tilt over eta, best-of-n over n, KL-penalised policy gradient over
eta). Every measured quantity is printed with its interval next to the theory's prediction, flagged OUTSIDE
when the prediction falls outside.

  --pairs N             AI-labelled pairs for the reward fit (default ${d.pairs})
  --seed S              seed of every random stream (default ${d.seed}); same seed, same output
  --lambda L            judge temperature (default ${d.lambda})
  --optimizer LIST      tilt, best-of-n, pg, or a comma list, or all (default all)
  --position-bias B     extra logit for the response shown first (default 0)
  --debias              judge both orders and average the verdicts
  --value-function F    linear | cubic | quadratic:M  (true value f(<v*, phi>); default linear)
  --eta LIST            eta grid (default: the geometry's eta)
  --samples M           responses per tilted policy (default ${d.policySamples})
  --best-of-n LIST      n grid (default ${d.bestOfN.join(',')}; each n at most ${SIMULATE_LIMITS.bestOfN.max})
  --rounds R            best-of-n rounds per n (default ${d.bestOfNRounds})
  --pg-chains C --pg-steps T --pg-batch B --pg-lr R   policy gradient (defaults ${d.pgChains}, ${d.pgSteps}, ${d.pgBatch}, ${d.pgLearningRate})
  --bootstrap K         parametric-bootstrap draws of the fitted reward (default ${d.bootstrap})
  --level P             confidence level of every interval (default ${d.level})
  --l2 R                L2 penalty of the reward fit (default ${d.l2})
  --pairs-grid LIST     sample-complexity study instead: fit at each N (e.g. 100,1000,10000), report
                        cos(w, v*) and 1 - cos(w, v_c) against N and the fitted rate
  --seeds K             fits per N in the study (default 5); the study refuses the single run's flags
                        (--pairs, --optimizer, --samples, --best-of-n, ...) rather than ignore them
  --json                one JSON object on stdout
  --timings             also print the seconds of each stage as one JSON line on stderr (stdout unchanged)`;

const OPTIMIZERS: OptimizerName[] = ['tilt', 'best-of-n', 'pg'];

/** Flags of the single run that the `--pairs-grid` study does not use: refused with it rather than ignored. */
const STUDY_IGNORES = ['pairs', 'optimizer', 'value-function', 'eta', 'samples', 'best-of-n', 'rounds', 'pg-chains', 'pg-steps', 'pg-batch', 'pg-lr', 'bootstrap', 'timings'];

function parseOptimizers(raw: string): OptimizerName[] {
  if (raw === 'all') return [...OPTIMIZERS];
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!OPTIMIZERS.includes(n as OptimizerName)) throw new InputError('lvh simulate', '--optimizer', `expected tilt, best-of-n, pg, a comma list of them, or all; got "${raw}"`);
  }
  return OPTIMIZERS.filter((o) => names.includes(o));
}

/** Refuses a geometry the theory takes but the simulator cannot measure: η beyond SIMULATE_LIMITS.eta, or a Σ too small to fit a reward on. */
function checkSimulatable(geometry: Geometry, file: string, etaFlag: number[] | null): void {
  const L = SIMULATE_LIMITS;
  if (etaFlag === null) {
    const i = geometry.eta.findIndex((eta) => eta > L.eta.max);
    if (i >= 0) throw new InputError(file, `eta[${i}]`, `expected η <= ${L.eta.max} for lvh simulate (the simulator's range), got ${geometry.eta[i]}; give --eta to simulate other values`);
  }
  const sigma = geometry.covariance;
  if (sigma) {
    let largest = 0;
    for (let i = 0; i < sigma.rows; i++) largest = Math.max(largest, sigma.data[i * sigma.cols + i]);
    if (largest < L.covarianceScale.min) {
      throw new InputError(file, 'covariance', `expected a largest diagonal entry of at least ${L.covarianceScale.min} for lvh simulate (smaller responses leave the reward fit at 0), got ${largest}`);
    }
  }
}


/** Runs `lvh simulate`. */
export async function run(args: string[]): Promise<number> {
  const cmd = 'simulate';
  const parsed = parseCommandArgs(cmd, args, {
    pairs: { type: 'string' },
    seed: { type: 'string' },
    lambda: { type: 'string' },
    optimizer: { type: 'string' },
    'position-bias': { type: 'string' },
    debias: { type: 'boolean' },
    'value-function': { type: 'string' },
    eta: { type: 'string' },
    samples: { type: 'string' },
    'best-of-n': { type: 'string' },
    rounds: { type: 'string' },
    'pg-chains': { type: 'string' },
    'pg-steps': { type: 'string' },
    'pg-batch': { type: 'string' },
    'pg-lr': { type: 'string' },
    bootstrap: { type: 'string' },
    level: { type: 'string' },
    l2: { type: 'string' },
    'pairs-grid': { type: 'string' },
    seeds: { type: 'string' },
    json: { type: 'boolean' },
    timings: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { positionals: { max: 1, names: 'GEOMETRY' } });
  const positionals = parsed.positionals;
  // Every option above is a single string except the booleans debias, json and help.
  const values = parsed.values as Record<string, string | undefined> & { debias?: boolean; json?: boolean; timings?: boolean; help?: boolean };
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new InputError('lvh simulate', 'GEOMETRY', `expected exactly one geometry file, got ${positionals.length}`);
  const int = { integer: true };
  const L = SIMULATE_LIMITS;
  const grid = values['pairs-grid'] === undefined ? null : numberListFlag(cmd, 'pairs-grid', values['pairs-grid'], { min: L.pairs.min, max: L.pairs.max, integer: true });
  if (grid) {
    // The study fits the reward model only: flags of the optimisers and the single run would be silently ignored.
    const ignored = STUDY_IGNORES.find((flag) => values[flag] !== undefined);
    if (ignored) throw new InputError('lvh simulate', `--${ignored}`, `expected no --${ignored} with --pairs-grid (the sample-complexity study fits the reward only; it takes --seeds, --seed, --lambda, --position-bias, --debias, --l2, --level)`);
  } else if (values.seeds !== undefined) {
    throw new InputError('lvh simulate', '--seeds', 'expected --seeds only with --pairs-grid (the fits per N of the sample-complexity study)');
  }
  const options: SimulateOptions = {
    seed: numberFlag(cmd, 'seed', values.seed, d.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, ...int }),
    pairs: numberFlag(cmd, 'pairs', values.pairs, d.pairs, { ...L.pairs, ...int }),
    lambda: numberFlag(cmd, 'lambda', values.lambda, d.lambda, { min: Number.MIN_VALUE, max: L.lambda.max }),
    positionBias: numberFlag(cmd, 'position-bias', values['position-bias'], d.positionBias, { min: -L.positionBias.maxAbs, max: L.positionBias.maxAbs }),
    debias: values.debias ?? d.debias,
    l2: numberFlag(cmd, 'l2', values.l2, d.l2, L.l2),
    valueFunction: values['value-function'] === undefined ? d.valueFunction : parseValueFunction(values['value-function'], cmd),
    optimizers: values.optimizer === undefined ? [...d.optimizers] : parseOptimizers(values.optimizer),
    eta: values.eta === undefined ? null : numberListFlag(cmd, 'eta', values.eta, L.eta),
    policySamples: numberFlag(cmd, 'samples', values.samples, d.policySamples, { ...L.policySamples, ...int }),
    bestOfN: values['best-of-n'] === undefined ? [...d.bestOfN] : numberListFlag(cmd, 'best-of-n', values['best-of-n'], { ...L.bestOfN, ...int }),
    bestOfNRounds: numberFlag(cmd, 'rounds', values.rounds, d.bestOfNRounds, { ...L.bestOfNRounds, ...int }),
    pgChains: numberFlag(cmd, 'pg-chains', values['pg-chains'], d.pgChains, { min: 1, max: 1000, ...int }),
    pgSteps: numberFlag(cmd, 'pg-steps', values['pg-steps'], d.pgSteps, { min: 2, max: 1_000_000, ...int }),
    pgBatch: numberFlag(cmd, 'pg-batch', values['pg-batch'], d.pgBatch, { min: 2, max: 1_000_000, ...int }),
    pgLearningRate: numberFlag(cmd, 'pg-lr', values['pg-lr'], d.pgLearningRate, { min: Number.MIN_VALUE, max: 1 }),
    bootstrap: numberFlag(cmd, 'bootstrap', values.bootstrap, d.bootstrap, { ...L.bootstrap, ...int }),
    level: numberFlag(cmd, 'level', values.level, d.level, { min: 0.5, max: 0.9999 }),
  };
  const seeds = numberFlag(cmd, 'seeds', values.seeds, 5, { min: 1, max: 1000, ...int });
  const file = positionals[0];
  const geometry = loadGeometry(file);
  checkSimulatable(geometry, file, options.eta);
  if (grid) {
    const study = runSampleComplexity(geometry, { grid, seeds, seed: options.seed, lambda: options.lambda, positionBias: options.positionBias, debias: options.debias, l2: options.l2, level: options.level });
    console.log(values.json ? finiteJson(study) : formatSampleComplexity(study, file));
    return 0;
  }
  if (options.l2 === 0 && options.pairs <= geometry.dim) {
    throw new InputError('lvh simulate', '--pairs', `expected more pairs than dim = ${geometry.dim} when --l2 is 0 (the reward fit is not identified), got ${options.pairs}`);
  }
  const stages: StageTimings | undefined = values.timings ? {} : undefined;
  const result = runSimulation(geometry, options, stages);
  console.log(values.json ? finiteJson(result) : formatSimulation(result, file));
  if (stages) console.error(JSON.stringify({ stages }));
  return 0;
}
