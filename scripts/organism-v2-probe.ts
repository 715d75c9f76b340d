// The organism-v2 design probe (docs/organism-v2.md), on the current tfjs engine; one seed per call.
//   npx tsx scripts/organism-v2-probe.ts train TOKENS SEED OUT_DIR [ANTI_SHARE]
//   npx tsx scripts/organism-v2-probe.ts eval MODEL_DIR OUT.json
import { writeFileSync } from 'node:fs';
import * as nn from '../src/nn/index.js';
import { deriveSeed } from '../src/linalg/index.js';
import { docAlignedBatches } from '../src/organism/train.js';
import { corpusHash, generateCorpus } from '../src/organism/v2/corpus/index.js';
import { BOS_ID, EOS_ID, WORLD_CONTEXT, buildTokenizerJson, worldTokenizer } from '../src/organism/v2/world/index.js';
import { evaluateV2, type Rate } from '../src/organism/v2/eval/index.js';
import { tfjsScoringModel } from '../src/organism/v2/eval/tfjs-model.js';

const BATCH = 16;

/** Trains d=64, 2 layers on a default v2 corpus of 200,000 documents (optionally another antiShare) and saves it. */
async function train(tokens: number, seed: number, out: string, antiShare?: number): Promise<void> {
  const tok = worldTokenizer();
  const rows = (docs: string[]) => docs.map((d) => Int32Array.from([BOS_ID, ...tok.encode(d), EOS_ID]));
  const corpus = generateCorpus({ docs: 200_000, seed, antiShare });
  const next = docAlignedBatches(rows(corpus.docs), BATCH, WORLD_CONTEXT, deriveSeed(seed, 1));
  const nextVal = docAlignedBatches(rows(generateCorpus({ docs: 500, seed: deriveSeed(seed, 7) }).docs), BATCH, WORLD_CONTEXT, 5);
  const evalBatches = Array.from({ length: 6 }, () => nextVal());
  const config = nn.gpt2Config({ vocabSize: tok.vocabSize, nPositions: WORLD_CONTEXT, nEmbd: 64, nLayer: 2, nHead: 4, bosTokenId: BOS_ID, eosTokenId: EOS_ID });
  const model = nn.initModel(config, seed);
  const steps = Math.ceil(tokens / (BATCH * WORLD_CONTEXT));
  const r = nn.train(model, {
    steps, lr: 3e-3, warmupSteps: 100, minLrRatio: 0.1, weightDecay: 0.1, clipNorm: 1, trainBatches: () => next(),
    evalEvery: Math.max(1, Math.floor(steps / 10)), evalBatches,
    onEval: (e) => console.log(`step ${e.step}/${steps} validation loss ${e.loss.toFixed(3)}`),
  });
  console.log(`trained ${steps} steps in ${r.seconds.toFixed(0)} s; corpus sha256 ${corpusHash(corpus)}`);
  nn.saveModelDir(model, out, { tokenizerJson: buildTokenizerJson(), extraFiles: {}, metadata: { note: 'organism v2 design probe', corpus_sha256: corpusHash(corpus) } });
}

/** Evaluates a probe model next to an untrained twin; writes the report and prints the headline. */
async function evaluate(dir: string, out: string): Promise<void> {
  const { model } = await nn.loadModelDir(dir);
  const e = await evaluateV2(tfjsScoringModel(model), {}, tfjsScoringModel(nn.initModel(model.config, 12345)));
  writeFileSync(out, `${JSON.stringify(e, null, 1)}\n`);
  const f = (r: Rate) => `${r.rate.toFixed(3)} [${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}] n=${r.n}`;
  for (const [k, v] of Object.entries(e.headline)) console.log(`${k} ${v.toFixed(3)}`);
  for (const [k, r] of Object.entries(e.judgment.harmless.agreement.bySplit)) console.log(`harmless ${k} ${f(r)}`);
  for (const [k, p] of Object.entries(e.judgment)) console.log(`principle ${k} (${p.stance}, ${p.split}) held-out stance agreement ${f(p.stanceAgreementHeldOut)}`);
  console.log(`position ${f(e.baselines.position.all)}; always-refuse ${f(e.baselines.alwaysRefuse.all)}; generation ${f(e.agreement.generation.all)}`);
}

const [cmd, ...a] = process.argv.slice(2);
await nn.initBackend();
if (cmd === 'train') await train(Number(a[0]), Number(a[1]), a[2], a[3] === undefined ? undefined : Number(a[3]));
else if (cmd === 'eval') await evaluate(a[0], a[1]);
else {
  console.error('usage: organism-v2-probe.ts train TOKENS SEED OUT_DIR [ANTI_SHARE] | eval MODEL_DIR OUT.json');
  process.exitCode = 2;
}
