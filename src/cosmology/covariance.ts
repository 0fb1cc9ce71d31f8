/**
 * Gaussian ("Knox") covariance of tomographic shear power spectra.
 *
 * For bins i, j, k, l at multipole ell (band width Delta_ell) on a fraction f_sky of the sky,
 *
 *   Cov[C^ij(ell), C^kl(ell')] = delta_{ell ell'} [ Ch^ik Ch^jl + Ch^il Ch^jk ] / ((2 ell + 1) Delta_ell f_sky),
 *
 * with Ch^ij = C^ij + delta_ij sigma_e^2 / n_i the spectra plus shape noise (n_i in galaxies per steradian).
 * Knox 1995 (Phys. Rev. D 52, 4307); the tomographic form as in Hu & Jain 2004 (Phys. Rev. D 70, 043009).
 * Different multipoles are uncorrelated (no super-sample or non-Gaussian terms), so the covariance is
 * block-diagonal with one (pairs x pairs) block per multipole; chi^2 costs N_ell x pairs^2, not D^2.
 *
 * Band widths: the multipoles are treated as centres of bands whose edges are the geometric means of
 * neighbouring multipoles, with the outer edges placed symmetrically in ln(ell):
 * e_0 = ell_0^2 / e_1 and e_N = ell_{N-1}^2 / e_{N-1}. For log-spaced ell with ratio r this gives
 * Delta_ell = ell (sqrt(r) - 1/sqrt(r)). The paper (arXiv:2504.00552) does not publish its binning; this
 * is the documented choice.
 */

import { CosmetaError } from '../errors.js';
import { cholesky, forwardSubstitute } from '../math/linalg.js';
import { pairOrder } from './limber.js';

/** Square arcminutes per steradian, (180 x 60 / pi)^2. */
export const ARCMIN2_PER_SR = ((180 * 60) / Math.PI) ** 2;

export interface SurveySpec {
  /** Observed sky fraction, in (0, 1]. */
  fSky: number;
  /** Effective galaxy number density per tomographic bin, per arcmin^2 (one number: the same for every bin). */
  nGal: number | readonly number[];
  /** Shape noise: the noise power of bin i is sigmaE^2 / n_i. */
  sigmaE: number;
}

/** The paper's survey (section 7 of its settings): f_sky 0.4, 2 galaxies/arcmin^2 per bin, sigma_e^2 = 0.26. */
export const PAPER_SURVEY: Readonly<SurveySpec> = Object.freeze({ fSky: 0.4, nGal: 2, sigmaE: Math.sqrt(0.26) });

