/**
 * Amplitude of the linear matter power spectrum from the primordial curvature power A_s (the
 * Poisson-equation normalisation), for the fitting-formula shapes P(k) proportional to k^n_s T(k)^2 with
 * T(k -> 0) = 1.
 *
 * In the matter era the comoving-gauge density contrast follows from the primordial curvature R by the
 * Poisson equation, delta(k, a) = (2/5) (c k / H0)^2 R(k) T(k) D(a) / Omega_m, with D -> a deep in matter
 * domination (Phi = (3/5) R on super-horizon scales; Dodelson 2003, Modern Cosmology, ch. 7). In
 * Eisenstein & Hu's form (1999, ApJ 511, 5, Eq. 1) Delta^2 = delta_H^2 (c k / H0)^(3 + n_s) T^2 D^2 with
 * delta_H^2 = (4/25) A_s (c k_p / H0)^(1 - n_s) / Omega_m^2 [D normalised to a in the matter era], i.e.
 *
 *   Delta^2(k, z) = (4/25) A_s (k / k_p)^(n_s - 1) (c k / H0)^4 T(k)^2 [D(z) / Omega_m]^2,
 *   P(k, z) = 2 pi^2 Delta^2 / k^3 [Mpc^3],  k_p = 0.05 / Mpc.
 *
 * D(z = 0) here is the radiation-free growth today normalised to a in the matter era: for w = -1 from
 * Heath's integral D(a) = (5/2) Omega_m E(a) int_0^a da' / (a' E(a'))^3 (Heath 1977, MNRAS 179, 351;
 * exact for matter, curvature and Lambda) with E^2 = Omega_m a^-3 + Omega_k a^-2 + Omega_L; for CPL dark
 * energy, where Heath's integral does not hold (it is 4% off at w0 = -0.8, wa = 0.3), from the growth
 * ODE of the background without radiation.
 * Radiation is left out because the fitting formulas' T(k) already carries the radiation era; the
 * difference it would make to D is of order a_eq ~ 3e-4.
 */

import { gaussLegendre } from '../../math/quadrature.js';
import { HUBBLE_DISTANCE_H1 } from '../constants.js';
import { Background, darkEnergyDensity } from '../background.js';
import { cosmology, type Cosmology } from '../params.js';

/** Pivot wavenumber of A_s [1/Mpc] (CAMB's and CCL's default). */
export const K_PIVOT = 0.05;

// In a = t^2 the integrand of Heath's integral is 2 t^4 / (Omega_m + ...)^(3/2): a polynomial-like,
// smooth function, so 48 Gauss-Legendre nodes give ~1e-14.
const HEATH = gaussLegendre(48, 0, 1);

/** Radiation-free linear growth today, normalised to D = a deep in matter domination (Heath's integral). */
export function matterEraGrowthToday(c: Cosmology): number {
  if (c.w0 !== -1 || c.wa !== 0) {
    const { S8: _s8, Omega_m: _m, Omega_g: _g, Omega_nu_rel: _nu, Omega_l: _l, ...input } = c;
    return new Background(cosmology({ ...input, radiation: false }), 1).growthFactorUnnormalised(1);
  }
  const Ode = 1 - c.Omega_m - c.Omega_k;
  let s = 0;
  for (let i = 0; i < HEATH.x.length; i++) {
    const t = HEATH.x[i];
    const a = t * t;
    // (a E)^2 a = Omega_m + Omega_k a + Omega_DE(a) a^3; integrand da / (a E)^3 = 2 t dt a^{3/2} / (...)^{3/2}.
    const q = c.Omega_m + c.Omega_k * a + Ode * darkEnergyDensity(c, a) * a * a * a;
    s += HEATH.w[i] * 2 * t * (a * Math.sqrt(a)) / (q * Math.sqrt(q));
  }
  return 2.5 * c.Omega_m * s; // E(1) = 1
}

/**
 * The factor C with P(k, z = 0) = A_s C k^n_s T(k)^2 [Mpc^3] for k in 1/Mpc:
 * C = 2 pi^2 (4/25) k_p^(1 - n_s) (c / H0)^4 [D(0) / Omega_m]^2 (the equation in this file's header).
 */
export function poissonFactor(c: Cosmology): number {
  const dH = HUBBLE_DISTANCE_H1 / c.h; // c / H0 [Mpc]
  const g = matterEraGrowthToday(c) / c.Omega_m;
  return 2 * Math.PI * Math.PI * (4 / 25) * Math.pow(K_PIVOT, 1 - c.n_s) * dH * dH * dH * dH * g * g;
}
