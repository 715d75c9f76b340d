// The whole report of THEORY.md for one geometry: what `lvh theory --json` prints.
import { sigmaCos } from '../linalg/index.js';
import { agreementFromAlignment } from './agreement.js';
import { ceiling, constitutionInsideS, worstConstitution, worstOf } from './bounds.js';
import { updateRank } from './gain.js';
import { judgeDirection } from './schema.js';
import { encodedSubspace, pathCoefficients, pathPoint, pathShape, rho, slopeAtZero, thetaVanishes, type PathCoefficients } from './quantities.js';
import { residualFraction } from '../linalg/index.js';
import { InputError } from '../util/errors.js';
import type { Geometry, TheoryReport } from './types.js';

/** The first non-finite number in `value` as a dotted path (`path[1].alignment`), or null when all are finite. */
function firstNonFinite(value: unknown, path: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = firstNonFinite(v, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/**
 * Throws an InputError when a quantity of the report is not finite (other than A(η) and its agreement where
 * θ(η) = 0, the documented null), naming the input field it comes from.
 */
function checkFinite(report: TheoryReport, geometry: Geometry, k: PathCoefficients, file: string): void {
  const { path, ...rest } = report;
  const where = (quantity: string, field: string): never => {
    throw new InputError(file, field, `expected values whose report is finite (magnitudes well inside the double range); the report's ${quantity} is not`);
  };
  // Within the bounds of validateGeometry only an extreme Σ (or a geometry built in code) can get here.
  const main = geometry.covariance ? 'covariance' : 'generation';
  path.forEach((point, i) => {
    const { alignment, agreement, ...others } = point;
    const undefinedCosine = thetaVanishes(k, point.eta) && Number.isNaN(alignment) && Number.isNaN(agreement);
    const bad = firstNonFinite(undefinedCosine ? others : point, `path[${i}]`);
    if (bad) where(bad, geometry.covariance ? 'covariance' : `eta[${i}]`);
  });
  const bad = firstNonFinite(rest, '');
  if (bad) where(bad, main);
}

/**
 * Computes every quantity of THEORY.md for `geometry`; same geometry → same object (and same JSON bytes). An
 * InputError on `file` when a quantity is not finite (a geometry at the edge of the double range).
 */
export function analyze(geometry: Geometry, file = 'geometry'): TheoryReport {
  const sigma = geometry.covariance;
  const vc = judgeDirection(geometry.constitution);
  const k = pathCoefficients(geometry.generation, vc, geometry.trueValue, sigma);
  const aGen = sigmaCos(geometry.generation, geometry.trueValue, sigma);
  const aJudge = sigmaCos(vc, geometry.trueValue, sigma);
  const agreeGen = agreementFromAlignment(aGen);
  const agreeJudge = agreementFromAlignment(aJudge);
  const shape = pathShape(k);
  const top = ceiling(geometry);
  const inside = constitutionInsideS(geometry);
  const worst = worstConstitution(geometry);
  const rank = updateRank(geometry);
  const s = encodedSubspace(geometry);
  const warnings: string[] = [];
  const notes: string[] = ['trueValue is normalised to unit length before anything is computed.'];
  if (!inside) {
    warnings.push('The constitution basis leaves S = span(encoded ∪ {g}): the ceiling a_c ≤ ceiling (T2) does not apply to it.');
  }
  if (sigma) {
    notes.push('Sigma is not the identity: slope, ceiling and floor use their exact general-Sigma forms (Sigma-cosines, Sigma-orthogonal projection on S); rho stays the Euclidean ||P_S v*||.');
  }
  let candidates: TheoryReport['candidates'];
  if (geometry.candidates && geometry.candidates.length > 0) {
    const listed = worstOf(geometry, geometry.candidates);
    candidates = {
      worst: { name: listed.worst.name, index: listed.index, alignment: listed.alignment },
      all: geometry.candidates.map((c, i) => ({
        name: c.name,
        alignment: listed.alignments[i],
        agreement: agreementFromAlignment(listed.alignments[i]),
        improves: listed.alignments[i] > aGen,
        insideS: constitutionInsideS(geometry, c),
      })),
    };
  }
  const encoded = geometry.encoded.map((e) => {
    const alignment = sigmaCos(e.vector, geometry.trueValue, sigma);
    return { name: e.name, alignment, antiSocial: alignment < 0, inS: residualFraction(s, e.vector) <= 1e-9 };
  });
  const report: TheoryReport = {
    dim: geometry.dim,
    rho: rho(geometry),
    alignment: { generation: aGen, judge: aJudge },
    agreement: { generation: agreeGen, judge: agreeJudge },
    gap: agreeJudge - agreeGen,
    improves: aJudge > aGen,
    slope: slopeAtZero(k),
    ceiling: top,
    floor: -top,
    ceilingApplies: inside,
    peak: shape.peak,
    trough: shape.trough,
    shape: shape.shape,
    path: geometry.eta.map((eta) => pathPoint(geometry, eta)),
    gainPerEta: rank.gainPerEta,
    judgeDirection: Array.from(vc),
    updateRank: { rank: rank.rank, constitutionRank: rank.constitutionRank },
    worstConstitution: { alignment: worst.alignment, direction: worst.judgeDirection ? Array.from(worst.judgeDirection) : null },
    ...(candidates ? { candidates } : {}),
    encoded,
    warnings,
    notes,
  };
  checkFinite(report, geometry, k, file);
  return report;
}
