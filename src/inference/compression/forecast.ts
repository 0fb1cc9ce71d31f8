/**
 * What a Fisher matrix forecasts: marginal errors sqrt((F^-1)_aa) (all other parameters free) and
 * conditional errors 1 / sqrt(F_aa) (all others fixed at the fiducial), priors added as Fisher terms,
 * derived parameters by a change of variables, and the confidence ellipse of two parameters.
 *
 * Priors. A Gaussian prior of width sigma adds 1 / sigma^2 to F_aa (exact). A flat prior has no Fisher
 * matrix; `flatPriors: 'gaussian'` replaces it by the Gaussian of the same variance, width / sqrt(12),
 * an approximation that matters only where the data constrain a parameter less well than its prior
 * (here the redshift shifts dz_i); 'ignore' drops flat priors.
 *
 * Change of variables (e.g. Omega_c, sigma8 -> Omega_m, S8): with q = q(p) invertible and J = dq/dp,
 * F_q = J^-T F_p J^-1 (Coe 2009, arXiv:0906.4123, section 4).
 *
 * Ellipse: the region (x - x0)^T S^-1 (x - x0) <= Delta chi^2 of the 2 x 2 marginal covariance S holds
 * probability p = 1 - exp(-Delta chi^2 / 2) of a 2-D Gaussian, so Delta chi^2 = -2 ln(1 - p)
 * (2.279 for 68%, 5.991 for 95%: the same mass fractions the MCMC contours enclose).
 */

import { CosmetaError } from '../../errors.js';
import { inverseGeneral, inverseSpd } from '../../math/linalg.js';
import type { DerivedParameter, ParameterSpec } from '../priors.js';

export interface FisherErrors {
  names: string[];
  /** sqrt((F^-1)_aa). */
  marginal: Float64Array;
  /** 1 / sqrt(F_aa). */
  conditional: Float64Array;
  /** F^-1, row-major. */
  covariance: Float64Array;
}

export function fisherErrors(F: ArrayLike<number>, names: readonly string[]): FisherErrors {
  const n = names.length;
  const covariance = inverseSpd(F, n, 'Fisher matrix');
  const marginal = new Float64Array(n);
  const conditional = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    marginal[a] = Math.sqrt(covariance[a * n + a]);
    conditional[a] = 1 / Math.sqrt(F[a * n + a]);
  }
  return { names: [...names], marginal, conditional, covariance };
}

export type FlatPriorTreatment = 'ignore' | 'gaussian';

/** F plus the priors' Fisher terms, for parameters named in `names` (others' priors are not involved). */
export function addPriors(F: ArrayLike<number>, names: readonly string[], specs: readonly ParameterSpec[], flat: FlatPriorTreatment): Float64Array {
  const n = names.length;
  const out = Float64Array.from(F);
  for (let a = 0; a < n; a++) {
    const prior = specs.find((s) => s.name === names[a])?.prior;
    if (!prior) continue;
    if (prior.kind === 'gaussian') out[a * n + a] += 1 / (prior.sigma * prior.sigma);
    else if (flat === 'gaussian') out[a * n + a] += 12 / ((prior.max - prior.min) * (prior.max - prior.min));
  }
  return out;
}

export interface Reparametrised {
  names: string[];
  theta: Float64Array;
  F: Float64Array;
}

/**
 * Fisher matrix in new parameters where each derived parameter replaces one of the old ones
 * (e.g. [{ derived: OMEGA_M, replaces: 'Omega_c' }, { derived: S8, replaces: 'sigma8' }]). J = dq/dp by
 * central differences of the derived functions (steps 1e-6 relative; these are smooth closed forms, so
 * the Jacobian is good to ~1e-10).
 */
export function reparametrise(
  F: ArrayLike<number>,
  names: readonly string[],
  theta: ArrayLike<number>,
  changes: ReadonlyArray<{ derived: DerivedParameter; replaces: string }>,
): Reparametrised {
  const n = names.length;
  const newNames = [...names];
  const J = new Float64Array(n * n);
  for (let i = 0; i < n; i++) J[i * n + i] = 1;
  const newTheta = Float64Array.from(theta);
  for (const { derived, replaces } of changes) {
    const row = names.indexOf(replaces);
    if (row < 0) throw new CosmetaError(`cannot replace "${replaces}" by ${derived.name}: it is not among ${names.join(', ')}`);
    const idx = derived.inputs.map((name) => {
      const i = names.indexOf(name);
      if (i < 0) throw new CosmetaError(`${derived.name} needs "${name}", which the Fisher matrix does not vary`);
      return i;
    });
    const at = (x: ArrayLike<number>) => derived.compute(...idx.map((i) => x[i]));
    newNames[row] = derived.name;
    newTheta[row] = at(theta);
    J.fill(0, row * n, (row + 1) * n);
    for (const i of idx) {
      const h = 1e-6 * Math.max(Math.abs(theta[i]), 1e-3);
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[i] += h;
      down[i] -= h;
      J[row * n + i] = (at(up) - at(down)) / (2 * h);
    }
  }
  const K = inverseGeneral(J, n, 'Jacobian of the change of parameters'); // dp/dq
  const Fq = new Float64Array(n * n);
  const FK = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += F[a * n + c] * K[c * n + b];
    FK[a * n + b] = s;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += K[c * n + a] * FK[c * n + b];
    Fq[a * n + b] = s;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) Fq[a * n + b] = Fq[b * n + a] = 0.5 * (Fq[a * n + b] + Fq[b * n + a]);
  return { names: newNames, theta: newTheta, F: Fq };
}

/** The 2 x 2 block [S_xx, S_xy, S_yx, S_yy] of a parameter covariance for parameters x, y. */
export function marginalBlock(covariance: ArrayLike<number>, names: readonly string[], x: string, y: string): Float64Array {
  const n = names.length;
  const i = names.indexOf(x);
  const j = names.indexOf(y);
  if (i < 0 || j < 0) throw new CosmetaError(`no parameter ${i < 0 ? x : y} among ${names.join(', ')}`);
  return Float64Array.of(covariance[i * n + i], covariance[i * n + j], covariance[j * n + i], covariance[j * n + j]);
}

/** Delta chi^2 of a 2-D Gaussian region holding probability p. */
export function deltaChi2For2D(p: number): number {
  if (!(p > 0 && p < 1)) throw new CosmetaError(`probability must be in (0, 1), got ${p}`);
  return -2 * Math.log(1 - p);
}

/** Points (closed: last = first) on the ellipse (x - c)^T S^-1 (x - c) = deltaChi2. */
export function ellipsePoints(center: readonly [number, number], S: ArrayLike<number>, deltaChi2: number, n = 120): Array<[number, number]> {
  // x = c + sqrt(deltaChi2) L u with S = L L^T and |u| = 1.
  const l11 = Math.sqrt(S[0]);
  const l21 = S[2] / l11;
  const l22 = Math.sqrt(S[3] - l21 * l21);
  if (!(l22 > 0)) throw new CosmetaError('the 2 x 2 covariance of the ellipse is not positive definite');
  const r = Math.sqrt(deltaChi2);
  const pts: Array<[number, number]> = [];
  for (let k = 0; k <= n; k++) {
    const t = (2 * Math.PI * k) / n;
    const u = Math.cos(t);
    const v = Math.sin(t);
    pts.push([center[0] + r * l11 * u, center[1] + r * (l21 * u + l22 * v)]);
  }
  return pts;
}
