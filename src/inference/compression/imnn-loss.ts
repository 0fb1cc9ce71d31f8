/**
 * The loss of an information-maximising neural network (IMNN; Charnock, Lavaux & Wandelt 2018,
 * arXiv:1802.03537, Makinen et al. 2021), from the network's outputs on simulations, with its gradient with
 * respect to every output derived by hand (no automatic differentiation in this engine).
 *
 * Estimators (as the authors' code, github.com/tomcharnock/IMNN, `_calculate_F_statistics`):
 *   mu    = (1 / n_s) sum_k s_k                                   s_k: outputs on fiducial simulations
 *   C     = 1 / (n_s - 1) sum_k (s_k - mu)(s_k - mu)^T             (unbiased, numpy.cov)
 *   D_ia  = (1 / n_d) sum_k (s+_{k,a,i} - s-_{k,a,i}) / dtheta_a  seed-matched pairs at theta_fid +- dtheta_a / 2
 *   F     = D^T C^-1 D                                             eq. (7) of Charnock et al. 2018
 * Loss (their `_calculate_loss`, `_get_regularisation`, `_get_regularisation_strength`):
 *   Lambda_2 = ||C - I||_F + ||C^-1 - I||_F                        (numpy.linalg.norm: Frobenius)
 *   r        = lambda Lambda_2 / (Lambda_2 + exp(-alpha Lambda_2))  (the code's sign; the docstring's minus is a typo)
 *   L        = -ln|det F| + r Lambda_2                              (r is differentiated too, no stop-gradient)
 *   alpha    = -ln(eps (lambda - 1) + eps^2 / (1 + eps)) / eps     (their `get_α`)
 *
 * Gradients (G = dL/dF = -F^-1; all matrices symmetric except D):
 *   dL/dD = 2 C^-1 D G
 *   dL/dC = -C^-1 D G D^T C^-1 + (dL/dLambda_2) [ (C - I) / ||C - I|| - C^-1 (C^-1 - I) C^-1 / ||C^-1 - I|| ]
 *   dL/dLambda_2 = r + Lambda_2 r',  r' = lambda exp(-alpha Lambda_2)(1 + alpha Lambda_2) / (Lambda_2 + exp(-alpha Lambda_2))^2
 *   dL/ds_k = 2 / (n_s - 1) (dL/dC)(s_k - mu)                      (the mean's term vanishes: sum_k (s_k - mu) = 0)
 *   dL/ds+_{k,a,i} = -dL/ds-_{k,a,i} = (dL/dD)_ia / (n_d dtheta_a)
 */

import { CosmetaError } from '../../errors.js';
import { inverseGeneral } from '../../math/linalg.js';

/** Network outputs on one set of simulations. */
export interface ImnnOutputs {
  /** Outputs on the fiducial simulations [nS x m] (row-major). */
  fiducial: ArrayLike<number>;
  nS: number;
  /** Per parameter a, outputs at theta_fid + dtheta_a / 2 and - dtheta_a / 2, each [nD x m], seed-matched row by row. */
  plus: ArrayLike<number>[];
  minus: ArrayLike<number>[];
  nD: number;
  /** Number of summaries (network outputs) m. */
  m: number;
}

export interface ImnnStatistics {
  mu: Float64Array;
  /** C and C^-1 [m x m]. */
  C: Float64Array;
  Cinv: Float64Array;
  /** D [m x p]: d mu_i / d theta_a. */
  D: Float64Array;
  /** F [p x p]. */
  F: Float64Array;
  m: number;
  p: number;
}

export interface ImnnLossValue {
  loss: number;
  lnDetF: number;
  lambda2: number;
  r: number;
  stats: ImnnStatistics;
}

