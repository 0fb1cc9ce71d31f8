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
 * Two standard late-time reductions (CLASS: Blas, Lesgourgues & Tram 2011, JCAP 07, 034, sect. 4), both
 * switched on once and measured by the convergence script:
 *  - neutrino fluid (their "ufa_CLASS") once k tau > ufaKTau: (delta, theta, sigma) with
 *    sigma' = -3 sigma / tau + (2/3)(theta + h'/2) replaces the truncated hierarchy, whose
 *    reflections at l_max otherwise bias small-scale growth by ~1% at l_max = 12;
 *  - radiation streaming once k tau > rsaKTau and kappa' tau < rsaKappaTau (photons decoupled): photons and
 *    neutrinos follow the non-oscillating particular solution, delta_r = (4/k^2)(aH h' - k^2 eta),
 *    theta_r = -h'/2, sigma_r = 0 (h' then solves its Einstein equation with that delta_r).
 * Adiabatic initial conditions (MB95 eq. 96) deep in the radiation era with C = 1/2, so that the
 * comoving curvature R = eta(tau -> 0) = 1; the transfer function is then -delta_m.
 * The system is linear, y' = A(x) y, so the Jacobian is A itself, assembled column by column.
 */

import { BorderedBandedSolver } from '../../math/bordered.js';
import { integrateRodas4, StiffIntegrationError, type StiffSystem } from '../../math/rosenbrock.js';
import type { BoltzmannBackground } from './background.js';
import type { BoltzmannSettings } from './settings.js';
import type { ThermalHistory } from './thermo.js';

/** Per-mode accuracy knobs: the mode-level part of the solver's settings (settings.ts gives each one's meaning and error estimate). */
export type ModeSettings = Pick<
  BoltzmannSettings,
  'lMaxPhoton' | 'lMaxNeutrino' | 'neutrinoLMargin' | 'rtol' | 'errorFloor' | 'kTauInitial' | 'aIniOverAeq' | 'ufaKTau' | 'rsaKTau' | 'rsaKappaTau' | 'maxSteps'
>;

export interface ModeResult {
  /** -delta_m = -(rho_c delta_c + rho_b delta_b) / (rho_c + rho_b) at each requested ln a (R = 1). */
  transfer: Float64Array;
  steps: number;
  /** Steps per stage, in the order the stages ran, with the stage names and end points (ln a). */
  stages: { stage: string; until: number; steps: number }[];
}

type Stage = 'full' | 'nuFluid' | 'streaming';

