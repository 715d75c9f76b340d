// `lvh lab --model DIR --out RUNDIR [--seed N] [--threads N] [--device D] [--json]`: the model lab's steps into a run folder.
import { seedFlag } from '../util/args.js';
import { checkOutPath } from '../util/out-path.js';
import { engineFlags, parseModelCommand } from './engine-flags.js';

const HELP = `usage: lvh lab --model DIR --out RUNDIR [--constitution FILE] [--seed N] [--threads N] [--device cpu|cuda] [--json]

Runs the model lab's steps on an organism model directory (world v2 when DIR/organism.json says "world": "v2",
otherwise v1), each writing its JSON (and plot) into RUNDIR:
  refusal  the refusal-direction experiment (Arditi et al. 2024): difference-of-means candidates per layer and
           post-instruction position, selection, then (refusal rate, KL) for ablation on harmful and addition on
           harmless held-out requests, next to 10 random directions of the same norm; then one sampled response
           per request, unedited, ablated, and with the direction added on the prompt
  probes   difference of means, logistic probe and PCA of paired differences per layer (safetensors files)
  quantities  v*, v_c (mean activation difference and judgment readout), g, rho per layer, alignment.judge and
           alignment.generation with the theory engine's prediction, for each constitution (default: harmless, cruel;
           --constitution FILE: one per line or a JSON list)
  ablate-value  v* ablated during judging under the first constitution, against 10 random directions
  subspaces  per-category harm directions per layer: effective rank, principal angles (pro-social, next layer),
           the harm subspace ablated against the refusal direction and random subspaces, as (compliance, KL)
and ends in RUNDIR/report.html. A step whose JSON exists with the same input hash is skipped (resumable).
Progress goes to stderr; --json prints the step records on stdout.`;

/** Runs `lvh lab`. */
export async function run(args: string[]): Promise<number> {
  const values = parseModelCommand('lab', args, { model: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, constitution: { type: 'string' } }, HELP, {
    model: 'expected an organism model directory (from `lvh organism train`)',
    out: 'expected a run folder to write the steps into',
  });
  if (!values) return 0;
  const dir = values.model as string;
  const out = values.out as string;
  const runDir = checkOutPath('lab', '--out', out, 'dir');
  const seed = seedFlag('lab', values.seed as string | undefined, 0);
  const engine = engineFlags('lab', values as { threads?: string; device?: string });
  const lab = await import('../lab/index.js');
  const say = (m: string) => process.stderr.write(`lvh lab: ${m}\n`);
  const constitutions = values.constitution ? lab.readConstitutions(values.constitution as string) : lab.DEFAULT_LAB_CONSTITUTIONS;
  // The model's world (organism.json; v1 without it) decides the data; the steps are the same for both.
  const started = performance.now();
  const { world, result } = await lab.runLabDir(dir, runDir, { engine, seed, constitutions, say });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const { labSummary, labSummaryLines } = await import('./lab-summary.js');
    for (const line of labSummaryLines(labSummary(result, world, (performance.now() - started) / 1000))) console.log(line);
    console.log(`report: ${runDir}/report.html`);
  }
  return 0;
}
