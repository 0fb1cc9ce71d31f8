/**
 * The cosmology the Boltzmann solver integrates: flat LCDM with photons (T_CMB), N_eff massless
 * neutrinos, baryons, CDM and a cosmological constant closing the budget, as CAMB sets it up for CCL
 * (Omega_Lambda = 1 - Omega_m - Omega_gamma - Omega_nu). Validated and frozen; densities are today's.
 */

import { CosmetaError } from '../../errors.js';
import { HUBBLE_DISTANCE_H1, NU_PER_PHOTON, OMEGA_GAMMA_H2_PER_T4 } from '../constants.js';
import { heliumFractionBbn } from './bbn.js';
import { M_HELIUM4, M_HYDROGEN } from './constants.js';

/** Parameters of one Boltzmann run (names as CCL). Exactly one of A_s (pivot 0.05/Mpc) or sigma8. */
export interface BoltzmannInput {
  Omega_c: number;
  Omega_b: number;
  h: number;
  n_s: number;
  /** Primordial curvature amplitude at k = 0.05/Mpc. */
  A_s?: number;
  /** rms linear total-matter fluctuation in 8/h Mpc spheres at z = 0. */
  sigma8?: number;
  /** CMB temperature today [K]; default 2.7255. */
  T_CMB?: number;
  /** Effective number of massless neutrino species; default 3.044. */
  Neff?: number;
  /** Helium mass fraction; default from the PRIMAT BBN table at omega_b (bbn.ts). */
  YHe?: number;
}

/** A validated cosmology with derived densities. */
export interface BoltzmannCosmology {
  readonly Omega_c: number;
  readonly Omega_b: number;
  readonly h: number;
  readonly n_s: number;
  readonly T_CMB: number;
  readonly Neff: number;
  readonly YHe: number;
  readonly Omega_g: number;
  readonly Omega_nu: number;
  readonly Omega_m: number;
  readonly Omega_l: number;
  /** H0 / c [1/Mpc]. */
  readonly H0c: number;
  /** n_He / n_H (number ratio). */
  readonly fHe: number;
  /** A short description for error messages. */
  readonly label: string;
}

function check(name: string, v: number | undefined, lo: number, hi: number): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= lo || v >= hi) throw new CosmetaError(`Boltzmann input ${name}=${v} is outside the valid range (${lo}, ${hi})`);
}

/** Validate the input (every value in its physical range) and derive the densities. */
export function prepareCosmology(input: BoltzmannInput): BoltzmannCosmology {
  check('Omega_c', input.Omega_c, 0, 1);
  check('Omega_b', input.Omega_b, 0, 1);
  check('h', input.h, 0.1, 2);
  check('n_s', input.n_s, 0.3, 2);
  check('T_CMB', input.T_CMB, 1, 10);
  check('Neff', input.Neff, -1e-12, 20);
  check('YHe', input.YHe, 0, 0.6);
  for (const key of ['Omega_c', 'Omega_b', 'h', 'n_s'] as const) {
    if (typeof input[key] !== 'number') throw new CosmetaError(`Boltzmann input ${key} is required (got ${String(input[key])})`);
  }
  const T_CMB = input.T_CMB ?? 2.7255;
  const Neff = input.Neff ?? 3.044;
  const h = input.h;
  const ombh2 = input.Omega_b * h * h;
  let YHe = input.YHe;
  if (YHe === undefined) {
    if (Math.abs(Neff - 3.044) > 1e-9) {
      throw new CosmetaError(`Boltzmann input: the BBN helium table is for Neff = 3.044; with Neff=${Neff} give YHe explicitly`);
    }
    YHe = heliumFractionBbn(ombh2, T_CMB);
  }
  const Omega_g = (OMEGA_GAMMA_H2_PER_T4 * T_CMB ** 4) / (h * h);
  const Omega_nu = Neff * NU_PER_PHOTON * Omega_g;
  const Omega_m = input.Omega_c + input.Omega_b;
  const Omega_l = 1 - Omega_m - Omega_g - Omega_nu;
  if (!(Omega_l >= 0)) throw new CosmetaError(`Boltzmann input: Omega_c + Omega_b = ${Omega_m} leaves Omega_Lambda = ${Omega_l} < 0 (flat universe)`);
  const label = `Omega_c=${input.Omega_c}, Omega_b=${input.Omega_b}, h=${h}, n_s=${input.n_s}`;
  return Object.freeze({
    Omega_c: input.Omega_c,
    Omega_b: input.Omega_b,
    h,
    n_s: input.n_s,
    T_CMB,
    Neff,
    YHe,
    Omega_g,
    Omega_nu,
    Omega_m,
    Omega_l,
    H0c: h / HUBBLE_DISTANCE_H1,
    fHe: YHe / ((M_HELIUM4 / M_HYDROGEN) * (1 - YHe)),
    label,
  });
}
