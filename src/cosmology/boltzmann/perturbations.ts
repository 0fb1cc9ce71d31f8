/**
 * Linear scalar perturbations of one Fourier mode k [1/Mpc] in the synchronous gauge comoving with the
 * CDM (Ma & Bertschinger 1995, ApJ 455, 7; "MB95"), integrated in x = ln a with the L-stable Rodas4
 * method and no tight-coupling, radiation-streaming or fluid approximation (as SymBoltz.jl,
 * arXiv:2509.24740): the stiff Thomson terms are handled by the implicit method.
 *
 * Unknowns (d/dtau written '):
 *   eta (metric), delta_c, delta_b, theta_b, photon temperature F_g,0..lg, polarisation G_g,0..lg,
 *   massless neutrinos F_nu,0..lnu;  delta_g = F_g0, theta_g = 3k F_g1 / 4, sigma_g = F_g2 / 2.
 * Equations: Einstein (MB95 21a,b) h' = 2 (k^2 eta + 4 pi G a^2 delta rho) / (a'/a),
 *   eta' = 4 pi G a^2 (rho + P) theta / k^2;  CDM and baryons (42): delta_c' = -h'/2,
 *   delta_b' = -theta_b - h'/2, theta_b' = -(a'/a) theta_b + c_s^2 k^2 delta_b + R kappa' (theta_g - theta_b)
 *   with R = 4 rho_g / (3 rho_b); photons (63); neutrinos (49); hierarchy truncation (51):
 *   F_l' = k F_(l-1) - (l+1) F_l / tau (- kappa' F_l for photons).
 * Adiabatic initial conditions (MB95 eq. 96) deep in the radiation era with C = 1/2, so that the
 * comoving curvature R = eta(tau -> 0) = 1; the transfer function is then -delta_m.
 * The system is linear, y' = A(x) y, so the Jacobian is A itself, assembled column by column.
 */

import { integrateRodas4, StiffIntegrationError, type StiffSystem } from '../../math/rosenbrock.js';
import type { BoltzmannBackground } from './background.js';
import type { ThermalHistory } from './thermo.js';

/** Per-mode accuracy knobs (see settings.ts for their meaning and error estimates). */
export interface ModeSettings {
  lMaxPhoton: number;
  lMaxNeutrino: number;
  rtol: number;
  /** Errors of components smaller than floor x max(|eta|, |delta_c|) are measured against that floor. */
  errorFloor: number;
  /** Initial time: k tau_ini <= this, and a_ini <= aIniOverAeq x a_eq. */
  kTauInitial: number;
  aIniOverAeq: number;
  maxSteps: number;
}

export interface ModeResult {
  /** -delta_m = -(rho_c delta_c + rho_b delta_b) / (rho_c + rho_b) at each requested ln a (R = 1). */
  transfer: Float64Array;
  steps: number;
}

/**
 * Evolve one k from the radiation era to the requested ln a values (increasing, <= 0) and return the
 * CDM + baryon density contrast there, per unit initial comoving curvature.
 */
