/**
 * sigma8 from the primordial amplitude A_s, for a linear shape model P(k) proportional to k^n_s T(k)^2:
 *
 *   P(k, a = 1) = 2 pi^2 / k^3 A_s (k / k_pivot)^(n_s - 1) [ (2/5) k^2 T(k) D_md(1) / (Omega_m H0^2) ]^2
 *
 * (Dodelson & Schmidt 2020, Eq. 8.5 with 7.6; Eisenstein & Hu 1998, Eq. 29-31 use the same form), with
 * k_pivot = 0.05/Mpc, H0 in 1/Mpc, and D_md the growth factor normalised to a in matter domination, for
 * flat or curved LCDM (w = -1) from Heath's integral D(a) = (5/2) Omega_m E(a) int_0^a da' / (a' E(a'))^3
 * without radiation (the transfer function already carries the radiation era). sigma8 then follows from
 * the top-hat variance at R = 8/h Mpc.
 *
 * This is the one place the A_s normalisation lives: a Boltzmann solver's own A_s normalisation (with
 * its own growth and radiation) replaces it here. With Eisenstein & Hu's transfer function the result is
 * within ~1-2% of CAMB's sigma8 (the accuracy of EH's T(k) around k ~ 0.1-1 h/Mpc).
 */

import { CosmetaError } from '../errors.js';
import { gaussLegendre } from '../math/quadrature.js';
import { topHatWindow } from './power/linear.js';
import { cosmology, type CosmologyInput } from './params.js';
import type { LinearShape } from './transfer/model.js';

export const K_PIVOT = 0.05; // 1/Mpc
const C_KM_S = 299792.458;
const GL = gaussLegendre(64);

/** Growth factor today normalised to a deep in matter domination (no radiation), LCDM. */
export function growthTodayMatterNormalised(Omega_m: number, Omega_k = 0): number {
  const Ol = 1 - Omega_m - Omega_k;
  const E = (a: number) => Math.sqrt(Omega_m / (a * a * a) + Omega_k / (a * a) + Ol);
  // int_0^1 da / (a E)^3: with a = u^2 the integrand ~ u^2 (a^3/2 Omega_m^-3/2 ...) is smooth at u = 0.
  let s = 0;
  for (let i = 0; i < GL.x.length; i++) {
    const u = 0.5 * (GL.x[i] + 1);
    const a = u * u;
    const aE = a * E(a);
    s += 0.5 * GL.w[i] * (2 * u) / (aE * aE * aE);
  }
  return 2.5 * Omega_m * E(1) * s;
}

/** sigma8 for amplitude A_s (at k_pivot 0.05/Mpc) and the other parameters of `input` (its sigma8 is ignored). */
export function sigma8FromAs(input: Omit<CosmologyInput, 'sigma8'>, A_s: number, shape: LinearShape): number {
  if (!(A_s > 0) || !Number.isFinite(A_s)) throw new CosmetaError(`A_s = ${A_s} must be a positive number`);
  const c = cosmology({ ...input, sigma8: 0.8 });
  if (c.w0 !== -1 || c.wa !== 0) throw new CosmetaError(`the A_s normalisation is implemented for w0 = -1, wa = 0 (got w0 = ${c.w0}, wa = ${c.wa})`);
  shape.check?.(c);
  const f = shape.prepare(c);
  const H0 = (100 * c.h) / C_KM_S; // 1/Mpc
  const D = growthTodayMatterNormalised(c.Omega_m, c.Omega_k);
  const amp = (2 / 5) * (D / (c.Omega_m * H0 * H0));
  // P(k) = norm * f(k) with f = k^n_s T^2: norm = 2 pi^2 A_s k_pivot^(1 - n_s) amp^2.
  const norm = 2 * Math.PI * Math.PI * A_s * Math.pow(K_PIVOT, 1 - c.n_s) * amp * amp;
  // sigma8^2 = int dlnk k^3 P(k) W^2(k R) / (2 pi^2), Simpson in ln k over [1e-5, 1e2]/Mpc.
  const r8 = 8 / c.h;
  const a = Math.log(1e-5);
  const b = Math.log(1e2);
  const n = 1200;
  const h = (b - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const k = Math.exp(a + i * h);
    const w = topHatWindow(k * r8);
    s += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * k * k * k * f(k) * w * w;
  }
  const sigma2 = (norm * (s * h)) / 3 / (2 * Math.PI * Math.PI);
  return Math.sqrt(sigma2);
}
