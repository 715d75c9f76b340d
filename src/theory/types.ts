// The objects of THEORY.md: a geometry (v*, g, encoded directions, a constitution, Σ) and the report computed from it.
import type { Matrix, Vector } from '../linalg/index.js';

/** A constitution: a subspace S_c (spanned by `basis`) and a readout w; it activates v_c = P_c w / ||P_c w||. */
export interface Constitution {
  name: string;
  basis: Vector[];
  readout: Vector;
}

/** A direction pretraining encoded (pro-social when <e, v*> > 0, anti-social when < 0). */
export interface EncodedDirection {
  name: string;
  vector: Vector;
}

/** A validated geometry: trueValue is unit length, the constitution's basis is resolved to vectors, eta sorted as given. */
export interface Geometry {
  dim: number;
  /** v*, normalised to unit length. */
  trueValue: Vector;
  /** g, the base policy's natural parameter. */
  generation: Vector;
  encoded: EncodedDirection[];
  constitution: Constitution;
  /** Other constitutions to audit: the report gives each one's a_c and the worst of them. */
  candidates?: Constitution[];
  /** Σ, the response covariance; identity when absent. */
  covariance?: Matrix;
  /** The η values at which the report gives the path. */
  eta: number[];
}

/** One point of the RLAIF path θ(η) = g + η v_c. */
export interface PathPoint {
  eta: number;
  /** A(η) = cosS(θ(η), v*); NaN (null in JSON) where θ(η) = 0. */
  alignment: number;
  /** E(η) = <v*, Σ θ(η)>. */
  expectedValue: number;
  /** 1 − arccos(A(η))/π. */
  agreement: number;
}

/** An extremum of A over η in [0, ∞]: `eta` null when it is the limit η → ∞. */
export interface Extremum {
  eta: number | null;
  alignment: number;
}

/** What `lvh theory --json` prints. */
export interface TheoryReport {
  dim: number;
  rho: number;
  alignment: { generation: number; judge: number };
  agreement: { generation: number; judge: number };
  gap: number;
  improves: boolean;
  slope: number;
  ceiling: number;
  floor: number;
  /** True when S_c ⊆ S, so that a_c ≤ ceiling holds. */
  ceilingApplies: boolean;
  peak: Extremum;
  trough: Extremum;
  /** 'overshoot' (interior maximum), 'dip' (interior minimum) or 'monotone'. */
  shape: 'overshoot' | 'dip' | 'monotone';
  path: PathPoint[];
  /** E(η) − E(0) = η · gainPerEta, gainPerEta = <v*, Σ v_c>. */
  gainPerEta: number;
  judgeDirection: number[];
  updateRank: { rank: number; constitutionRank: number };
  worstConstitution: { alignment: number; direction: number[] | null };
  /** Present when the geometry lists candidates: each one's judge alignment, agreement and limit, and the worst. */
  candidates?: {
    worst: { name: string; index: number; alignment: number };
    all: { name: string; alignment: number; agreement: number; improves: boolean; insideS: boolean }[];
  };
  encoded: { name: string; alignment: number; antiSocial: boolean; inS: boolean }[];
  warnings: string[];
  notes: string[];
}
