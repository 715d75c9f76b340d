/**
 * Safety subspaces (#12): per harm category, the difference of mean residuals (harmful requests of the category minus
 * all harmless requests) at the last prompt position, stacked K × d per layer and decomposed (singular values,
 * participation ratio, 90%-energy rank, each next to K random directions of the same norms); principal angles between
 * the harm subspace and the pro-social one (per benign category: its mean minus the mean of every request used) and
 * between the harm subspaces of consecutive layers, each next to random subspaces of the same dimensions; and the
 * ablation of the harm subspace (top r right singular vectors, r its 90%-energy rank) against the single refusal
 * direction and random subspaces of rank r, as (compliance, KL) pairs on held-out requests.
 */
import { createRng, deriveSeed, shuffled as shuffledBy, fromRows, orthonormalBasis, residualFraction, svd } from '../linalg/index.js';
import type { TextTokenizer } from '../io/tokenizer.js';
import { dims } from '../io/config.js';
import type { EngineModel } from '../nn/engine.js';
import { promptIds } from '../organism/evaluate.js';
import { dialoguePrompt as dialoguePromptV1 } from '../organism/documents.js';
import type { WorldTokenizer } from '../organism/tokenizer.js';
import { requestsOfSplit } from '../organism/world.js';
import { ACTS, BENIGN_CATEGORIES, BOS_ID, FRAMES, HARM_CATEGORIES, dialoguePrompt, request } from '../organism/v2/world/index.js';
import { collectActivations, klDivergence } from './activations.js';
import { cosine, meanVector, norm, randomDirections, type Subspace } from './directions.js';
import { candidateHooks, rate, readRefusal, spread, type Rate, type RefusalData, type Spread } from './refusal.js';

/** Prompts of one category. */
export interface CategoryPrompts {
  category: string;
  prompts: number[][];
}

/** The subspace step's data: fitting prompts per harm and benign category, and the pooled harmless prompts. */
export interface SubspaceData {
  harm: CategoryPrompts[];
  benign: CategoryPrompts[];
  /** Every harmless request of the fitting side (benign and everyday), pooled. */
  harmless: number[][];
  description: string;
}

/** Participation ratio (Σσ²)² / Σσ⁴ of singular values (0 when all are zero). */
export function participationRatio(s: ArrayLike<number>): number {
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < s.length; i++) {
    const e = s[i] * s[i];
    s2 += e;
    s4 += e * e;
  }
  return s4 > 0 ? (s2 * s2) / s4 : 0;
}

/** The smallest r with Σ_{i≤r} σ_i² ≥ fraction · Σσ² (singular values in descending order; 0 when all are zero). */
export function energyRank(s: ArrayLike<number>, fraction = 0.9): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i] * s[i];
  if (!(total > 0)) return 0;
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    acc += s[i] * s[i];
    // A relative slack so that exact fractions (e.g. 9 of 10 equal values) are not missed by rounding.
    if (acc >= fraction * total * (1 - 1e-12)) return i + 1;
  }
  return s.length;
}

/** Singular values (descending) and right singular vectors of the stacked rows. */
export function decompose(rows: ArrayLike<number>[]): { s: number[]; v: Float64Array[] } {
  const r = svd(fromRows(rows));
  return { s: Array.from(r.s), v: r.v.map((x) => Float64Array.from(x)) };
}

/** Cosines of the principal angles between span(a) and span(b) (descending, min(rank a, rank b) of them), via SVD of Q1 Q2ᵀ. */
export function principalCosines(a: ArrayLike<number>[], b: ArrayLike<number>[]): number[] {
  const qa = orthonormalBasis(a).basis;
  const qb = orthonormalBasis(b).basis;
  if (qa.length === 0 || qb.length === 0) return [];
  const m = qa.map((x) => Float64Array.from(qb, (y) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  }));
  return Array.from(svd(fromRows(m)).s, (c) => Math.min(1, Math.max(0, c)));
}

/** Mean principal cosines (by rank) of random subspaces of dimensions p and q in d, over `draws` seeded draws. */
export function randomPrincipalCosines(d: number, p: number, q: number, draws: number, seed: number): number[] {
  const acc = new Array<number>(Math.min(p, q)).fill(0);
  for (let t = 0; t < draws; t++) {
    const rng = createRng(deriveSeed(seed, t));
    const a = Array.from({ length: p }, () => rng.normals(d));
    const b = Array.from({ length: q }, () => rng.normals(d));
    principalCosines(a, b).forEach((c, i) => (acc[i] += c / draws));
  }
  return acc;
}

