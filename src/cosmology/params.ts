/**
 * Cosmological parameters, named as CCL and the papers write them, with their validation and derived
 * quantities. Units: h is H0 / (100 km/s/Mpc); T_CMB in K; densities are today's density parameters.
 *
 * Radiation follows CCL's defaults: photons from T_CMB, massless neutrinos from Neff, and dark energy
 * closing the budget, Omega_Lambda = 1 - Omega_m - Omega_gamma - Omega_nu,rel - Omega_k.
 */

import { CosmetaError } from '../errors.js';
import { NU_PER_PHOTON, OMEGA_GAMMA_H2_PER_T4 } from './constants.js';

/** The parameters a user sets. Optional ones default as in `DEFAULTS`. */
export interface CosmologyInput {
  Omega_c: number;
  Omega_b: number;
  h: number;
  /** Amplitude: exactly one of sigma8 (rms linear density in 8/h Mpc spheres today) and A_s. */
  sigma8?: number;
  /** Primordial curvature power at the pivot k = 0.05/Mpc: P_R(k) = A_s (k / 0.05 Mpc^-1)^(n_s - 1). */
  A_s?: number;
  n_s: number;
  /** Dark-energy equation of state today (CPL: w(a) = w0 + wa (1 - a)). */
  w0?: number;
  wa?: number;
  Omega_k?: number;
  /** CMB temperature today [K]; sets the photon density and the transfer functions' Theta_2.7. */
  T_CMB?: number;
  /** Effective number of massless neutrino species. */
  Neff?: number;
  /** Sum of neutrino masses [eV]; only 0 is supported for now. */
  m_nu?: number;
  /**
   * Include photons and massless neutrinos in the expansion rate (CCL's default). CCL's distance,
   * growth and power-spectrum benchmarks are computed without radiation: set false to match them.
   */
  radiation?: boolean;
}

/** A validated parameter set with every default filled in and the derived densities. Immutable. */
export interface Cosmology {
  readonly Omega_c: number;
  readonly Omega_b: number;
  readonly h: number;
  /**
   * The amplitude as given: exactly one of sigma8 and A_s is set. The other (and S8) depends on the
   * linear-power model and is derived there (`LinearMatterPower.sigma8`, `.A_s`, `.S8`).
   */
  readonly sigma8?: number;
  readonly A_s?: number;
  readonly n_s: number;
  readonly w0: number;
  readonly wa: number;
  readonly Omega_k: number;
  readonly T_CMB: number;
  readonly Neff: number;
  readonly m_nu: number;
  readonly radiation: boolean;
  /** Omega_c + Omega_b (no massive neutrinos). */
  readonly Omega_m: number;
  /** Photon density today (0 without radiation). */
  readonly Omega_g: number;
  /** Massless-neutrino density today (0 without radiation). */
  readonly Omega_nu_rel: number;
  /** Dark-energy density today, closing the budget. */
  readonly Omega_l: number;
  /** S8 = sigma8 sqrt(Omega_m / 0.3), when sigma8 is given (else derived by the linear model). */
  readonly S8?: number;
}

export const DEFAULTS = {
  w0: -1,
  wa: 0,
  Omega_k: 0,
  T_CMB: 2.7255,
  Neff: 3.044,
  m_nu: 0,
  radiation: true,
} as const;

/** The parameter names accepted in input files, in a stable order. */
export const PARAMETER_NAMES = ['Omega_c', 'Omega_b', 'h', 'sigma8', 'A_s', 'n_s', 'w0', 'wa', 'Omega_k', 'T_CMB', 'Neff', 'm_nu'] as const;

