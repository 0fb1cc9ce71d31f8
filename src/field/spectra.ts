/**
 * Prior spectra of the field-level models from the theory engine:
 * - the convergence C_ell of one tomographic bin (Limber, halofit): the shear E-mode C_ell without the
 *   spin-2 prefactor (ell+2)(ell+1)ell(ell-1)/(ell+1/2)^4, which is exactly kappa's spectrum (the
 *   prefactor of limber.ts; Kitching et al. 2017, MNRAS 469, 2737); tabulated on 64 log-spaced multipoles and interpolated
 *   linearly in (ln ell, ln C_ell), which is accurate to < 0.1% for these smooth spectra;
 * - the linear matter power P_L(k, z) [Mpc^3], k in 1/Mpc.
 */

import { Background } from '../cosmology/background.js';
import { cosmology, type CosmologyInput } from '../cosmology/params.js';
import { LinearPower } from '../cosmology/power/linear.js';
import { ShearTheory } from '../cosmology/theory.js';
import { linearModel } from '../cosmology/transfer/index.js';
import { CosmetaError } from '../errors.js';
import type { RedshiftDistributions } from '../cosmology/redshift.js';

/** kappa C_ell [sr] of bin `bin` of the distributions, as a function of ell (log-log interpolation). */
export function convergenceSpectrum(params: CosmologyInput, distributions: RedshiftDistributions, bin: number, ellRange: [number, number] = [10, 50_000]): (ell: number) => number {
  if (!Number.isInteger(bin) || bin < 0 || bin >= distributions.nz.length) {
    throw new CosmetaError(`bin ${bin} is not one of the ${distributions.nz.length} tomographic bins`);
  }
  const one: RedshiftDistributions = { z: distributions.z, nz: [distributions.nz[bin]] };
  const nEll = 64;
  const [lo, hi] = ellRange;
  const lnEll = Float64Array.from({ length: nEll }, (_, i) => Math.log(lo) + (i / (nEll - 1)) * Math.log(hi / lo));
  const theory = new ShearTheory(one, lnEll.map(Math.exp), { linear: linearModel('eisenstein_hu'), spin2: false });
  const cl = theory.compute(params);
  const lnCl = cl.map(Math.log);
  const step = lnEll[1] - lnEll[0];
  return (ell: number) => {
    const t = Math.min(nEll - 1 - 1e-12, Math.max(0, (Math.log(ell) - lnEll[0]) / step));
    const i = Math.floor(t);
    const f = t - i;
    return Math.exp((1 - f) * lnCl[i] + f * lnCl[Math.min(i + 1, nEll - 1)]);
  };
}

/** Linear P_L(k, z) [Mpc^3] (Eisenstein & Hu shape, sigma8 normalisation), k in 1/Mpc. */
export function linearMatterSpectrum(params: CosmologyInput, z: number): (k: number) => number {
  const c = cosmology(params);
  const bg = new Background(c, Math.max(z, 1) * 1.01 + 0.01);
  const lin = new LinearPower(bg, linearModel('eisenstein_hu'));
  return (k: number) => lin.power(k, z);
}
