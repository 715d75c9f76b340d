// `lvh organism train` of the v2 world (the default): the staged recipe r16 of docs/organism-v2.md, its flags and its run.
import { parseCommandArgs, numberFlag, oneOf } from '../util/args.js';
import { InputError } from '../util/errors.js';
// Engine-free modules only at the top; the engine and the trainer are imported when a run starts.
import { ORGANISM_SIZES } from '../organism/sizes.js';
import { stagesAskJudgingWords } from '../organism/world-of.js';
import { DEFAULT_V2_CHECKPOINT_EVERY, DEFAULT_V2_RECIPE, DEFAULT_V2_SIZE, V2_SIZES, v2Recipe, type V2RecipeKnobs, type V2Size } from '../organism/v2/recipe.js';
import type { V2Eval } from '../organism/v2/eval/evaluate.js';
import { evaluateV2Model } from './organism-eval.js';
import { TRAIN_SPEC, commandLine, trainRunArgs, trainWorldOf, type Flags, type TrainRunArgs } from './organism-train-flags.js';
import { checkTrainingRoom, commandOut, prepareOut, resumedNote, saveOrKeep, type TrainHooks } from './organism-train-out.js';

/** Parsed `lvh organism train --world v2` flags. */
export interface TrainV2Args extends TrainRunArgs {
  size: V2Size;
  knobs: V2RecipeKnobs;
}

