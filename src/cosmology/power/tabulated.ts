/**
 * A matter power spectrum given as a table P(k_j, z_i) [Mpc^3] (e.g. from a Boltzmann code, or CCL's
 * output), interpolated by natural cubic splines in ln P against ln k on each redshift row and a cubic
 * spline across rows in z. Outside the k range, ln P is continued linearly in ln k.
 */

import { CosmetaError } from '../../errors.js';
import { CubicSpline } from '../../math/spline.js';
import type { MatterPower } from './matter-power.js';

export class TabulatedPower implements MatterPower {
  readonly name: string;
  private readonly z: Float64Array;
  private readonly rows: CubicSpline[];
  private readonly lnkLo: number;
  private readonly lnkHi: number;

  /**
   * @param k wavenumbers [1/Mpc], increasing
   * @param z redshifts, increasing (at least 3 for z interpolation; 1 for a single redshift)
   * @param pk pk[i][j] = P(k_j, z_i) [Mpc^3]
   */
  constructor(k: ArrayLike<number>, z: ArrayLike<number>, pk: ArrayLike<ArrayLike<number>>, name = 'tabulated') {
    if (pk.length !== z.length) throw new CosmetaError(`TabulatedPower: ${pk.length} rows for ${z.length} redshifts`);
    this.name = name;
    this.z = Float64Array.from(z);
    const lnk = Float64Array.from(k, Math.log);
    this.rows = Array.from(pk, (row, i) => {
      if (row.length !== k.length) throw new CosmetaError(`TabulatedPower: row ${i} has ${row.length} values for ${k.length} wavenumbers`);
      return new CubicSpline(lnk, Float64Array.from(row, (p, j) => {
        if (!(p > 0)) throw new CosmetaError(`TabulatedPower: P(k=${k[j]}, z=${z[i]}) = ${p} is not positive`);
        return Math.log(p);
      }));
    });
    this.lnkLo = lnk[0];
    this.lnkHi = lnk[lnk.length - 1];
  }

  private lnPRow(i: number, lnk: number): number {
    const s = this.rows[i];
    if (lnk < this.lnkLo) return s.evaluate(this.lnkLo) + s.derivative(this.lnkLo) * (lnk - this.lnkLo);
    if (lnk > this.lnkHi) return s.evaluate(this.lnkHi) + s.derivative(this.lnkHi) * (lnk - this.lnkHi);
    return s.evaluate(lnk);
  }

  fill(z: number, _k: ArrayLike<number>, lnk: ArrayLike<number>, out: Float64Array, n = lnk.length): void {
    const nz = this.z.length;
    if (nz === 1) {
      for (let i = 0; i < n; i++) out[i] = Math.exp(this.lnPRow(0, lnk[i]));
      return;
    }
    if (z < this.z[0] || z > this.z[nz - 1]) throw new CosmetaError(`TabulatedPower: z=${z} outside [${this.z[0]}, ${this.z[nz - 1]}]`);
    const column = new Float64Array(nz);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < nz; r++) column[r] = this.lnPRow(r, lnk[i]);
      out[i] = Math.exp(new CubicSpline(this.z, column).evaluate(z));
    }
  }
}