function requireNumber(name: string, value: unknown, lo: number, hi: number, loOpen = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CosmetaError(`parameter ${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  const belowLo = loOpen ? value <= lo : value < lo;
  if (belowLo || value > hi) {
    throw new CosmetaError(`parameter ${name}=${value} is outside the valid range ${loOpen ? '(' : '['}${lo}, ${hi}]`);
  }
  return value;
}

/**
 * The amplitude of a parameter set: exactly one of sigma8 (in (0, 5]) and A_s (in (0, 1e-7]), else a
 * CosmetaError saying which to give.
 */
export function amplitudeOf(input: { sigma8?: unknown; A_s?: unknown }): { sigma8?: number; A_s?: number } {
  const hasS = input.sigma8 !== undefined;
  const hasA = input.A_s !== undefined;
  if (hasS && hasA) {
    throw new CosmetaError(`give exactly one of sigma8 and A_s, not both (got sigma8=${JSON.stringify(input.sigma8)}, A_s=${JSON.stringify(input.A_s)})`);
  }
  if (!hasS && !hasA) throw new CosmetaError('give exactly one of sigma8 and A_s (the amplitude); neither was given');
  return hasS ? { sigma8: requireNumber('sigma8', input.sigma8, 0, 5, true) } : { A_s: requireNumber('A_s', input.A_s, 0, 1e-7, true) };
}

/**
 * Validate user parameters and derive the densities. Throws a CosmetaError naming the first bad value.
 * The ranges are physical sanity bounds; a linear-P(k) model may impose narrower ones of its own.
 */
export function cosmology(input: CosmologyInput): Cosmology {
  if (input === null || typeof input !== 'object') throw new CosmetaError('cosmological parameters must be an object');
  for (const key of Object.keys(input)) {
    if (!(PARAMETER_NAMES as readonly string[]).includes(key) && key !== 'radiation') {
      throw new CosmetaError(`unknown cosmological parameter "${key}"; valid: ${PARAMETER_NAMES.join(', ')}, radiation`);
    }
  }
  const Omega_c = requireNumber('Omega_c', input.Omega_c, 0, 2);
  const Omega_b = requireNumber('Omega_b', input.Omega_b, 0, 1);
  const h = requireNumber('h', input.h, 0.1, 2);
  const amplitude = amplitudeOf(input);
  const n_s = requireNumber('n_s', input.n_s, 0.5, 1.5);
  const w0 = requireNumber('w0', input.w0 ?? DEFAULTS.w0, -3, 0);
  const wa = requireNumber('wa', input.wa ?? DEFAULTS.wa, -3, 3);
  const Omega_k = requireNumber('Omega_k', input.Omega_k ?? DEFAULTS.Omega_k, -0.5, 0.5);
  const T_CMB = requireNumber('T_CMB', input.T_CMB ?? DEFAULTS.T_CMB, 0, 10, true);
  const Neff = requireNumber('Neff', input.Neff ?? DEFAULTS.Neff, 0, 10);
  const m_nu = requireNumber('m_nu', input.m_nu ?? DEFAULTS.m_nu, 0, 10);
  if (m_nu !== 0) {
    throw new CosmetaError(`parameter m_nu=${m_nu}: massive neutrinos are not supported yet; m_nu must be 0`);
  }
  const radiation = input.radiation ?? DEFAULTS.radiation;
  if (typeof radiation !== 'boolean') throw new CosmetaError(`parameter radiation must be true or false, got ${JSON.stringify(radiation)}`);
  const Omega_m = Omega_c + Omega_b;
  if (!(Omega_m > 0)) throw new CosmetaError(`Omega_c + Omega_b must be positive, got ${Omega_m}`);
  const Omega_g = radiation ? (OMEGA_GAMMA_H2_PER_T4 * T_CMB ** 4) / (h * h) : 0;
  const Omega_nu_rel = radiation ? Neff * NU_PER_PHOTON * Omega_g : 0;
  const Omega_l = 1 - Omega_m - Omega_g - Omega_nu_rel - Omega_k;
  return Object.freeze({
    Omega_c,
    Omega_b,
    h,
    ...amplitude,
    n_s,
    w0,
    wa,
    Omega_k,
    T_CMB,
    Neff,
    m_nu,
    radiation,
    Omega_m,
    Omega_g,
    Omega_nu_rel,
    Omega_l,
    ...(amplitude.sigma8 !== undefined ? { S8: amplitude.sigma8 * Math.sqrt(Omega_m / 0.3) } : {}),
  });
}
