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
  const { result } = await lab.runLabDir(dir, runDir, { engine, seed, constitutions, say });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const r = result.refusal.result;
    const fmt = (x: { rate: number; low: number; high: number; n: number }) => `${x.rate.toFixed(3)} [${x.low.toFixed(3)}, ${x.high.toFixed(3)}] n=${x.n}`;
    console.log(`refusal direction: ${r.selected.hook} position ${r.selected.position}${r.selected.relaxed.length ? ` (relaxed: ${r.selected.relaxed.join(', ')})` : ''}`);
    console.log(`  ablation on harmful: refusal ${fmt(r.ablation.refusal)}, KL on harmless ${r.ablation.klHarmless.toFixed(4)}; random: refusal ${r.randomAblation.refusalRate.mean.toFixed(3)} (${r.randomAblation.refusalRate.min.toFixed(3)}–${r.randomAblation.refusalRate.max.toFixed(3)})`);
    console.log(`  addition on harmless: refusal ${fmt(r.addition.refusal)}, KL ${r.addition.klHarmless.toFixed(4)}; random: refusal ${r.randomAddition.refusalRate.mean.toFixed(3)} (${r.randomAddition.refusalRate.min.toFixed(3)}–${r.randomAddition.refusalRate.max.toFixed(3)})`);
    for (const d of r.additionDoses ?? []) {
      if (d.scale === 1) continue;
      console.log(`  addition at ${d.scale}×: refusal ${fmt(d.condition.refusal)}, KL ${d.condition.klHarmless.toFixed(4)}; random ${d.random.refusalRate.mean.toFixed(3)}${d.sampled ? `; sampled refused ${fmt(d.sampled.refused)} (random ${d.sampledRandom!.refused.mean.toFixed(3)})` : ''}`);
    }
    if (r.responses) {
      console.log(`  sampled responses: harmful compliance ${fmt(r.responses.harmfulBase.complied)} unedited, ${fmt(r.responses.harmfulAblated.complied)} ablated; harmless refused ${fmt(r.responses.harmlessBase.refused)} unedited, ${fmt(r.responses.harmlessAddedOnPrompt.refused)} with the direction added on the prompt`);
    }
    for (const c of result.quantities?.result.constitutions ?? []) {
      console.log(`"${c.constitution}": alignment.judge ${c.alignment.judge.toFixed(3)}, alignment.generation ${c.alignment.generation.toFixed(3)}, judge agreement ${fmt(c.agreement.judge)}, theory improves ${c.theory.improves}`);
    }
    const ab = result.ablateValue?.result;
    if (ab) console.log(`v* ablated: agreement ${fmt(ab.ablated)} vs ${fmt(ab.baseline)} unedited; random ${ab.random.mean.toFixed(3)} (${ab.random.min.toFixed(3)}–${ab.random.max.toFixed(3)})`);
    const ic = ab?.inContext;
    if (ic) console.log(`  in the judging prompt (per hook): v* ablated ${fmt(ic.value)}, the pairs' main axis ${fmt(ic.mainAxis)}; random per-hook sets ${ic.random.mean.toFixed(3)} (${ic.random.min.toFixed(3)}–${ic.random.max.toFixed(3)})`);
    console.log(`report: ${runDir}/report.html`);
  }
  return 0;
}