/** Parses and validates `lvh organism train` flags of a v2 run (exported for tests: bad knobs throw InputError before any work). */
export function parseTrainV2Args(args: string[]): TrainV2Args {
  const cmd = 'organism train';
  const { values } = parseCommandArgs(cmd, args, TRAIN_SPEC);
  const v = values as Flags;
  if (trainWorldOf(v) !== 'v2') throw new InputError(`lvh ${cmd}`, '--world', 'expected v2 for these knobs (parseTrainArgs reads v1 runs)');
  if (v.size !== undefined && v.world === undefined && Object.hasOwn(ORGANISM_SIZES, v.size)) {
    throw new InputError(`lvh ${cmd}`, '--size', `expected one of ${Object.keys(V2_SIZES).join(', ')} (world v2, the default), got "${v.size}", a v1 size: give --world v1 for the v1 world`);
  }
  const size = oneOf(cmd, 'size', v.size ?? DEFAULT_V2_SIZE, V2_SIZES);
  if (v.out === undefined) throw new InputError(`lvh ${cmd}`, '--out', 'expected an output directory');
  const r = DEFAULT_V2_RECIPE;
  const knobs: V2RecipeKnobs = {
    p: numberFlag(cmd, 'p', v.p, r.p, { min: 0, max: 1 }),
    q: numberFlag(cmd, 'q', v.q, r.q, { min: 0, max: 1 }),
    tokens: numberFlag(cmd, 'tokens', v.tokens, r.tokens, { min: 1024, max: 1e10, integer: true }),
    seed: numberFlag(cmd, 'seed', v.seed, r.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
    docs: numberFlag(cmd, 'docs', v.docs, r.docs, { min: 10, max: 10_000_000, integer: true }),
    batchSize: numberFlag(cmd, 'batch', v.batch, r.batchSize, { min: 1, max: 1024, integer: true }),
    lr: numberFlag(cmd, 'lr', v.lr, r.lr, { min: 1e-6, max: 1 }),
  };
  return { size, knobs, ...trainRunArgs(cmd, values, v, v.out, DEFAULT_V2_CHECKPOINT_EVERY) };
}

/** The canonical command line of a v2 training run (every knob explicit), for the model card. */
export function trainV2CommandLine(a: Pick<TrainV2Args, 'size' | 'knobs'>, out: string): string {
  return commandLine('v2', a.size, a.knobs, out);
}

/** `lvh organism train` of the v2 world: the staged recipe r16, resumable, with card, organism.json and eval.json. */
export async function runTrainV2(args: string[], hooks: TrainHooks): Promise<number> {
  const cmd = 'organism train';
  const a = parseTrainV2Args(args);
  const { knobs, json } = a;
  const started = performance.now();
  const note = (text: string) => console.error(`lvh ${cmd}: ${text}`);
  const { out, partial } = await prepareOut(cmd, a, note);
  const nn = await import('../nn/engine.js');
  const { trainV2, v2Config } = await import('../organism/v2/train.js');
  const dims = V2_SIZES[a.size];
  await checkTrainingRoom(cmd, partial, a.engine, v2Config(dims));
  const stages = v2Recipe(knobs);
  const command = trainV2CommandLine(a, commandOut(out));
  if (!json) note(`world v2, size ${a.size} (d=${dims.nEmbd}, ${dims.nLayer} layer${dims.nLayer > 1 ? 's' : ''}), ${knobs.tokens} tokens over ${stages.length} stages of ${knobs.docs} documents`);
  const result = await trainV2({
    ...dims, tokens: knobs.tokens, seed: knobs.seed, batchSize: knobs.batchSize, lr: knobs.lr, stages, engine: a.engine,
    progress: !json, checkpointDir: partial, checkpointEvery: a.checkpointEvery, resume: a.resume, onLog: hooks.onLog,
    identity: { world: 'v2', size: a.size, p: knobs.p, q: knobs.q, docs: knobs.docs },
  });
  let evaluation: V2Eval | undefined;
  if (a.evaluate) {
    if (!json) note('evaluating (organism eval: pairs, baselines, generation, rho next to the untrained twin)');
    evaluation = await evaluateV2Model(result.model, { judgingWordsAsked: stagesAskJudgingWords(stages), ...hooks.v2EvalOptions }, a.engine);
    await nn.releaseEngineModel(result.model); // its sessions; the weights stay for the save
  }
  const { v2Card } = await import('../organism/v2/card.js');
  const { buildTokenizerConfig, buildTokenizerJson } = await import('../organism/v2/world/index.js');
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const record = {
    world: 'v2' as const, size: a.size, dims, knobs, stages, corpusSha256: result.corpusSha256, steps: result.steps, params: result.params,
    finalTrainLoss: finite(result.finalTrainLoss), finalEvalLoss: finite(result.finalEvalLoss), seconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, command, environment: `node ${process.version} ${process.platform}-${process.arch}`,
  };
  const wallSeconds = (performance.now() - started) / 1000;
  const extraFiles: Record<string, string> = {
    'README.md': v2Card(record, wallSeconds, evaluation),
    'organism.json': `${JSON.stringify({ ...record, evaluation: evaluation ? { headline: evaluation.headline, options: evaluation.options } : null }, null, 2)}\n`,
    'tokenizer_config.json': `${JSON.stringify(buildTokenizerConfig(), null, 2)}\n`,
    'train-log.jsonl': result.log.map((p) => `${JSON.stringify(p)}\n`).join(''),
  };
  if (evaluation) extraFiles['eval.json'] = `${JSON.stringify(evaluation, null, 2)}\n`;
  saveOrKeep(cmd, a.out, partial, result.steps, () => nn.saveEngineModelDir(result.model, out, {
    tokenizerJson: buildTokenizerJson(), extraFiles, metadata: { world: 'v2', corpus_sha256: result.corpusSha256.join(','), command },
  }), hooks);
  const summary = {
    world: 'v2', out, command, size: a.size, corpusSha256: result.corpusSha256, steps: result.steps, resumedFromStep: result.resumedFromStep,
    params: result.params, finalTrainLoss: record.finalTrainLoss, finalEvalLoss: record.finalEvalLoss, trainSeconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, wallSeconds, evaluation: evaluation ? evaluation.headline : null,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    const resumed = resumedNote(result);
    console.log(`saved ${a.out} (world v2, size ${a.size}): ${result.params} parameters, final loss ${result.finalTrainLoss.toFixed(3)} (validation ${result.finalEvalLoss.toFixed(3)}), ${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s${resumed}`);
    if (evaluation) for (const line of (await import('../organism/v2/eval/format.js')).formatV2Eval(evaluation)) console.log(line);
  }
  return 0;
}
