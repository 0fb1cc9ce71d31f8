/**
 * The contract every linear-power model fulfils: the shape of the z = 0 linear matter power spectrum,
 * for k in 1/Mpc. The amplitude is set afterwards by sigma8 or A_s (`LinearPower`).
 * - Fitting formulas (`absolute` unset): P(k) proportional to k^n_s T(k)^2 with T(k -> 0) = 1; A_s enters
 *   through the Poisson-equation normalisation (power/normalisation.ts).
 * - Absolute models (`absolute: true`, the Boltzmann solver and its emulator): prepare returns
 *   P(k, z = 0) / A_s [Mpc^3] = 2 pi^2 / k^3 (k / 0.05)^(n_s - 1) T(k)^2 exactly.
 * Models are values: pass one to `LinearPower`, never a string switch.
 */

import type { Cosmology } from '../params.js';

export interface LinearShape {
  /** Stable identifier, recorded with results (e.g. "eisenstein_hu"). */
  readonly name: string;
  /** Throw a CosmetaError if the parameters are outside the model's validity. Optional. */
  check?(c: Cosmology): void;
  /** True when `prepare` returns P(k, z = 0) per unit A_s [Mpc^3] (see above). */
  readonly absolute?: boolean;
  /** Precompute per-cosmology constants; return the shape k [1/Mpc] -> P(k) (arbitrary units unless absolute). */
  prepare(c: Cosmology): (k: number) => number;
}