export function evolveMode(bg: BoltzmannBackground, th: ThermalHistory, k: number, lnaOut: ArrayLike<number>, s: ModeSettings): ModeResult {
  const c = bg.cosmo;
  const lg = s.lMaxPhoton;
  const ln = s.lMaxNeutrino;
  const iEta = 0;
  const iDc = 1;
  const iDb = 2;
  const iTb = 3;
  const iF = 4;
  const iG = iF + lg + 1;
  const iN = iG + lg + 1;
  const n = iN + ln + 1;
  const H2 = c.H0c * c.H0c;
  const Og = c.Omega_g;
  const On = c.Omega_nu;
  const Oc = c.Omega_c;
  const Ob = c.Omega_b;
  const k2 = k * k;

  // background at the last x, reused by the Jacobian's n right-hand-side calls
  let cx = NaN;
  let aH = 0;
  let a = 0;
  let kap = 0;
  let cs2 = 0;
  let invTau = 0;
  let Rb = 0;
  const setX = (x: number): void => {
    if (x === cx) return;
    cx = x;
    a = Math.exp(x);
    aH = bg.conformalHubble(a);
    kap = th.opacity(x);
    cs2 = th.cs2(x);
    invTau = 1 / bg.tau(x);
    Rb = ((4 / 3) * Og) / (Ob * a);
  };

  const rhs = (x: number, y: Float64Array, f: Float64Array): void => {
    setX(x);
    const ia = 1 / a;
    const eta = y[iEta];
    const dc = y[iDc];
    const db = y[iDb];
    const thb = y[iTb];
    const dg = y[iF];
    const thg = 0.75 * k * y[iF + 1];
    const dn = y[iN];
    const thn = 0.75 * k * y[iN + 1];
    // 4 pi G a^2 delta rho and 4 pi G a^2 (rho + P) theta, [1/Mpc^2]
    const drho = 1.5 * H2 * ((Oc * dc + Ob * db) * ia + (Og * dg + On * dn) * ia * ia);
    const rpt = 1.5 * H2 * (Ob * thb * ia + (4 / 3) * (Og * thg + On * thn) * ia * ia);
    const hp = (2 * (k2 * eta + drho)) / aH;
    const etap = rpt / k2;
    const inv = 1 / aH; // d/dx = (1/aH) d/dtau
    f[iEta] = etap * inv;
    f[iDc] = -0.5 * hp * inv;
    f[iDb] = (-thb - 0.5 * hp) * inv;
    f[iTb] = (-aH * thb + cs2 * k2 * db + Rb * kap * (thg - thb)) * inv;
    // photon temperature
    const F = iF;
    const G = iG;
    const pi = y[F + 2] + y[G] + y[G + 2];
    f[F] = (-k * y[F + 1] - (2 / 3) * hp) * inv;
    f[F + 1] = ((k / 3) * (y[F] - 2 * y[F + 2]) + kap * ((4 * thb) / (3 * k) - y[F + 1])) * inv;
    f[F + 2] = ((k / 5) * (2 * y[F + 1] - 3 * y[F + 3]) + (4 / 15) * hp + (8 / 5) * etap - kap * (0.9 * y[F + 2] - 0.1 * (y[G] + y[G + 2]))) * inv;
    for (let l = 3; l < lg; l++) f[F + l] = ((k / (2 * l + 1)) * (l * y[F + l - 1] - (l + 1) * y[F + l + 1]) - kap * y[F + l]) * inv;
    f[F + lg] = (k * y[F + lg - 1] - ((lg + 1) * invTau + kap) * y[F + lg]) * inv;
    // photon polarisation
    f[G] = (-k * y[G + 1] + kap * (-y[G] + 0.5 * pi)) * inv;
    f[G + 1] = ((k / 3) * (y[G] - 2 * y[G + 2]) - kap * y[G + 1]) * inv;
    f[G + 2] = ((k / 5) * (2 * y[G + 1] - 3 * y[G + 3]) + kap * (-y[G + 2] + 0.1 * pi)) * inv;
    for (let l = 3; l < lg; l++) f[G + l] = ((k / (2 * l + 1)) * (l * y[G + l - 1] - (l + 1) * y[G + l + 1]) - kap * y[G + l]) * inv;
    f[G + lg] = (k * y[G + lg - 1] - ((lg + 1) * invTau + kap) * y[G + lg]) * inv;
    // massless neutrinos
    const N = iN;
    f[N] = (-k * y[N + 1] - (2 / 3) * hp) * inv;
    f[N + 1] = ((k / 3) * (y[N] - 2 * y[N + 2])) * inv;
    f[N + 2] = ((k / 5) * (2 * y[N + 1] - 3 * y[N + 3]) + (4 / 15) * hp + (8 / 5) * etap) * inv;
    for (let l = 3; l < ln; l++) f[N + l] = ((k / (2 * l + 1)) * (l * y[N + l - 1] - (l + 1) * y[N + l + 1])) * inv;
    f[N + ln] = (k * y[N + ln - 1] - (ln + 1) * invTau * y[N + ln]) * inv;
  };

  const unit = new Float64Array(n);
  const col = new Float64Array(n);
  const sys: StiffSystem = {
    n,
    rhs,
    jacobian(x, _y, jac) {
      for (let j = 0; j < n; j++) {
        unit[j] = 1;
        rhs(x, unit, col);
        unit[j] = 0;
        for (let i = 0; i < n; i++) jac[i * n + j] = col[i];
      }
    },
  };

  // initial time: k tau <= kTauInitial and a <= aIniOverAeq a_eq
  const tauA = bg.tau(Math.log(s.aIniOverAeq * bg.aEq));
  const tau0 = Math.min(s.kTauInitial / k, tauA);
  const x0 = bg.lnaOfTau(tau0);
  const tau = bg.tau(x0);
  const Rnu = On / (Og + On);
  const C = 0.5;
  const kt2 = (k * tau) ** 2;
  const y = new Float64Array(n);
  const dg = (-2 / 3) * C * kt2;
  const thg = (-1 / 18) * C * k2 * k2 * tau * tau * tau;
  y[iEta] = 2 * C - ((5 + 4 * Rnu) / (6 * (15 + 4 * Rnu))) * C * kt2;
  y[iDc] = 0.75 * dg;
  y[iDb] = 0.75 * dg;
  y[iTb] = thg;
  y[iF] = dg;
  y[iF + 1] = (4 * thg) / (3 * k);
  y[iN] = dg;
  y[iN + 1] = (4 * ((23 + 4 * Rnu) / (15 + 4 * Rnu)) * thg) / (3 * k);
  y[iN + 2] = (2 * (2 * C * kt2)) / (3 * (15 + 4 * Rnu));

  const out = new Float64Array(lnaOut.length);
  const Om = Oc + Ob;
  const floor = s.errorFloor;
  const stats = integrateRodas4(sys, x0, y, lnaOut, (i, _x, yy) => {
    out[i] = -(Oc * yy[iDc] + Ob * yy[iDb]) / Om;
  }, {
    rtol: s.rtol,
    atol: 0,
    maxSteps: s.maxSteps,
    weights(yOld, yNew, w) {
      const scale = floor * Math.max(Math.abs(yNew[iEta]), Math.abs(yNew[iDc]), Math.abs(yOld[iDc]));
      for (let i = 0; i < n; i++) w[i] = s.rtol * (Math.max(Math.abs(yOld[i]), Math.abs(yNew[i])) + scale);
    },
  });
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new StiffIntegrationError(`non-finite delta_m at ln a=${lnaOut[i]} for k=${k}/Mpc`);
  }
  return { transfer: out, steps: stats.accepted + stats.rejected };
}
