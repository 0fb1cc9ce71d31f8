/**
 * Hydrogen and helium recombination at the level of RECFAST 1.5 (Seager, Sasselov & Scott 1999,
 * ApJ 523, L1; 2000, ApJS 128, 407; Wong, Moss & Scott 2008, MNRAS 386, 1023; helium HeI singlet and
 * triplet with the H continuum opacity of Kholupenko, Ivanchik & Varshalovich 2007 and Switzer & Hirata
 * 2008), with the settings CAMB 1.6.6 uses by default (fortran/recfast.f90, read for its equations and
 * constants): H fudge 1.125 with the two Gaussian corrections to the Peebles K factor in ln(1+z)
 * (AGauss1 -0.14, zGauss1 7.28, wGauss1 0.18; AGauss2 0.079, zGauss2 6.73, wGauss2 0.33), He fudge 0.86,
 * Heswitch 6 (Sobolev escape with the H-continuum correction, singlet and triplet).
 *
 * Unknowns: x_H = n_HII/n_H, x_He = n_HeII/n_He, T_m [K]; x_e = x_H + f_He x_He. The stages follow
 * RECFAST: He++ Saha above z = 5000 (fully ionised above 8000), He+ only until 3500, HeI Saha while
 * x_He > 0.99, then the ODEs (with H in Saha while x_H > 0.99). The ODEs are integrated in z with the
 * project's Rodas4 (a stiff solver; RECFAST uses DVERK), on RECFAST's grid z = 1e4 ... 0.
 */

import { integrateRodas4, type StiffSystem } from '../../math/rosenbrock.js';
import { CosmetaError } from '../../errors.js';
import type { BoltzmannBackground } from './background.js';
import {
  A_RAD, C_LIGHT, G_NEWTON, H_PLANCK, K_BOLTZMANN, M_ELECTRON, M_HELIUM4, M_HYDROGEN, MPC_M, SIGMA_THOMSON, T_COBE,
} from './constants.js';

// Atomic data (RECFAST 1.5 / CAMB recfast.f90); wavenumbers in 1/m, rates in 1/s.
const L_H_ION = 1.096787737e7;
const L_H_ALPHA = 8.225916453e6;
const L_HE1_ION = 1.98310772e7;
const L_HE2_ION = 4.389088863e7;
const L_HE_2S = 1.66277434e7;
const L_HE_2P = 1.71134891e7;
const A2P_S = 1.798287e9;
const A2P_T = 177.58;
const L_HE_2PT = 1.690871466e7;
const L_HE_2ST = 1.5985597526e7;
const L_HE2ST_ION = 3.8454693845e6;
const SIGMA_HE_2PS = 1.436289e-22;
const SIGMA_HE_2PT = 1.484872e-22;
const LAMBDA_2S = 8.2245809; // H 2s-1s two-photon rate
const LAMBDA_HE = 51.3; // He 2s-1s two-photon rate (Dalgarno)

const HC_K = (H_PLANCK * C_LIGHT) / K_BOLTZMANN;
const CR = 2 * Math.PI * (M_ELECTRON / H_PLANCK) * (K_BOLTZMANN / H_PLANCK);
const CB1 = HC_K * L_H_ION;
const CDB = HC_K * (L_H_ION - L_H_ALPHA);
const CK = 1 / L_H_ALPHA ** 3 / (8 * Math.PI);
const CL = HC_K * L_H_ALPHA;
const CB1_HE1 = HC_K * L_HE1_ION;
const CB1_HE2 = HC_K * L_HE2_ION;
const CDB_HE = HC_K * (L_HE1_ION - L_HE_2S);
const CK_HE = 1 / L_HE_2P ** 3 / (8 * Math.PI);
const CL_HE = HC_K * L_HE_2S;
const BFACT = HC_K * (L_HE_2P - L_HE_2S);
/** Compton coupling (8/3) sigma_T a_rad / (m_e c) [s^-1 K^-4]. */
const CT = (8 / 3) * (SIGMA_THOMSON / (M_ELECTRON * C_LIGHT)) * A_RAD;
const NOT4 = M_HELIUM4 / M_HYDROGEN;
/** Switch to the tight-coupling T_m equation when the Compton time < H_FRAC x Hubble time. */
const H_FRAC = 1e-3;