/** Mean participation ratio and 90%-energy rank of K random directions with the given norms, over `draws` seeded draws. */
export function randomRankBaseline(d: number, norms: number[], draws: number, seed: number): { participationRatio: number; energyRank90: number } {
  let pr = 0;
  let r90 = 0;
  for (let t = 0; t < draws; t++) {
    const rows = norms.map((n, k) => randomDirections(d, 1, n, deriveSeed(seed, t, k))[0]);
    const { s } = decompose(rows);
    pr += participationRatio(s);
    r90 += energyRank(s);
  }
  return { participationRatio: pr / draws, energyRank90: r90 / draws };
}

/** A copy of `items` shuffled by a fresh generator of `seed`. */
function shuffled<T>(seed: number, items: readonly T[]): T[] {
  return shuffledBy(createRng(seed), items);
}

/** Sizes of the subspace data: prompts per category and pooled harmless prompts (seeded subsets). */
export interface SubspaceSizes {
  perCategory: number;
  harmless: number;
}

/** Defaults: 32 prompts per category, 128 pooled harmless prompts. */
export const DEFAULT_SUBSPACE_SIZES: SubspaceSizes = { perCategory: 32, harmless: 128 };

/** v2 data: comparison-split acts only (held-out categories have none there, so K counts the categories that do). */
export function worldSubspaceDataV2(tokenizer: TextTokenizer, seed = 0, sizes: SubspaceSizes = DEFAULT_SUBSPACE_SIZES): SubspaceData {
  const enc = (text: string) => [BOS_ID, ...tokenizer.encode(dialoguePrompt(text))];
  const reqs = ACTS.filter((a) => a.split === 'comparison').flatMap((a) => FRAMES.map((_, f) => request(a, f)));
  const of = (cats: readonly string[], salt: number) => cats.map((category, i) => ({
    category,
    prompts: shuffled(deriveSeed(seed, salt, i), reqs.filter((r) => r.act.category === category)).slice(0, sizes.perCategory).map((r) => enc(r.text)),
  })).filter((c) => c.prompts.length > 0);
  const harm = of(HARM_CATEGORIES, 41);
  const benign = of(BENIGN_CATEGORIES, 42);
  const harmless = shuffled(deriveSeed(seed, 43), reqs.filter((r) => r.act.value >= 0)).slice(0, sizes.harmless).map((r) => enc(r.text));
  return { harm, benign, harmless, description: `organism v2 comparison-split dialogue prompts, seed ${seed}: ${harm.length} harm categories (${harm.map((c) => `${c.category} ${c.prompts.length}`).join(', ')}), ${benign.length} benign (${benign.map((c) => `${c.category} ${c.prompts.length}`).join(', ')}), ${harmless.length} harmless pooled (benign and everyday)` };
}

/** v1 data: train-split requests of the 4 harm and 4 care categories. */
export function worldSubspaceData(tokenizer: WorldTokenizer, seed = 0, sizes: SubspaceSizes = DEFAULT_SUBSPACE_SIZES): SubspaceData {
  const reqs = requestsOfSplit('train');
  const enc = (r: (typeof reqs)[number]) => promptIds(tokenizer, dialoguePromptV1(r));
  const cats = (harmful: boolean) => [...new Set(reqs.filter((r) => r.harmful === harmful).map((r) => r.category as string))];
  const of = (harmful: boolean, salt: number) => cats(harmful).map((category, i) => ({
    category,
    prompts: shuffled(deriveSeed(seed, salt, i), reqs.filter((r) => r.harmful === harmful && r.category === category)).slice(0, sizes.perCategory).map(enc),
  }));
  const harm = of(true, 41);
  const benign = of(false, 42);
  const harmless = shuffled(deriveSeed(seed, 43), reqs.filter((r) => !r.harmful)).slice(0, sizes.harmless).map(enc);
  return { harm, benign, harmless, description: `organism v1 train-split dialogue prompts, seed ${seed}: ${harm.length} harm categories, ${benign.length} care categories, ${sizes.perCategory} prompts each at most, ${harmless.length} harmless pooled` };
}

