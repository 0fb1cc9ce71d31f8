/**
 * Tomographic redshift distributions: N bins n_i(z) sampled on one increasing grid, validated and
 * interpolated with Akima splines (CCL's choice), normalised internally to unit integral.
 *
 * Photo-z shifts move a bin rigidly: n_i(z) -> n_i(z - Delta_i) with, by default, the convention of
 * arXiv:2504.00552, Delta_i = dz_i (1 + <z>_i) (<z>_i the unshifted bin's mean redshift), or the usual
 * Delta_i = dz_i ('additive'). Probability shifted below z = 0 is discarded and the rest renormalised.
 */

import { CosmetaError } from '../errors.js';
import { gaussLegendre } from '../math/quadrature.js';
import { AkimaSpline } from '../math/spline.js';

export type ShiftConvention = 'paper' | 'additive';

/** Sampled redshift distributions of N tomographic bins on a shared grid. */
export interface RedshiftDistributions {
  /** Redshift grid, strictly increasing, z >= 0. */
  z: ArrayLike<number>;
  /** nz[i][j] = n_i(z_j) >= 0, any normalisation. */
  nz: ArrayLike<ArrayLike<number>>;
}

/** A number as a short string for messages (10 significant digits, no float noise). */
const fmt = (x: number): string => String(Number(x.toPrecision(10)));

/** Check a redshift-distribution set; throws a CosmetaError naming the bin and point at fault. */
export function validateDistributions(d: RedshiftDistributions): void {
  const z = d.z;
  if (z.length < 5) throw new CosmetaError(`n(z): the redshift grid needs at least 5 points, got ${z.length}`);
  for (let j = 0; j < z.length; j++) {
    if (!Number.isFinite(z[j])) throw new CosmetaError(`n(z): redshift at point ${j} is ${z[j]}, not a finite number`);
    if (z[j] < 0) throw new CosmetaError(`n(z): redshift at point ${j} is ${z[j]}; redshifts must be >= 0`);
    if (j > 0 && !(z[j] > z[j - 1])) {
      throw new CosmetaError(`n(z): the redshift grid must be strictly increasing, but z[${j - 1}]=${fmt(z[j - 1])} >= z[${j}]=${fmt(z[j])}`);
    }
  }
  if (d.nz.length < 1) throw new CosmetaError('n(z): at least one tomographic bin is needed');
  for (let i = 0; i < d.nz.length; i++) {
    const n = d.nz[i];
    if (n.length !== z.length) throw new CosmetaError(`n(z): bin ${i} has ${n.length} values for ${z.length} redshifts`);
    let any = false;
    for (let j = 0; j < n.length; j++) {
      if (!Number.isFinite(n[j])) throw new CosmetaError(`n(z): bin ${i} at z=${fmt(z[j])} (point ${j}) is ${n[j]}, not a finite number`);
      if (n[j] < 0) throw new CosmetaError(`n(z): bin ${i} at z=${fmt(z[j])} (point ${j}) is negative (${n[j]})`);
      if (n[j] > 0) any = true;
    }
    if (!any) throw new CosmetaError(`n(z): bin ${i} integrates to zero`);
  }
}

/**
 * One bin prepared for fast kernel integrals: the Akima interpolant's values on its knots and at two
 * Gauss-Legendre points per interval (exact for the piecewise cubic), cosmology-independent.
 */
export class PreparedBin {
  readonly spline: AkimaSpline;
  /** Knots u_j (the input grid) and n at the knots. */
  readonly u: Float64Array;
  readonly n: Float64Array;
  /** Gauss-Legendre points (2 per interval) and their weights times n(u). */
  readonly uq: Float64Array;
  readonly wnq: Float64Array;
  /** Unshifted normalisation integral and mean redshift. */
  readonly norm: number;
  readonly meanZ: number;
  /** Index of the last knot with n > 0 (the support's upper end). */
  readonly lastPositive: number;

  constructor(z: ArrayLike<number>, n: ArrayLike<number>) {
    this.spline = new AkimaSpline(z, n, 0);
    this.u = Float64Array.from(z);
    this.n = Float64Array.from(n);
    const m = this.u.length - 1;
    const gl = gaussLegendre(2);
    this.uq = new Float64Array(2 * m);
    this.wnq = new Float64Array(2 * m);
    let norm = 0;
    let zn = 0;
    for (let j = 0; j < m; j++) {
      const half = (this.u[j + 1] - this.u[j]) / 2;
      const mid = (this.u[j + 1] + this.u[j]) / 2;
      for (let q = 0; q < 2; q++) {
        const uu = mid + half * gl.x[q];
        const wn = half * gl.w[q] * this.spline.evaluate(uu);
        this.uq[2 * j + q] = uu;
        this.wnq[2 * j + q] = wn;
        norm += wn;
        zn += wn * uu;
      }
    }
    if (!(norm > 0)) throw new CosmetaError('n(z): a bin integrates to zero after interpolation');
    this.norm = norm;
    this.meanZ = zn / norm;
    let last = this.n.length - 1;
    while (last > 0 && this.n[last] === 0) last--;
    this.lastPositive = Math.min(this.n.length - 1, last + 1);
  }

  /** Shift Delta_i for a photo-z parameter dz in the given convention. */
  shift(dz: number, convention: ShiftConvention): number {
    return convention === 'paper' ? dz * (1 + this.meanZ) : dz;
  }
}