/** ln a after recombination where kappa' tau first drops below `target` (bisection on z in [20, 2000]). */
export function decouplingLna(bg: BoltzmannBackground, th: ThermalHistory, target: number): number {
  let lo = -Math.log(2001); // kappa' tau large
  let hi = -Math.log(21);
  const g = (x: number): number => th.opacity(x) * bg.tau(x) - target;
  if (g(hi) > 0) return hi;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Evolve one k from the radiation era to the requested ln a values (increasing, <= 0) and return the
 * CDM + baryon density contrast there, per unit initial comoving curvature.
 * `xDecoupled` is decouplingLna(bg, th, s.rsaKappaTau) (shared by all k).
 */
export function evolveMode(
  bg: BoltzmannBackground,
  th: ThermalHistory,
  k: number,
  lnaOut: ArrayLike<number>,
  s: ModeSettings,
  xDecoupled?: number,
  jacobianCheck?: (stage: string, n: number, byColumns: (x: number, j: Float64Array) => void, analytic: (x: number, j: Float64Array) => void) => void,
): ModeResult {
  const c = bg.cosmo;
  const H2 = c.H0c * c.H0c;
  const Og = c.Omega_g;
  const On = c.Omega_nu;
  const Or = Og + On;
  const Oc = c.Omega_c;
  const Ob = c.Omega_b;
  const Om = Oc + Ob;
  const k2 = k * k;
  const iEta = 0;
  const iDc = 1;
  const iDb = 2;
  const iTb = 3;
  const iF = 4;

  // background at the last x: [x, a, aH, kappa', c_s^2, 1/tau, R] in a typed array (mutable doubles in
  // closure variables would be re-boxed on every store)
  const bgx = new Float64Array(7).fill(NaN);
  const setX = (x: number): void => {
    if (x === bgx[0]) return;
    const a = Math.exp(x);
    bgx[0] = x;
    bgx[1] = a;
    bgx[2] = bg.conformalHubble(a);
    bgx[3] = th.opacity(x);
    bgx[4] = th.cs2(x);
    bgx[5] = 1 / bg.tau(x);
    bgx[6] = ((4 / 3) * Og) / (Ob * a);
  };

  const makeSystem = (stage: Stage, lNu = s.lMaxNeutrino): { sys: StiffSystem; iG: number; iN: number } => {
    const lg = stage === 'streaming' ? -1 : s.lMaxPhoton;
    const ln = stage === 'full' ? lNu : stage === 'nuFluid' ? 2 : -1;
    const iG = iF + lg + 1;
    const iN = iG + lg + 1;
    const n = stage === 'streaming' ? 4 : iN + ln + 1;
    const rhs = (x: number, y: Float64Array, f: Float64Array): void => {
      setX(x);
      const a = bgx[1];
      const aH = bgx[2];
      const kap = bgx[3];
      const cs2 = bgx[4];
      const invTau = bgx[5];
      const Rb = bgx[6];
      const ia = 1 / a;
      const eta = y[iEta];
      const dc = y[iDc];
      const db = y[iDb];
      const thb = y[iTb];
      const inv = 1 / aH; // d/dx = (1/aH) d/dtau
      if (stage === 'streaming') {
        // delta_r = (4/k^2)(aH h' - k^2 eta), theta_r = -h'/2; solve h' = 2 (k^2 eta + drho) / aH with it
        const cr = 1.5 * H2 * Or * ia * ia;
        const dm = 1.5 * H2 * (Oc * dc + Ob * db) * ia;
        const hp = (2 * (k2 * eta + dm - 4 * cr * eta)) / (aH * (1 - (8 * cr) / k2));
        const thr = -0.5 * hp;
        const rpt = 1.5 * H2 * Ob * thb * ia + (4 / 3) * cr * thr;
        f[iEta] = (rpt / k2) * inv;
        f[iDc] = -0.5 * hp * inv;
        f[iDb] = (-thb - 0.5 * hp) * inv;
        f[iTb] = (-aH * thb + cs2 * k2 * db + Rb * kap * (thr - thb)) * inv;
        return;
      }
      const F = iF;
      const G = iG;
      const N = iN;
      const dg = y[F];
      const thg = 0.75 * k * y[F + 1];
      const dn = y[N];
      const thn = 0.75 * k * y[N + 1];
      // 4 pi G a^2 delta rho and 4 pi G a^2 (rho + P) theta [1/Mpc^2]
      const drho = 1.5 * H2 * ((Oc * dc + Ob * db) * ia + (Og * dg + On * dn) * ia * ia);
      const rpt = 1.5 * H2 * (Ob * thb * ia + (4 / 3) * (Og * thg + On * thn) * ia * ia);
      const hp = (2 * (k2 * eta + drho)) / aH;
      const etap = rpt / k2;
      f[iEta] = etap * inv;
      f[iDc] = -0.5 * hp * inv;
      f[iDb] = (-thb - 0.5 * hp) * inv;
      f[iTb] = (-aH * thb + cs2 * k2 * db + Rb * kap * (thg - thb)) * inv;
      // photon temperature (MB95 eq. 63)
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
      // massless neutrinos: hierarchy (MB95 eq. 49, 51) or fluid (ufa)
      f[N] = (-k * y[N + 1] - (2 / 3) * hp) * inv;
      f[N + 1] = ((k / 3) * (y[N] - 2 * y[N + 2])) * inv;
      if (stage === 'nuFluid') {
        // F2 = 2 sigma: F2' = -3 F2 / tau + (4/3)(theta + h'/2)  (CLASS ufa_CLASS, synchronous gauge)
        f[N + 2] = (-3 * invTau * y[N + 2] + (4 / 3) * (thn + 0.5 * hp)) * inv;
        return;
      }
      f[N + 2] = ((k / 5) * (2 * y[N + 1] - 3 * y[N + 3]) + (4 / 15) * hp + (8 / 5) * etap) * inv;
      for (let l = 3; l < ln; l++) f[N + l] = ((k / (2 * l + 1)) * (l * y[N + l - 1] - (l + 1) * y[N + l + 1])) * inv;
      f[N + ln] = (k * y[N + ln - 1] - (ln + 1) * invTau * y[N + ln]) * inv;
    };
    const unit = new Float64Array(n);
    const col = new Float64Array(n);
    // linear system: column j of the Jacobian is f(e_j) (used for the 4-unknown streaming stage)
    const columnJacobian = (x: number, jac: Float64Array): void => {
      for (let j = 0; j < n; j++) {
        unit[j] = 1;
        rhs(x, unit, col);
        unit[j] = 0;
        for (let i = 0; i < n; i++) jac[i * n + j] = col[i];
      }
    };
    const hc = new Float64Array(n); // h' = sum_j hc_j y_j
    const ec = new Float64Array(n); // eta' = sum_j ec_j y_j
    const hIdx = [iEta, iDc, iDb, iF, iN];
    const eIdx = [iTb, iF + 1, iN + 1];
    // the same equations as rhs(), differentiated by hand (test/cosmology/boltzmann-jacobian.test.ts checks them)
    const analyticJacobian = (x: number, jac: Float64Array): void => {
      setX(x);
      const a = bgx[1];
      const aH = bgx[2];
      const kap = bgx[3];
      const cs2 = bgx[4];
      const invTau = bgx[5];
      const Rb = bgx[6];
      jac.fill(0);
      const ia = 1 / a;
      const inv = 1 / aH;
      const F = iF;
      const G = iG;
      const N = iN;
      hc[iEta] = (2 * k2) / aH;
      hc[iDc] = (3 * H2 * Oc * ia) / aH;
      hc[iDb] = (3 * H2 * Ob * ia) / aH;
      hc[F] = (3 * H2 * Og * ia * ia) / aH;
      hc[N] = (3 * H2 * On * ia * ia) / aH;
      ec[iTb] = (1.5 * H2 * Ob * ia) / k2;
      ec[F + 1] = (1.5 * H2 * Og * ia * ia) / k;
      ec[N + 1] = (1.5 * H2 * On * ia * ia) / k;
      const addH = (row: number, c: number): void => {
        for (const j of hIdx) jac[row * n + j] += c * hc[j] * inv;
      };
      const addE = (row: number, c: number): void => {
        for (const j of eIdx) jac[row * n + j] += c * ec[j] * inv;
      };
      const set = (row: number, j: number, v: number): void => {
        jac[row * n + j] += v * inv;
      };
      addE(iEta, 1);
      addH(iDc, -0.5);
      addH(iDb, -0.5);
      set(iDb, iTb, -1);
      set(iTb, iTb, -aH - Rb * kap);
      set(iTb, iDb, cs2 * k2);
      set(iTb, F + 1, Rb * kap * 0.75 * k);
      // photons
      set(F, F + 1, -k);
      addH(F, -2 / 3);
      set(F + 1, F, k / 3);
      set(F + 1, F + 2, (-2 * k) / 3);
      set(F + 1, iTb, (kap * 4) / (3 * k));
      set(F + 1, F + 1, -kap);
      set(F + 2, F + 1, (2 * k) / 5);
      set(F + 2, F + 3, (-3 * k) / 5);
      addH(F + 2, 4 / 15);
      addE(F + 2, 8 / 5);
      set(F + 2, F + 2, -0.9 * kap);
      set(F + 2, G, 0.1 * kap);
      set(F + 2, G + 2, 0.1 * kap);
      for (let l = 3; l < lg; l++) {
        set(F + l, F + l - 1, (k * l) / (2 * l + 1));
        set(F + l, F + l + 1, (-k * (l + 1)) / (2 * l + 1));
        set(F + l, F + l, -kap);
      }
      set(F + lg, F + lg - 1, k);
      set(F + lg, F + lg, -((lg + 1) * invTau + kap));
      set(G, G + 1, -k);
      set(G, G, -0.5 * kap);
      set(G, F + 2, 0.5 * kap);
      set(G, G + 2, 0.5 * kap);
      set(G + 1, G, k / 3);
      set(G + 1, G + 2, (-2 * k) / 3);
      set(G + 1, G + 1, -kap);
      set(G + 2, G + 1, (2 * k) / 5);
      set(G + 2, G + 3, (-3 * k) / 5);
      set(G + 2, G + 2, -0.9 * kap);
      set(G + 2, F + 2, 0.1 * kap);
      set(G + 2, G, 0.1 * kap);
      for (let l = 3; l < lg; l++) {
        set(G + l, G + l - 1, (k * l) / (2 * l + 1));
        set(G + l, G + l + 1, (-k * (l + 1)) / (2 * l + 1));
        set(G + l, G + l, -kap);
      }
      set(G + lg, G + lg - 1, k);
      set(G + lg, G + lg, -((lg + 1) * invTau + kap));
      // neutrinos
      set(N, N + 1, -k);
      addH(N, -2 / 3);
      set(N + 1, N, k / 3);
      set(N + 1, N + 2, (-2 * k) / 3);
      if (stage === 'nuFluid') {
        set(N + 2, N + 2, -3 * invTau);
        set(N + 2, N + 1, k);
        addH(N + 2, 2 / 3);
        return;
      }
      set(N + 2, N + 1, (2 * k) / 5);
      set(N + 2, N + 3, (-3 * k) / 5);
      addH(N + 2, 4 / 15);
      addE(N + 2, 8 / 5);
      for (let l = 3; l < ln; l++) {
        set(N + l, N + l - 1, (k * l) / (2 * l + 1));
        set(N + l, N + l + 1, (-k * (l + 1)) / (2 * l + 1));
      }
      set(N + ln, N + ln - 1, k);
      set(N + ln, N + ln, -(ln + 1) * invTau);
    };
    // Structure: the metric (h', eta') couples eta, delta_c, delta_b, theta_b, F0, F2, N0, N2 to everything;
    // the rest are chains (photon F_l, G_l with G0-G2 coupling, neutrino F_l): banded with kl = ku = 2.
    let linearSolver: BorderedBandedSolver | undefined;
    if (stage !== 'streaming') {
      const hubs = [iEta, iDc, iDb, iTb, iF, iF + 2, iN, iN + 2];
      const order = [iF + 1, iN + 1];
      for (let l = 3; l <= lg; l++) order.push(iF + l);
      for (let l = 0; l <= lg; l++) order.push(iG + l);
      for (let l = 3; l <= ln; l++) order.push(iN + l);
      linearSolver = new BorderedBandedSolver(n, hubs, order, 2, 2);
    }
    const sys: StiffSystem = {
      n,
      rhs,
      linearSolver,
      jacobian(x, _y, jac) {
        if (stage === 'streaming') columnJacobian(x, jac);
        else analyticJacobian(x, jac);
      },
    };
    if (jacobianCheck && stage !== 'streaming') jacobianCheck(stage, n, (x, jac) => columnJacobian(x, jac), (x, jac) => analyticJacobian(x, jac));
    return { sys, iG, iN };
  };

  // initial time: k tau <= kTauInitial and a <= aIniOverAeq a_eq
  const tauA = bg.tau(Math.log(s.aIniOverAeq * bg.aEq));
  const tauIni = Math.min(s.kTauInitial / k, tauA);
  const x0 = bg.lnaOfTau(tauIni);
  const tau = bg.tau(x0);
  const Rnu = On / Or;
  const C = 0.5;
  const kt2 = (k * tau) ** 2;
  // neutrino multipoles of the first stage: lMaxNeutrino, or 2M when the hierarchy grows (neutrinoLMargin)
  const margin = s.neutrinoLMargin;
  const lNu0 = margin === undefined ? s.lMaxNeutrino : Math.min(s.lMaxNeutrino, Math.max(4, Math.ceil(2 * margin)));
  const full = makeSystem('full', lNu0);
  let y = new Float64Array(full.sys.n);
  const dg0 = (-2 / 3) * C * kt2;
  const thg0 = (-1 / 18) * C * k2 * k2 * tau * tau * tau;
  y[iEta] = 2 * C - ((5 + 4 * Rnu) / (6 * (15 + 4 * Rnu))) * C * kt2;
  y[iDc] = 0.75 * dg0;
  y[iDb] = 0.75 * dg0;
  y[iTb] = thg0;
  y[iF] = dg0;
  y[iF + 1] = (4 * thg0) / (3 * k);
  y[full.iN] = dg0;
  y[full.iN + 1] = (4 * ((23 + 4 * Rnu) / (15 + 4 * Rnu)) * thg0) / (3 * k);
  y[full.iN + 2] = (2 * (2 * C * kt2)) / (3 * (15 + 4 * Rnu));

  // stage boundaries in ln a
  const xEnd = lnaOut[lnaOut.length - 1];
  const xUfa = Number.isFinite(s.ufaKTau) && s.ufaKTau / k < bg.tau0 ? Math.max(x0, bg.lnaOfTau(s.ufaKTau / k)) : Infinity;
  let xRsa = Infinity;
  if (Number.isFinite(s.rsaKTau) && s.rsaKTau / k < bg.tau0) {
    xRsa = Math.max(bg.lnaOfTau(s.rsaKTau / k), xDecoupled ?? decouplingLna(bg, th, s.rsaKappaTau));
  }
  const stages: { stage: Stage; until: number; lNu?: number }[] = [];
  if (xUfa < Math.min(xRsa, xEnd)) stages.push({ stage: 'full', until: xUfa });
  if (xRsa < xEnd) {
    if (stages.length === 1) stages.push({ stage: 'nuFluid', until: xRsa });
    else stages.push({ stage: 'full', until: xRsa });
    stages.push({ stage: 'streaming', until: Infinity });
  } else stages.push({ stage: stages.length === 1 ? 'nuFluid' : 'full', until: Infinity });
  if (margin !== undefined && stages[0].stage === 'full') {
    // split the hierarchy stage where k tau reaches l - margin (always after x0: l - margin >= l / 2 >= 2 > k tau_ini)
    const end = stages[0].until;
    const grown: typeof stages = [];
    let l = lNu0;
    while (l < s.lMaxNeutrino && (l - margin) / k < bg.tau0) {
      const xl = bg.lnaOfTau((l - margin) / k);
      if (xl >= end) break;
      grown.push({ stage: 'full', until: xl, lNu: l });
      l = Math.min(s.lMaxNeutrino, 2 * l);
    }
    grown.push({ stage: 'full', until: end, lNu: l });
    stages.splice(0, 1, ...grown);
  }

  const out = new Float64Array(lnaOut.length);
  const floor = s.errorFloor;
  let steps = 0;
  const stageLog: { stage: string; until: number; steps: number }[] = [];
  let x = x0;
  let io = 0;
  let prev = full;
  let h0: number | undefined;
  for (let si = 0; si < stages.length; si++) {
    const st = stages[si];
    const m = si === 0 ? full : makeSystem(st.stage, st.lNu);
    if (m !== prev) {
      const yn = new Float64Array(m.sys.n);
      for (let i = 0; i < 4; i++) yn[i] = y[i];
      if (st.stage !== 'streaming') {
        for (let i = iF; i < m.iN; i++) yn[i] = y[i];
        // neutrinos: the multipoles both systems have (3 into the fluid; a grown hierarchy starts the new ones at 0)
        const nNu = Math.min(prev.sys.n - prev.iN, m.sys.n - m.iN);
        for (let i = 0; i < nNu; i++) yn[m.iN + i] = y[prev.iN + i];
      }
      y = yn;
      prev = m;
    }
    const ts: number[] = [];
    const isOut: number[] = [];
    while (io < lnaOut.length && lnaOut[io] <= st.until) {
      ts.push(lnaOut[io]);
      isOut.push(io++);
    }
    if (st.until < Infinity && (ts.length === 0 || ts[ts.length - 1] < st.until)) {
      ts.push(st.until);
      isOut.push(-1);
    }
    if (ts.length === 0) continue;
    const n = m.sys.n;
    const stats = integrateRodas4(m.sys, x, y, ts, (i, _x, yy) => {
      if (isOut[i] >= 0) out[isOut[i]] = -(Oc * yy[iDc] + Ob * yy[iDb]) / Om;
    }, {
      rtol: s.rtol,
      atol: 0,
      h0,
      maxSteps: s.maxSteps,
      weights(yOld, yNew, w) {
        const scale = floor * Math.max(Math.abs(yNew[iEta]), Math.abs(yNew[iDc]), Math.abs(yOld[iDc]));
        for (let i = 0; i < n; i++) w[i] = s.rtol * (Math.max(Math.abs(yOld[i]), Math.abs(yNew[i])) + scale);
      },
    });
    steps += stats.accepted + stats.rejected;
    stageLog.push({ stage: st.stage, until: ts[ts.length - 1], steps: stats.accepted + stats.rejected });
    x = ts[ts.length - 1];
    if (io >= lnaOut.length) break;
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new StiffIntegrationError(`non-finite delta_m at ln a=${lnaOut[i]} for k=${k}/Mpc`);
  }
  return { transfer: out, steps, stages: stageLog };
}