/** The authors' rate alpha from the closeness criterion eps (and the coupling lambda). */
export function regularisationRate(lambda: number, epsilon: number): number {
  const a = -Math.log(epsilon * (lambda - 1) + (epsilon * epsilon) / (1 + epsilon)) / epsilon;
  if (!Number.isFinite(a)) throw new CosmetaError(`IMNN: lambda ${lambda} and epsilon ${epsilon} give no finite regularisation rate`);
  return a;
}

/** matmul of row-major [r x k] . [k x c]. */
function mm(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let t = 0; t < k; t++) {
    const a = A[i * k + t];
    for (let j = 0; j < c; j++) out[i * c + j] += a * B[t * c + j];
  }
  return out;
}

function transpose(A: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = A[i * c + j];
  return out;
}

/** sign(det) ln|det| of a general square matrix by Gaussian elimination with partial pivoting (numpy slogdet product). */
export function signedLogDet(A: ArrayLike<number>, n: number): number {
  const m = Float64Array.from(A);
  let sign = 1;
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (m[p * n + c] === 0) return Number.NEGATIVE_INFINITY;
    if (p !== c) {
      sign = -sign;
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
    }
    const piv = m[c * n + c];
    if (piv < 0) sign = -sign;
    s += Math.log(Math.abs(piv));
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / piv;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
    }
  }
  return sign * s;
}

function validate(o: ImnnOutputs, delta: ArrayLike<number>): void {
  const p = o.plus.length;
  if (o.minus.length !== p || delta.length !== p) throw new CosmetaError(`IMNN: ${o.plus.length} plus, ${o.minus.length} minus sets and ${delta.length} steps for the parameters`);
  if (o.nS < o.m + 2) throw new CosmetaError(`IMNN: ${o.nS} fiducial simulations cannot estimate a ${o.m} x ${o.m} covariance (need > m + 1)`);
  if (o.fiducial.length < o.nS * o.m) throw new CosmetaError(`IMNN: fiducial outputs have ${o.fiducial.length} values, need ${o.nS} x ${o.m}`);
  for (let a = 0; a < p; a++) {
    if (o.plus[a].length < o.nD * o.m || o.minus[a].length < o.nD * o.m) throw new CosmetaError(`IMNN: derivative outputs for parameter ${a} have fewer than ${o.nD} x ${o.m} values`);
    if (!(delta[a] !== 0 && Number.isFinite(delta[a]))) throw new CosmetaError(`IMNN: the derivative step of parameter ${a} must be finite and non-zero, got ${delta[a]}`);
  }
}

/** mu, C, C^-1, D and F from network outputs (the authors' `_calculate_F_statistics`). */
export function imnnStatistics(o: ImnnOutputs, delta: ArrayLike<number>): ImnnStatistics {
  validate(o, delta);
  const { m, nS, nD } = o;
  const p = o.plus.length;
  const mu = new Float64Array(m);
  for (let k = 0; k < nS; k++) for (let i = 0; i < m; i++) mu[i] += o.fiducial[k * m + i];
  for (let i = 0; i < m; i++) mu[i] /= nS;
  const C = new Float64Array(m * m);
  for (let k = 0; k < nS; k++) for (let i = 0; i < m; i++) {
    const di = o.fiducial[k * m + i] - mu[i];
    for (let j = 0; j <= i; j++) C[i * m + j] += di * (o.fiducial[k * m + j] - mu[j]);
  }
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) C[i * m + j] = C[j * m + i] = C[i * m + j] / (nS - 1);
  const Cinv = inverseGeneral(C, m, 'covariance of the summaries');
  const D = new Float64Array(m * p);
  for (let a = 0; a < p; a++) for (let k = 0; k < nD; k++) for (let i = 0; i < m; i++) {
    D[i * p + a] += (o.plus[a][k * m + i] - o.minus[a][k * m + i]) / (nD * delta[a]);
  }
  const F = mm(transpose(D, m, p), mm(Cinv, D, m, m, p), p, m, p);
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) F[a * p + b] = F[b * p + a] = 0.5 * (F[a * p + b] + F[b * p + a]);
  return { mu, C, Cinv, D, F, m, p };
}

