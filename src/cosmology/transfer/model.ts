/**
 * The contract every linear-power model fulfils: the shape of the z = 0 linear matter power spectrum,
 * P(k) proportional to k^n_s T(k)^2, for k in 1/Mpc. The amplitude is set afterwards by sigma8.
 * Models are values: pass one to `linearPower`, never a string switch.
 */

import type { Cosmology } from '../params.js';

export interface LinearShape {
  /** Stable identifier, recorded with results (e.g. "eisenstein_hu"). */
  readonly name: string;
  /** Throw a CosmetaError if the parameters are outside the model's validity. Optional. */
  check?(c: Cosmology): void;
  /** Precompute per-cosmology constants; return the unnormalised shape k [1/Mpc] -> P(k) (arbitrary units). */
  prepare(c: Cosmology): (k: number) => number;
}
