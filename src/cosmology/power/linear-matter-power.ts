/**
 * The contract between a linear matter power spectrum and what is built on it (halofit, Limber, sigma(R)):
 * the z = 0 spectrum, its uniform ln k table for quadratures, the growth that carries it to redshift z,
 * and the amplitude in both conventions. The fitting formulas (`LinearPower` over a `LinearShape`), the
 * Boltzmann solver and its emulator all come through this one interface, so halofit and Limber never
 * change when the linear model does.
 *
 * Growth is scale-independent: P_L(k, z) = D(z)^2 P_L(k, 0) with D(0) = 1. That holds for the models
 * here (CDM + baryons, massless neutrinos; the solver's spectra at z <= 3 are checked against it in the
 * tests). A model with scale-dependent growth (massive neutrinos) would add per-redshift tables here.
 */

import type { Accuracy } from '../accuracy.js';
import type { Background } from '../background.js';
import type { MatterPower } from './matter-power.js';

/** A uniform resampling of ln P(ln k) for quadratures: ln P at lnk0 + i dlnk. */
export interface UniformLnPTable {
  lnk0: number;
  dlnk: number;
  lnP: Float64Array;
}

export interface LinearMatterPower extends MatterPower {
  /** Background of the cosmology (distances, growth, Omega_m(z) for halofit). */
  readonly background: Background;
  /** The linear model's name (e.g. "eisenstein_hu", "boltzmann_emulated"). */
  readonly model: string;
  readonly accuracy: Accuracy;
  /** sigma8 of this spectrum at z = 0 (given, or derived from A_s). */
  readonly sigma8: number;
  /** Primordial amplitude at k = 0.05/Mpc (given, or derived from sigma8). */
  readonly A_s: number;
  /** S8 = sigma8 sqrt(Omega_m / 0.3). */
  readonly S8: number;
  /** ln P_L(k, z = 0) on a uniform ln k grid reaching accuracy.kMaxIntegrals (halofit's variance sums). */
  readonly uniform: UniformLnPTable;
  /** ln P_L(k, z = 0) [ln Mpc^3] at ln k [ln(1/Mpc)], power-law continued beyond the table. */
  lnPowerToday(lnk: number): number;
  /** Linear growth D(z) / D(0) carrying the z = 0 spectrum to redshift z. */
  growth(z: number): number;
  /** P_L(k, z) [Mpc^3], k in 1/Mpc. */
  power(k: number, z: number): number;
  /** RMS linear density contrast in a top-hat sphere of radius R [Mpc] at redshift z. */
  sigmaR(R: number, z?: number): number;
}