function frobeniusFromIdentity(A: Float64Array, m: number): { norm: number; diff: Float64Array } {
  const diff = Float64Array.from(A);
  for (let i = 0; i < m; i++) diff[i * m + i] -= 1;
  let s = 0;
  for (const x of diff) s += x * x;
  return { norm: Math.sqrt(s), diff };
}

/**
 * The IMNN loss; with `grad` given ({ fiducial [nS x m], plus[a], minus[a] [nD x m] }), dL/d(output) is
 * written there (overwriting).
 */
export function imnnLoss(
  o: ImnnOutputs,
  delta: ArrayLike<number>,
  lambda: number,
  alpha: number,
  grad?: { fiducial: Float64Array | Float32Array; plus: (Float64Array | Float32Array)[]; minus: (Float64Array | Float32Array)[] },
): ImnnLossValue {
  const stats = imnnStatistics(o, delta);
  const { m, p, C, Cinv, D, F, mu } = stats;
  const lnDetF = signedLogDet(F, p);
  const A = frobeniusFromIdentity(C, m);
  const B = frobeniusFromIdentity(Cinv, m);
  const lambda2 = A.norm + B.norm;
  const e = Math.exp(-alpha * lambda2);
  const r = (lambda * lambda2) / (lambda2 + e);
  const loss = -lnDetF + r * lambda2;
  if (grad) {
    const G = inverseGeneral(F, p, 'Fisher matrix of the summaries').map((x) => -x); // dL/dF
    const CinvD = mm(Cinv, D, m, m, p);
    const dD = mm(CinvD, G, m, p, p).map((x) => 2 * x);
    const dC = mm(mm(CinvD, G, m, p, p), transpose(CinvD, m, p), m, p, m).map((x) => -x);
    const dLdL2 = r + (lambda2 * lambda * e * (1 + alpha * lambda2)) / ((lambda2 + e) * (lambda2 + e));
    const CBC = mm(mm(Cinv, B.diff, m, m, m), Cinv, m, m, m);
    for (let t = 0; t < m * m; t++) {
      const gA = A.norm > 0 ? A.diff[t] / A.norm : 0;
      const gB = B.norm > 0 ? -CBC[t] / B.norm : 0;
      dC[t] += dLdL2 * (gA + gB);
    }
    const { nS, nD } = o;
    for (let k = 0; k < nS; k++) for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += dC[i * m + j] * (o.fiducial[k * m + j] - mu[j]);
      grad.fiducial[k * m + i] = (2 * s) / (nS - 1);
    }
    for (let a = 0; a < p; a++) for (let k = 0; k < nD; k++) for (let i = 0; i < m; i++) {
      const g = dD[i * p + a] / (nD * delta[a]);
      grad.plus[a][k * m + i] = g;
      grad.minus[a][k * m + i] = -g;
    }
  }
  return { loss, lnDetF, lambda2, r, stats };
}

/**
 * The score estimate theta_fid + F^-1 D^T C^-1 (s - mu) of summaries s [n x m] (eq. 9 of Charnock et al.
 * 2018, the authors' `get_estimate`): the compressed statistic, in the units of the parameters.
 */
export function scoreEstimate(stats: ImnnStatistics, thetaFid: ArrayLike<number>, s: ArrayLike<number>, n: number): Float64Array {
  const { m, p } = stats;
  const W = mm(mm(inverseGeneral(stats.F, p, 'Fisher matrix'), transpose(stats.D, m, p), p, p, m), stats.Cinv, p, m, m); // [p x m]
  const out = new Float64Array(n * p);
  for (let k = 0; k < n; k++) for (let a = 0; a < p; a++) {
    let v = thetaFid[a];
    for (let i = 0; i < m; i++) v += W[a * m + i] * (s[k * m + i] - stats.mu[i]);
    out[k * p + a] = v;
  }
  return out;
}
