/**
 * Which organism world a model directory belongs to, and the lab's data for it. A v2 organism carries
 * `organism.json` `{"world": "v2", ...}`; a directory without it is read as a v1 organism (its tokenizer must hold
 * the v1 world's vocabulary); anything else is not an organism, and the lab's library functions take the user's
 * own token-id data for it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../nn/engine.js';
import { InputError } from '../util/errors.js';
import { organismWorld, type OrganismWorld } from '../organism/world-of.js';
import { modelDirHash, runLab, type LabResult } from './pipeline.js';
import type { QuantitiesData } from './quantities.js';
import type { RefusalData } from './refusal.js';
import { DEFAULT_QUANTITY_SIZES, DEFAULT_WORLD_SIZES, worldQuantitiesData, worldRefusalData, type WorldDataSizes, type WorldQuantitySizes } from './world-data.js';
import { worldQuantitiesDataV2, worldRefusalDataV2 } from './world-data-v2.js';
import { DEFAULT_SUBSPACE_SIZES, worldSubspaceData, worldSubspaceDataV2, type SubspaceData, type SubspaceSizes } from './subspaces.js';

/** The organism worlds the lab knows. */
export type { OrganismWorld };

/** An organism model on the engine with its world and the lab's data sets for it. */
export interface LabModel {
  model: nn.EngineModel;
  world: OrganismWorld;
  refusal: RefusalData;
  quantities: QuantitiesData;
  /** Per-category prompts for the `subspaces` step. */
  subspaces: SubspaceData;
}

/** Sizes of the lab's data sets (each defaults to its module's default; smaller ones for smoke tests and fixtures). */
export interface LabDataSizes {
  refusal?: WorldDataSizes;
  quantities?: WorldQuantitySizes;
  subspaces?: SubspaceSizes;
}

/** Loads an organism model directory of either world and builds its refusal, quantities and subspace data (seeded; `sizes` shrinks them). */
export async function loadLabModel(dir: string, engine: nn.EngineOptions = {}, seed = 0, sizes: LabDataSizes = {}): Promise<LabModel> {
  if (!existsSync(dir)) throw new InputError(dir, 'directory', 'expected an existing model directory (from `lvh organism train`)');
  const world = organismWorld(dir);
  const [rs, qs, ss] = [sizes.refusal ?? DEFAULT_WORLD_SIZES, sizes.quantities ?? DEFAULT_QUANTITY_SIZES, sizes.subspaces ?? DEFAULT_SUBSPACE_SIZES];
  if (world === 'v1') {
    const { loadOrganismModel } = await import('../organism/engine-model.js');
    const { model, organism } = await loadOrganismModel(dir, engine);
    return { model, world, refusal: worldRefusalData(organism.tokenizer, seed, rs), quantities: worldQuantitiesData(organism.tokenizer, seed, qs), subspaces: worldSubspaceData(organism.tokenizer, seed, ss) };
  }
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) throw new InputError(dir, 'tokenizer.json', 'expected the v2 world tokenizer saved with the organism');
  const { model, tokenizer } = await nn.loadEngineModelDir(dir, engine);
  // The dialogue and judging templates' words must be single tokens of the model's vocabulary.
  for (const w of ['user', 'assistant', 'request', 'question', 'answer', 'a', 'b']) {
    if (tokenizer!.tokenToId(w) === undefined) throw new InputError(tokPath, 'model.vocab', `expected the v2 world vocabulary (word "${w}" missing)`);
  }
  return { model, world, refusal: worldRefusalDataV2(tokenizer!, seed, rs), quantities: worldQuantitiesDataV2(tokenizer!, seed, qs), subspaces: worldSubspaceDataV2(tokenizer!, seed, ss) };
}

/** How `runLabDir` runs: engine, seed (default 0), constitutions (default harmless, cruel), data sizes, the name shown, progress. */
export interface LabDirOptions {
  engine?: nn.EngineOptions;
  seed?: number;
  constitutions?: string[];
  sizes?: LabDataSizes;
  /** The model's name in provenance and the report (default: `dir`). */
  modelName?: string;
  say?: (message: string) => void;
}

/** The default constitutions of `lvh lab`: the main pro-social principle and an anti-social one. */
export const DEFAULT_LAB_CONSTITUTIONS = ['harmless', 'cruel'];

/** `lvh lab` on a model directory: loads it with its world's data and runs every step into `runDir` (resumable, ends in report.html). */
export async function runLabDir(dir: string, runDir: string, o: LabDirOptions = {}): Promise<{ world: OrganismWorld; result: LabResult }> {
  const seed = o.seed ?? 0;
  const say = o.say ?? (() => {});
  const { model, world, refusal: data, quantities, subspaces } = await loadLabModel(dir, o.engine, seed, o.sizes);
  say(`organism world ${world}`);
  const constitutions = o.constitutions ?? DEFAULT_LAB_CONSTITUTIONS;
  const result = await runLab(runDir, { model, modelName: o.modelName ?? dir, modelHash: modelDirHash(dir), data, seed, quantities: { data: quantities, constitutions }, subspaces }, say);
  return { world, result };
}