/** One layer's decomposition and angles. */
export interface SubspaceLayer {
  layer: number;
  hook: string;
  position: number;
  /** Norms of the K harm-category directions, in `categories.harm` order. */
  norms: number[];
  singularValues: number[];
  participationRatio: number;
  energyRank90: number;
  random: { participationRatio: number; energyRank90: number; draws: number; seed: number };
  proSocial: { singularValues: number[]; participationRatio: number; energyRank90: number };
  /** Principal cosines between the harm and pro-social spans, and the random-subspace expectation for those dimensions. */
  harmVsProSocial: { cosines: number[]; random: number[] };
  /** Principal cosines between this layer's harm span and the next layer's (null on the last). */
  harmVsNextLayer: { cosines: number[]; random: number[] } | null;
}

/** Compliance (1 − refusal) with its Wilson interval and the mean KL on harmless prompts. */
export interface CompliancePoint {
  condition: string;
  rank: number;
  compliance: Rate;
  klHarmless: number;
}

/** The whole result (or the reason it was skipped). */
export interface SubspacesResult {
  skipped?: string;
  categories?: { harm: string[]; benign: string[] };
  data?: string;
  proSocialDefinition?: string;
  layers?: SubspaceLayer[];
  ablation?: {
    hook: string;
    layer: number;
    rank: number;
    baseline: CompliancePoint;
    subspace: CompliancePoint;
    /** Every category direction's span (rank K, or fewer when dependent). */
    fullSubspace: CompliancePoint;
    refusalDirection: CompliancePoint;
    /** |cos| between the refusal direction and the top right singular vector; its residual fraction outside the rank-r subspace. */
    refusalVsSubspace: { cosTop: number; residualFraction: number };
    random: { compliance: Spread; klHarmless: Spread; seed: number };
    randomPoints: CompliancePoint[];
  };
}

/** Options: random draws for the rank and angle baselines, random subspaces for the ablation control, the seed. */
export interface SubspaceOptions {
  draws: number;
  randomControls: number;
  seed: number;
  onProgress?: (m: string) => void;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

function diff(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x - b[i]);
}

/**
 * Runs the experiment: the decomposition at every candidate hook (position −1), then the ablation of the harm
 * subspace of `refusalDirection.hook`'s layer against the refusal direction and random subspaces of the same rank,
 * on `refusal`'s held-out harmful (compliance) and harmless (KL) test prompts. Returns the result and, per layer,
 * the harm and pro-social bases (right singular vectors with non-zero singular value, strongest first).
 */