/** Band edges (length N + 1) around increasing multipoles: geometric midpoints, symmetric outer edges. */
export function geometricBandEdges(ell: ArrayLike<number>): Float64Array {
  const n = ell.length;
  if (n < 2) throw new CosmetaError(`band edges need at least 2 multipoles, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!(ell[i] > 0) || (i > 0 && !(ell[i] > ell[i - 1]))) {
      throw new CosmetaError(`multipoles must be positive and increasing; ell[${i}] = ${ell[i]}`);
    }
  }
  const e = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) e[i] = Math.sqrt(ell[i - 1] * ell[i]);
  e[0] = (ell[0] * ell[0]) / e[1];
  e[n] = (ell[n - 1] * ell[n - 1]) / e[n - 1];
  return e;
}

/** Shape-noise power sigma_e^2 / n per bin, n converted from arcmin^-2 to sr^-1. */
export function shapeNoise(survey: SurveySpec, nBins: number): Float64Array {
  validateSurvey(survey, nBins);
  const n = typeof survey.nGal === 'number' ? new Array<number>(nBins).fill(survey.nGal) : survey.nGal;
  return Float64Array.from(n, (x) => (survey.sigmaE * survey.sigmaE) / (x * ARCMIN2_PER_SR));
}

function validateSurvey(s: SurveySpec, nBins: number): void {
  if (!(s.fSky > 0 && s.fSky <= 1)) throw new CosmetaError(`f_sky must be in (0, 1], got ${s.fSky}`);
  if (!(s.sigmaE >= 0 && Number.isFinite(s.sigmaE))) throw new CosmetaError(`sigma_e must be finite and >= 0, got ${s.sigmaE}`);
  const n = typeof s.nGal === 'number' ? [s.nGal] : s.nGal;
  if (typeof s.nGal !== 'number' && n.length !== nBins) {
    throw new CosmetaError(`galaxy densities: ${n.length} values for ${nBins} tomographic bins`);
  }
  for (const x of n) if (!(x > 0 && Number.isFinite(x))) throw new CosmetaError(`galaxy density must be > 0 per arcmin^2, got ${x}`);
}

/**
 * The Gaussian covariance of a pair-major data vector (pair p, multipole e at index p x N_ell + e, pairs
 * in `pairOrder`), stored as one Cholesky-factored block per multipole.
 */
export class GaussianCovariance {
  readonly nBins: number;
  readonly nPairs: number;
  readonly nEll: number;
  readonly size: number;
  /** Band widths Delta_ell. */
  readonly bandWidth: Float64Array;
  /** Per multipole, the (pairs x pairs) covariance block, row-major. */
  readonly blocks: Float64Array[];
  private readonly factors: Float64Array[];
  private readonly work: Float64Array;

  /**
   * @param cl noiseless spectra, pair-major [pairs x N_ell] (e.g. ShearTheory output at the fiducial point)
   * @param ell the multipoles (band centres)
   */
  constructor(cl: ArrayLike<number>, ell: ArrayLike<number>, nBins: number, survey: SurveySpec = PAPER_SURVEY) {
    const pairs = pairOrder(nBins);
    this.nBins = nBins;
    this.nPairs = pairs.length;
    this.nEll = ell.length;
    this.size = this.nPairs * this.nEll;
    if (cl.length !== this.size) {
      throw new CosmetaError(`covariance: ${cl.length} spectra values, expected ${this.nPairs} pairs x ${this.nEll} multipoles = ${this.size}`);
    }
    const noise = shapeNoise(survey, nBins);
    const edges = geometricBandEdges(ell);
    this.bandWidth = Float64Array.from({ length: this.nEll }, (_, e) => edges[e + 1] - edges[e]);
    const pairIndex = new Int32Array(nBins * nBins);
    pairs.forEach(([i, j], p) => {
      pairIndex[i * nBins + j] = p;
      pairIndex[j * nBins + i] = p;
    });
    const P = this.nPairs;
    this.blocks = [];
    this.factors = [];
    for (let e = 0; e < this.nEll; e++) {
      const ch = (i: number, j: number): number => cl[pairIndex[i * nBins + j] * this.nEll + e] + (i === j ? noise[i] : 0);
      const modes = (2 * ell[e] + 1) * this.bandWidth[e] * survey.fSky;
      const block = new Float64Array(P * P);
      for (let a = 0; a < P; a++) {
        const [i, j] = pairs[a];
        for (let b = 0; b < P; b++) {
          const [k, l] = pairs[b];
          block[a * P + b] = (ch(i, k) * ch(j, l) + ch(i, l) * ch(j, k)) / modes;
        }
      }
      this.blocks.push(block);
      this.factors.push(cholesky(block, P, `covariance block at ell = ${ell[e]}`));
    }
    this.work = new Float64Array(P);
  }

  /** The full (size x size) matrix in data-vector order. */
  dense(): Float64Array {
    const P = this.nPairs;
    const m = new Float64Array(this.size * this.size);
    for (let e = 0; e < this.nEll; e++) {
      const blk = this.blocks[e];
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) m[(a * this.nEll + e) * this.size + b * this.nEll + e] = blk[a * P + b];
    }
    return m;
  }

  /** Standard deviation of every data-vector element. */
  sigma(): Float64Array {
    const P = this.nPairs;
    const s = new Float64Array(this.size);
    for (let e = 0; e < this.nEll; e++) for (let a = 0; a < P; a++) s[a * this.nEll + e] = Math.sqrt(this.blocks[e][a * P + a]);
    return s;
  }

  /** r^T C^-1 r for a residual r (length `size`), starting at `offset` in `r`. */
  chi2(r: ArrayLike<number>, offset = 0): number {
    const P = this.nPairs;
    const y = this.work;
    let chi2 = 0;
    for (let e = 0; e < this.nEll; e++) {
      for (let a = 0; a < P; a++) y[a] = r[offset + a * this.nEll + e];
      forwardSubstitute(this.factors[e], P, y);
      for (let a = 0; a < P; a++) chi2 += y[a] * y[a];
    }
    return chi2;
  }

  /** ln det C. */
  logDet(): number {
    let s = 0;
    for (const l of this.factors) for (let a = 0; a < this.nPairs; a++) s += 2 * Math.log(l[a * this.nPairs + a]);
    return s;
  }
}