/** RECFAST settings (CAMB 1.6.6 defaults). */
export interface RecfastSettings {
  fudge: number;
  fudgeHe: number;
  gauss: { A1: number; z1: number; w1: number; A2: number; z2: number; w2: number };
}
export const CAMB_RECFAST: Readonly<RecfastSettings> = Object.freeze({
  fudge: 1.125,
  fudgeHe: 0.86,
  gauss: { A1: -0.14, z1: 7.28, w1: 0.18, A2: 0.079, z2: 6.73, w2: 0.33 },
});

/** The ionisation history on a decreasing grid of z (from zStart to 0). */
export interface RecombinationHistory {
  /** Redshifts, decreasing from zStart to 0. */
  z: Float64Array;
  /** Free electrons per hydrogen nucleus. */
  xe: Float64Array;
  /** Baryon (matter) temperature [K]. */
  Tm: Float64Array;
  /** Hydrogen number density today [1/m^3]. */
  nH0: number;
  zStart: number;
}

/**
 * Solve RECFAST from z = zStart (1e4) to 0 with output spacing dz. The background supplies H(z).
 */
export function recfast(bg: BoltzmannBackground, dz = 1, settings: RecfastSettings = CAMB_RECFAST, zStart = 1e4): RecombinationHistory {
  const c = bg.cosmo;
  const Tnow = c.T_CMB;
  const Yp = c.YHe;
  const fHe = c.fHe;
  const bigH = 100e3 / MPC_M;
  const HO = c.h * bigH;
  const mu_H = 1 / (1 - Yp);
  const nH0 = (3 * bigH * bigH * c.Omega_b * c.h * c.h) / (8 * Math.PI * G_NEWTON * mu_H * M_HYDROGEN);
  const OmegaT = c.Omega_m;
  const zEq = 1 / bg.aEq - 1;
  const g = settings.gauss;
  /** H(z) [1/s]. */
  const hubble = (z: number): number => {
    const a = 1 / (1 + z);
    return (bg.conformalHubble(a) / a) * (C_LIGHT / MPC_M);
  };
  const tScale = Tnow / T_COBE;

  const sys: StiffSystem = {
    n: 3,
    // t = -z so the integrator runs forward
    rhs(t, y, f) {
      const z = -t;
      const xH = y[0];
      const xHe = y[1];
      const x = xH + fHe * xHe;
      const Tmat = y[2];
      const n = nH0 * (1 + z) ** 3;
      const nHe = fHe * n;
      const Trad = Tnow * (1 + z);
      const Hz = hubble(z);
      // case-B recombination (Pequignot et al. 1991, fudged), photoionisation by detailed balance
      const t4 = Tmat / 1e4;
      const Rdown = (1e-19 * 4.309 * t4 ** -0.6166) / (1 + 0.6703 * t4 ** 0.53);
      const Rup = Rdown * (CR * Tmat) ** 1.5 * Math.exp(-CDB / Tmat);
      // He singlet (Verner & Ferland 1996)
      const sq0 = Math.sqrt(Tmat / 10 ** 0.477121);
      const sq1 = Math.sqrt(Tmat / 10 ** 5.114);
      const RdownHe = 10 ** -16.744 / (sq0 * (1 + sq0) ** (1 - 0.711)) / (1 + sq1) ** (1 + 0.711);
      const RupHe = 4 * RdownHe * (CR * Tmat) ** 1.5 * Math.exp(-CDB_HE / Tmat);
      const HeBoltz = Math.exp(Math.min(680, BFACT / Tmat));
      const lz = Math.log(1 + tScale * (1 + z) - 1);
      const K = (CK / Hz) * (1 + g.A1 * Math.exp(-(((lz - g.z1) / g.w1) ** 2)) + g.A2 * Math.exp(-(((lz - g.z2) / g.w2) ** 2)));
      // He triplet
      const RdownTrip = 10 ** -16.306 / (sq0 * (1 + sq0) ** (1 - 0.761)) / (1 + sq1) ** (1 + 0.761);
      const RupTrip = RdownTrip * Math.exp(-HC_K * L_HE2ST_ION / Tmat) * (CR * Tmat) ** 1.5 * (4 / 3);
      const heflag = xHe < 5e-9 || xHe > 0.98 ? 0 : 6;
      let KHe: number;
      let CfHeT = 0;
      if (heflag === 0) KHe = CK_HE / Hz;
      else {
        const tauHeS = (A2P_S * CK_HE * 3 * nHe * (1 - xHe)) / Hz;
        const pHeS = (1 - Math.exp(-tauHeS)) / tauHeS;
        KHe = 1 / (A2P_S * pHeS * 3 * nHe * (1 - xHe));
        if (xH < 0.9999999) {
          // H continuum opacity in the singlet line (Kholupenko et al. 2007), fudged by fudgeHe
          const dop = C_LIGHT * L_HE_2P * Math.sqrt((2 * K_BOLTZMANN * Tmat) / (M_HYDROGEN * NOT4 * C_LIGHT * C_LIGHT));
          const gam = (3 * A2P_S * fHe * (1 - xHe) * C_LIGHT * C_LIGHT) /
            (Math.sqrt(Math.PI) * SIGMA_HE_2PS * 8 * Math.PI * dop * (1 - xH)) / (C_LIGHT * L_HE_2P) ** 2;
          const AHcon = A2P_S / (1 + 0.36 * gam ** settings.fudgeHe);
          KHe = 1 / ((A2P_S * pHeS + AHcon) * 3 * nHe * (1 - xHe));
        }
        const tauHeT = (A2P_T * nHe * (1 - xHe) * 3) / (8 * Math.PI * Hz * L_HE_2PT ** 3);
        const pHeT = (1 - Math.exp(-tauHeT)) / tauHeT;
        const CLPSt = HC_K * (L_HE_2PT - L_HE_2ST);
        if (xH > 0.99999) {
          CfHeT = A2P_T * pHeT * Math.exp(-CLPSt / Tmat);
        } else {
          const dop = C_LIGHT * L_HE_2PT * Math.sqrt((2 * K_BOLTZMANN * Tmat) / (M_HYDROGEN * NOT4 * C_LIGHT * C_LIGHT));
          const gam = (3 * A2P_T * fHe * (1 - xHe) * C_LIGHT * C_LIGHT) /
            (Math.sqrt(Math.PI) * SIGMA_HE_2PT * 8 * Math.PI * dop * (1 - xH)) / (C_LIGHT * L_HE_2PT) ** 2;
          const AHcon = A2P_T / (1 + 0.66 * gam ** 0.9) / 3;
          CfHeT = (A2P_T * pHeT + AHcon) * Math.exp(-CLPSt / Tmat);
        }
        CfHeT = CfHeT / (RupTrip + CfHeT);
      }
      const timeTh = (1 / (CT * Trad ** 4)) * ((1 + x + fHe) / x);
      const timeH = 2 / (3 * HO * (1 + z) ** 1.5);
      let f0: number;
      if (xH > 0.99) f0 = 0;
      else if (xH > 0.985) f0 = (x * xH * n * Rdown - Rup * (1 - xH) * Math.exp(-CL / Tmat)) / (Hz * (1 + z));
      else {
        const kl = K * LAMBDA_2S * n * (1 - xH);
        f0 = ((x * xH * n * Rdown - Rup * (1 - xH) * Math.exp(-CL / Tmat)) * (1 + kl)) /
          (Hz * (1 + z) * (1 / settings.fudge + kl / settings.fudge + K * Rup * n * (1 - xH)));
      }
      let f1 = 0;
      if (xHe >= 1e-15) {
        const kh = KHe * nHe * (1 - xHe) * HeBoltz;
        f1 = ((x * xHe * n * RdownHe - RupHe * (1 - xHe) * Math.exp(-CL_HE / Tmat)) * (1 + kh * LAMBDA_HE)) /
          (Hz * (1 + z) * (1 + kh * (LAMBDA_HE + RupHe)));
        if (heflag >= 3) {
          f1 += ((x * xHe * n * RdownTrip - (1 - xHe) * 3 * RupTrip * Math.exp(-HC_K * L_HE_2ST / Tmat)) * CfHeT) / (Hz * (1 + z));
        }
      }
      let f2: number;
      if (timeTh < H_FRAC * timeH) {
        const dHdz = ((HO * HO) / 2 / Hz) * ((4 * (1 + z) ** 3) / (1 + zEq) * OmegaT + 3 * OmegaT * (1 + z) ** 2);
        const eps = (Hz * (1 + x + fHe)) / (CT * Trad ** 3 * x);
        f2 = Tnow + eps * ((1 + fHe) / (1 + fHe + x)) * ((f0 + fHe * f1) / x) - (eps * dHdz) / Hz + (3 * eps) / (1 + z);
      } else {
        f2 = (((CT * Trad ** 4 * x) / (1 + x + fHe)) * (Tmat - Trad)) / (Hz * (1 + z)) + (2 * Tmat) / (1 + z);
      }
      // d/dt = -d/dz
      f[0] = -f0;
      f[1] = -f1;
      f[2] = -f2;
    },
  };

  const nz = Math.round(zStart / dz);
  const zs = new Float64Array(nz + 1);
  const xe = new Float64Array(nz + 1);
  const tm = new Float64Array(nz + 1);
  const sahaRhs = (z: number, chi: number): number => Math.exp(1.5 * Math.log((CR * Tnow) / (1 + z)) - chi / (Tnow * (1 + z))) / nH0;
  const y = new Float64Array([1, 1, Tnow * (1 + zStart)]);
  zs[0] = zStart;
  xe[0] = 1 + 2 * fHe;
  tm[0] = Tnow * (1 + zStart);
  const opts = { rtol: 1e-6, atol: [1e-10, 1e-10, 1e-6] };
  let h0 = 0.1 * dz;
  for (let i = 1; i <= nz; i++) {
    const zEnd = zStart - i * dz;
    const z0 = zStart - (i - 1) * dz;
    const zsc = tScale * (1 + zEnd) - 1;
    let x: number;
    if (zsc > 8000) {
      y[0] = 1; y[1] = 1; y[2] = Tnow * (1 + zEnd);
      x = 1 + 2 * fHe;
    } else if (zsc > 5000) {
      const rhs = sahaRhs(zEnd, CB1_HE2);
      x = 0.5 * (Math.sqrt((rhs - 1 - fHe) ** 2 + 4 * (1 + 2 * fHe) * rhs) - (rhs - 1 - fHe));
      y[0] = 1; y[1] = 1; y[2] = Tnow * (1 + zEnd);
    } else if (zsc > 3500) {
      y[0] = 1; y[1] = 1; y[2] = Tnow * (1 + zEnd);
      x = 1 + fHe;
    } else if (y[1] > 0.99) {
      const rhs = 4 * sahaRhs(zEnd, CB1_HE1);
      const x0 = 0.5 * (Math.sqrt((rhs - 1) ** 2 + 4 * (1 + fHe) * rhs) - (rhs - 1));
      y[0] = 1; y[1] = (x0 - 1) / fHe; y[2] = Tnow * (1 + zEnd);
      x = x0;
    } else {
      const hSaha = y[0] > 0.99;
      let xH0 = 0;
      if (hSaha) {
        const rhs = sahaRhs(zEnd, CB1);
        xH0 = 0.5 * (Math.sqrt(rhs * rhs + 4 * rhs) - rhs);
      }
      try {
        const st = integrateRodas4(sys, -z0, y, [-zEnd], () => {}, { ...opts, h0 });
        h0 = Math.max(1e-3 * dz, dz / Math.max(1, st.accepted));
      } catch (e) {
        throw new CosmetaError(`recombination (RECFAST) did not converge at z=${zEnd} for ${c.label}: ${(e as Error).message}`);
      }
      if (hSaha) y[0] = xH0;
      x = y[0] + fHe * y[1];
    }
    zs[i] = zEnd;
    xe[i] = x;
    tm[i] = y[2];
  }
  return { z: zs, xe, Tm: tm, nH0, zStart };
}