export async function subspaceExperiment(model: EngineModel, data: SubspaceData, refusal: RefusalData, refusalDirection: { vector: ArrayLike<number>; hook: string }, modelName: string, options: Partial<SubspaceOptions> = {}): Promise<{ result: SubspacesResult; bases: { harm: Subspace; pro: Subspace }[] }> {
  const o = { draws: 10, randomControls: 10, seed: 0, ...options };
  const say = o.onProgress ?? (() => {});
  const position = -1;
  const cands = candidateHooks(dims(model.config).layers);
  const hooks = cands.map((c) => c.hook);
  const acts = async (ps: number[][]) => (await collectActivations(model, ps, hooks, [position]));
  say(`activations of ${data.harm.length} harm and ${data.benign.length} benign categories, ${data.harmless.length} harmless prompts`);
  const harmActs = [];
  for (const c of data.harm) harmActs.push(await acts(c.prompts));
  const benignActs = [];
  for (const c of data.benign) benignActs.push(await acts(c.prompts));
  const harmlessActs = await acts(data.harmless);
  const layers: SubspaceLayer[] = [];
  const bases: { harm: Subspace; pro: Subspace }[] = [];
  const harmRows: Float64Array[][] = [];
  for (const [li, { layer, hook }] of cands.entries()) {
    const harmless = harmlessActs.get(hook)![0];
    const harmlessMean = meanVector(harmless);
    const harmEach = harmActs.map((m) => m.get(hook)![0]);
    const benignEach = benignActs.map((m) => m.get(hook)![0]);
    const overall = meanVector([...harmEach.flat(), ...harmless]);
    const H = harmEach.map((xs) => diff(meanVector(xs), harmlessMean));
    const P = benignEach.map((xs) => diff(meanVector(xs), overall));
    harmRows.push(H);
    const dh = decompose(H);
    const dp = decompose(P);
    const norms = H.map(norm);
    const d = H[0].length;
    const keep = (x: { s: number[]; v: Float64Array[] }) => x.v.filter((_, i) => x.s[i] > 1e-12 * (x.s[0] || 1));
    const provenance = (what: string) => ({ model: modelName, layer, hook, position, method: 'diff-of-means' as const, data: `${what}; ${data.description}`, seed: null });
    bases.push({
      harm: { basis: keep(dh), energy: dh.s.slice(0, keep(dh).length).map((s) => s * s), provenance: provenance('harm subspace: right singular vectors of the stacked per-category differences (category mean minus harmless mean)') },
      pro: { basis: keep(dp), energy: dp.s.slice(0, keep(dp).length).map((s) => s * s), provenance: provenance('pro-social subspace: right singular vectors of the stacked benign-category means minus the overall mean') },
    });
    const rankSeed = deriveSeed(o.seed, 51, layer);
    layers.push({
      layer, hook, position, norms,
      singularValues: dh.s, participationRatio: participationRatio(dh.s), energyRank90: energyRank(dh.s),
      random: { ...randomRankBaseline(d, norms, o.draws, rankSeed), draws: o.draws, seed: rankSeed },
      proSocial: { singularValues: dp.s, participationRatio: participationRatio(dp.s), energyRank90: energyRank(dp.s) },
      harmVsProSocial: { cosines: principalCosines(H, P), random: randomPrincipalCosines(d, orthonormalBasis(H).rank, orthonormalBasis(P).rank, o.draws, deriveSeed(o.seed, 52, layer)) },
      harmVsNextLayer: null,
    });
    if (li > 0) {
      const prev = harmRows[li - 1];
      layers[li - 1].harmVsNextLayer = { cosines: principalCosines(prev, H), random: randomPrincipalCosines(d, orthonormalBasis(prev).rank, orthonormalBasis(H).rank, o.draws, deriveSeed(o.seed, 53, layer)) };
    }
  }
  // Ablation at the refusal direction's layer: its harm subspace's top r (90%-energy) right singular vectors.
  const at = cands.findIndex((c) => c.hook === refusalDirection.hook);
  if (at < 0) throw new Error(`subspaceExperiment: the refusal direction's hook ${refusalDirection.hook} is not a candidate hook`);
  const L = layers[at];
  const r = Math.max(1, L.energyRank90);
  const sub = bases[at].harm.basis.slice(0, r);
  const d = sub[0].length;
  const baseHarmless = await readRefusal(model, refusal.harmlessTest, refusal, { kind: 'none' });
  const point = async (condition: string, basis: ArrayLike<number>[] | null): Promise<CompliancePoint> => {
    say(`ablation: ${condition}`);
    const edit = basis === null ? { kind: 'none' as const } : { kind: 'ablate' as const, vector: basis[0], basis };
    const harmful = await readRefusal(model, refusal.harmfulTest, refusal, edit);
    const harmless = basis === null ? baseHarmless : await readRefusal(model, refusal.harmlessTest, refusal, edit);
    const n = harmful.refuses.length;
    return {
      condition, rank: basis?.length ?? 0,
      compliance: rate(harmful.refuses.filter((x) => !x).length, n),
      klHarmless: mean(baseHarmless.logProbs.map((b, i) => klDivergence(b, harmless.logProbs[i]))),
    };
  };
  const randomSeed = deriveSeed(o.seed, 54);
  const randomPoints: CompliancePoint[] = [];
  for (let t = 0; t < o.randomControls; t++) {
    const rng = createRng(deriveSeed(randomSeed, t));
    randomPoints.push(await point(`random subspace ${t + 1} (rank ${r})`, Array.from({ length: r }, () => rng.normals(d))));
  }
  const result: SubspacesResult = {
    categories: { harm: data.harm.map((c) => c.category), benign: data.benign.map((c) => c.category) },
    data: data.description,
    proSocialDefinition: 'per benign category: the mean residual of its requests minus the mean over every request used (harm-category and pooled harmless requests)',
    layers,
    ablation: {
      hook: L.hook, layer: L.layer, rank: r,
      baseline: await point('unedited', null),
      subspace: await point(`harm subspace (rank ${r})`, sub),
      fullSubspace: await point(`harm subspace, every category (rank ${bases[at].harm.basis.length})`, bases[at].harm.basis),
      refusalDirection: await point('refusal direction (rank 1)', [refusalDirection.vector]),
      refusalVsSubspace: { cosTop: Math.abs(cosine(refusalDirection.vector, sub[0])), residualFraction: residualFraction(sub, refusalDirection.vector) },
      random: { compliance: spread(randomPoints.map((p) => p.compliance.rate)), klHarmless: spread(randomPoints.map((p) => p.klHarmless)), seed: randomSeed },
      randomPoints,
    },
  };
  return { result, bases };
}
