// `lvh organism train --world v1`: the old world of docs/organism.md, its flags and its run.
import { parseCommandArgs, numberFlag, oneOf } from '../util/args.js';
import { InputError } from '../util/errors.js';
// Engine-free modules only at the top; the engine and the trainer are imported when a run starts.
import type { OrganismEval } from '../organism/evaluate.js';
import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_TRAIN_OPTIONS, ORGANISM_SIZES, type OrganismTrainKnobs } from '../organism/sizes.js';
import { corpusKnobs } from './organism-corpus.js';
import { presentEval, printEvalSummary } from './organism-eval.js';
import { TRAIN_SPEC, commandLine, trainRunArgs, trainWorldOf, type Flags, type TrainRunArgs } from './organism-train-flags.js';
import { checkTrainingRoom, commandOut, prepareOut, resumedNote, saveOrKeep, type TrainHooks } from './organism-train-out.js';

/** The canonical command line of a training run (every knob explicit), for the model card. */
export function trainCommandLine(o: OrganismTrainKnobs, out: string): string {
  return commandLine('v1', o.size, o, out);
}

/** Parsed `lvh organism train` flags. */
export interface TrainArgs extends TrainRunArgs {
  options: OrganismTrainKnobs;
}

/** Parses and validates `lvh organism train --world v1` flags (exported for tests: bad knobs throw InputError before any work). */
export function parseTrainArgs(args: string[]): TrainArgs {
  const cmd = 'organism train';
  const { values } = parseCommandArgs(cmd, args, TRAIN_SPEC);
  const v = values as Flags;
  if (v.world !== undefined && trainWorldOf(v) !== 'v1') throw new InputError(`lvh ${cmd}`, '--world', 'expected v1 for these knobs (parseTrainV2Args reads v2 runs)');
  const size = oneOf(cmd, 'size', v.size ?? DEFAULT_TRAIN_OPTIONS.size, ORGANISM_SIZES);
  if (v.out === undefined) throw new InputError(`lvh ${cmd}`, '--out', 'expected an output directory');
  const options: OrganismTrainKnobs = {
    size,
    ...corpusKnobs(cmd, v),
    tokens: numberFlag(cmd, 'tokens', v.tokens, DEFAULT_TRAIN_OPTIONS.tokens, { min: 1024, max: 1e10, integer: true }),
    batchSize: numberFlag(cmd, 'batch', v.batch, DEFAULT_TRAIN_OPTIONS.batchSize, { min: 1, max: 1024, integer: true }),
    lr: numberFlag(cmd, 'lr', v.lr, DEFAULT_TRAIN_OPTIONS.lr, { min: 1e-6, max: 1 }),
  };
  return { options, ...trainRunArgs(cmd, values, v, v.out, DEFAULT_CHECKPOINT_EVERY) };
}

/** `lvh organism train --world v1`: the old world, unchanged. */
export async function runTrainV1(args: string[], hooks: TrainHooks): Promise<number> {
  const cmd = 'organism train';
  const a = parseTrainArgs(args);
  const { options, json } = a;
  const started = performance.now();
  const note = (text: string) => console.error(`lvh ${cmd}: ${text}`);
  const { out, partial } = await prepareOut(cmd, a, note);
  const { organismConfig } = await import('../organism/train.js');
  await checkTrainingRoom(cmd, partial, a.engine, organismConfig(options.size));

  const { trainOrganism, saveOrganism, organismCard, engineOrganismModel, evaluateModel, evalProgress, worldTokenizer } = await import('../organism/index.js');
  const result = await trainOrganism({
    ...options, quiet: json, checkpointDir: partial, checkpointEvery: a.checkpointEvery, resume: a.resume, onLog: hooks.onLog, engine: a.engine,
  });
  let evaluation: OrganismEval | undefined;
  if (a.evaluate) {
    const { model, progress } = evalProgress(engineOrganismModel(result.model, worldTokenizer()), {}, json);
    evaluation = await evaluateModel(model);
    progress.finish(`${evaluation.seconds.toFixed(1)} s`);
    await (await import('../nn/engine.js')).releaseEngineModel(result.model); // its sessions; the weights stay for the save
  }
  const command = trainCommandLine(options, commandOut(out));
  const wallSeconds = (performance.now() - started) / 1000;
  const card = organismCard({
    options, result, command, wallSeconds, evaluation, environment: `node ${process.version} ${process.platform}-${process.arch}`,
  });
  const extra: Record<string, string> = {};
  if (evaluation) extra['eval.json'] = `${JSON.stringify(presentEval(evaluation), null, 2)}\n`;
  saveOrKeep(cmd, a.out, partial, result.steps, () => saveOrganism(result.model, out, card, result.log, { corpus_sha256: result.corpusHash, command }, extra), hooks);
  const summary = {
    out, command, corpusSha256: result.corpusHash, steps: result.steps, resumedFromStep: result.resumedFromStep, params: result.params,
    finalTrainLoss: result.finalTrainLoss, finalEvalLoss: result.finalEvalLoss, trainSeconds: result.seconds,
    tokensPerSecond: result.tokensPerSecond, wallSeconds, evaluation: evaluation ? presentEval(evaluation).summary : null,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    const resumed = resumedNote(result);
    console.log(`saved ${a.out}: ${result.params} parameters, final loss ${result.finalTrainLoss.toFixed(3)} (validation ${result.finalEvalLoss.toFixed(3)}), ${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s${resumed}`);
    if (evaluation) printEvalSummary(evaluation);
  }
  return 0;
}
