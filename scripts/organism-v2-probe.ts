// The organism-v2 design probe (docs/organism-v2.md), on the ONNX Runtime engine; one seed per call.
//   npx tsx scripts/organism-v2-probe.ts train OUT_DIR ['{"tokens":1e7,"seed":1,"stages":[{"corpus":{...},"share":1}]}']
//   npx tsx scripts/organism-v2-probe.ts eval MODEL_DIR OUT.json ['{"sweepPairs":24,...}']
//   npx tsx scripts/organism-v2-probe.ts init OUT_DIR [SEED]        (an untrained d=64, 2-layer twin, to evaluate as a baseline)
//   npx tsx scripts/organism-v2-probe.ts check MODEL_DIR [CORPUS_OPTIONS_JSON]
// `train` also prints a quick check: accuracy on fresh comparison documents of the training distribution.
import { writeFileSync } from 'node:fs';
import * as nn from '../src/nn/engine.js';
import { generateCorpus, type CorpusOptions } from '../src/organism/v2/corpus/index.js';
import { BOS_ID, buildTokenizerJson, worldTokenizer } from '../src/organism/v2/world/index.js';
import { type Rate } from '../src/organism/v2/eval/index.js';
import { engineScoringModel, evaluateV2Engine } from '../src/organism/v2/eval/engine-model.js';
import { trainV2, v2Config, type V2TrainOptions } from '../src/organism/v2/train.js';

/** Accuracy (and mass on the right label) on `n` fresh comparison documents of a corpus's distribution. */
async function comparisonCheck(model: nn.EngineModel, corpus: Partial<CorpusOptions>, n: number): Promise<string> {
  const tok = worldTokenizer();
  const c = generateCorpus({ ...corpus, seed: 99, docs: n * 8 });
  const docs = c.docs.filter((_, i) => c.kinds[i] === 'comparison').slice(0, n);
  const sm = engineScoringModel(model);
  const reqs = docs.map((d) => {
    const m = /^(request : .*? (a|b|1|2|x|y) : .* (a|b|1|2|x|y) : .*? question : .*? answer :) (\S+)/.exec(d)!;
    return { prompt: [BOS_ID, ...tok.encode(m[1])], continuations: [tok.encode(m[2]), tok.encode(m[3])], right: m[4] === m[2] ? 0 : 1 };
  });
  const s = await sm.scoreContinuations(reqs);
  let hit = 0;
  let mass = 0;
  s.forEach((r, i) => {
    if ((r[0] > r[1] ? 0 : 1) === reqs[i].right) hit++;
    mass += Math.exp(r[0]) + Math.exp(r[1]);
  });
  return `training-distribution comparisons: accuracy ${(hit / docs.length).toFixed(3)} (n=${docs.length}), mass on shown labels ${(mass / docs.length).toFixed(3)}`;
}

async function train(out: string, knobs: Partial<V2TrainOptions>): Promise<void> {
  const r = await trainV2({ ...knobs, onEval: (step, steps, loss) => console.log(`step ${step}/${steps} validation loss ${loss.toFixed(3)}`) });
  console.log(`trained ${r.steps} steps (${r.params} params) in ${r.seconds.toFixed(0)} s, ${Math.round(r.tokensPerSecond)} tok/s; corpus sha256 ${r.corpusSha256.join(', ')}`);
  nn.saveEngineModelDir(r.model, out, { tokenizerJson: buildTokenizerJson(), extraFiles: { 'knobs.json': `${JSON.stringify(knobs)}\n` }, metadata: { note: 'organism v2 design probe' } });
  const stages = knobs.stages ?? [{ corpus: { docs: 200_000 }, share: 1 }];
  console.log(await comparisonCheck(r.model, stages[stages.length - 1].corpus, 400));
}

async function evaluate(dir: string, out: string, options: Record<string, unknown>): Promise<void> {
  const { model } = await nn.loadEngineModelDir(dir);
  const e = await evaluateV2Engine(model, options);
  writeFileSync(out, `${JSON.stringify(e, null, 1)}\n`);
  const f = (r: Rate) => `${r.rate.toFixed(3)} [${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}] n=${r.n}`;
  for (const [k, v] of Object.entries(e.headline)) console.log(`${k} ${v.toFixed(3)}`);
  const h = e.judgment.harmless.agreement;
  for (const [k, r] of Object.entries(h.bySplit)) console.log(`harmless ${k} ${f(r)}`);
  for (const [k, r] of Object.entries(h.bySplitKind)) console.log(`harmless ${k} ${f(r)}`);
  for (const [k, r] of Object.entries(h.byScheme)) console.log(`harmless scheme ${k} ${f(r)}`);
  for (const [k, r] of Object.entries(h.byLayout)) console.log(`harmless layout ${k} ${f(r)}`);
  for (const [k, r] of Object.entries(h.byOrder)) console.log(`harmless order ${k} ${f(r)}`);
  for (const [k, p] of Object.entries(e.judgment)) console.log(`principle ${k} (${p.stance}, ${p.split}) all ${f(p.agreement.all)} held-out stance agreement ${f(p.stanceAgreementHeldOut)}`);
  for (const [k, p] of Object.entries(e.baselines.controls)) console.log(`control ${k} ${f(p.agreement.all)}`);
  console.log(`position ${f(e.baselines.position.all)}; always-refuse ${f(e.baselines.alwaysRefuse.all)}; generation ${f(e.agreement.generation.all)}; eval ${e.seconds.toFixed(0)} s`);
}

const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'train') await train(a[0], a[1] ? (JSON.parse(a[1]) as Partial<V2TrainOptions>) : {});
else if (cmd === 'init') nn.saveEngineModelDir(nn.engineModel(v2Config({ nEmbd: 64, nLayer: 2, nHead: 4 }), nn.initWeights(v2Config({ nEmbd: 64, nLayer: 2, nHead: 4 }), Number(a[1] ?? 1))), a[0], { tokenizerJson: buildTokenizerJson(), extraFiles: {}, metadata: { note: 'organism v2: untrained d=64, 2 layers' } });
else if (cmd === 'check') console.log(await comparisonCheck((await nn.loadEngineModelDir(a[0])).model, a[1] ? (JSON.parse(a[1]) as Partial<CorpusOptions>) : {}, 400));
else if (cmd === 'eval') await evaluate(a[0], a[1], a[2] ? (JSON.parse(a[2]) as Record<string, unknown>) : {});
else {
  console.error('usage: organism-v2-probe.ts train OUT_DIR [KNOBS_JSON] | eval MODEL_DIR OUT.json [EVAL_OPTIONS_JSON] | init OUT_DIR [SEED] | check MODEL_DIR [CORPUS_JSON]');
  process.exitCode = 2;
}
