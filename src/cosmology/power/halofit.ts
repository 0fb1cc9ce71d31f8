/**
 * Takahashi et al. (2012, ApJ 761, 152) revision of halofit (Smith et al. 2003), as CCL implements it
 * (ccl_halofit.c): the non-linear scale, effective index and curvature from the Gaussian-filtered
 * variance of the linear spectrum (Takahashi et al. Eqs. A4-A5), the fitted coefficients (A6-A13) and
 * the Omega dependence of Smith et al. (2003, Eqs. C17-C18), with w = w0 and Omega_m(z), Omega_DE(z) from
 * the full expansion rate (radiation included when the cosmology has it). No massive neutrinos.
 *
 * Speed: for a linear spectrum that grows scale-independently, sigma^2(R, z) = D(z)^2 sigma^2(R, 0), so
 * one table of ln sigma^2 and its first two derivatives against ln R serves every redshift; the table's
 * moments are sums over the ln k grid with ln R steps commensurate with it, so exp(-k^2 R^2) is
 * tabulated once instead of evaluated per (k, R).
 */

import { CosmetaError } from '../../errors.js';
import { CubicSpline, locate } from '../../math/spline.js';
import { omegaDarkEnergy, omegaMatter } from '../background.js';
import type { LinearMatterPower } from './linear-matter-power.js';
import type { MatterPower } from './matter-power.js';

const TWO_PI2 = 2 * Math.PI * Math.PI;
/** Gaussian filter is negligible (exp(-64)) beyond k R = 8. */
const LN_X_CUT = Math.log(8);
/** Below k R = 0.05 the filter factors are summed through their Taylor series (moments of P). */
const LN_X_SMALL = Math.log(0.05);

const exp10 = (x: number): number => Math.exp(x * Math.LN10);

/** The non-linear scale and spectral shape at one redshift (Takahashi et al. 2012, Eqs. A4-A5). */
export interface HalofitScale {
  /** k_sigma = 1/R_sigma [1/Mpc], where sigma_Gauss(R_sigma) = 1. */
  kSigma: number;
  /** Effective spectral index n_eff = -3 - d ln sigma^2 / d ln R at R_sigma. */
  neff: number;
  /** Spectral curvature C = -d^2 ln sigma^2 / d ln R^2 at R_sigma. */
  C: number;
}

/**
 * Table of L(ln R) = ln sigma_G^2(R) and its derivatives for a tabulated linear spectrum
 * ln P(ln k) on a uniform grid, from R = 50 Mpc down to where L exceeds lMax (or R = 1e-5 Mpc).
 * Solves sigma_G^2(R) = 1 / g2 for any growth^2 ratio g2.
 */
export class GaussianVarianceTable {
  private readonly lnR0: number;
  private readonly dlnR: number;
  private readonly L: Float64Array;
  private readonly L1: Float64Array;
  private readonly L2: CubicSpline;

  /**
   * @param lnk0 first ln k of the table [ln(1/Mpc)]
   * @param dlnk table spacing in ln k
   * @param lnP ln P(k) [ln Mpc^3] at the table nodes
   * @param stride use every stride-th node in the variance sums (trapezoid; the integrand is smooth)
   * @param lMax extend the table until ln sigma^2 exceeds this (small R)
   */
  constructor(lnk0: number, dlnk: number, lnP: ArrayLike<number>, stride: number, lMax: number) {
    const step = dlnk * stride;
    const nk = Math.floor((lnP.length - 1) / stride) + 1;
    const d2 = new Float64Array(nk);
    for (let i = 0; i < nk; i++) {
      const lnk = lnk0 + i * step;
      d2[i] = (Math.exp(lnP[i * stride] + 3 * lnk) / TWO_PI2) * step * (i === 0 || i === nk - 1 ? 0.5 : 1);
    }
    const m = 2; // ln R step = 2 ln k steps
    this.dlnR = m * step;
    // Start at R = 50 Mpc (sigma well below 1 for any plausible spectrum), walk down in R.
    const lnRTop = Math.log(50);
    const maxJ = Math.ceil((lnRTop - Math.log(1e-5)) / this.dlnR);
    // With t = ln(kR) = lnk0 + lnRTop + (i - m j) step, the filter factors depend on tau = i - m j only.
    // Explicit sums cover LN_X_SMALL <= t <= LN_X_CUT; below, the factors' Taylor series in x^2 = (kR)^2
    // to O(x^4) (error < x^6/6 < 3e-9 per term) turns the sums into prefix sums of k^0, k^2, k^4 moments.
    const base = lnk0 + lnRTop;
    const tauLo = Math.ceil((LN_X_SMALL - base) / step);
    const tauHi = Math.floor((LN_X_CUT - base) / step);
    const nt = tauHi - tauLo + 1;
    const g0 = new Float64Array(nt);
    const g1 = new Float64Array(nt);
    const g2 = new Float64Array(nt);
    for (let q = 0; q < nt; q++) {
      const x2 = Math.exp(2 * (base + (tauLo + q) * step));
      const e = Math.exp(-x2);
      g0[q] = e;
      g1[q] = -2 * x2 * e;
      g2[q] = (-2 * x2 + 4 * x2 * x2) * e;
    }
    const M0 = new Float64Array(nk + 1);
    const M2 = new Float64Array(nk + 1);
    const M4 = new Float64Array(nk + 1);
    for (let i = 0; i < nk; i++) {
      const k2 = Math.exp(2 * (lnk0 + i * step));
      M0[i + 1] = M0[i] + d2[i];
      M2[i + 1] = M2[i] + d2[i] * k2;
      M4[i + 1] = M4[i] + d2[i] * k2 * k2;
    }
    const Ls: number[] = [];
    const L1s: number[] = [];
    const L2s: number[] = [];
    for (let j = 0; j <= maxJ; j++) {
      const R2 = Math.exp(2 * (lnRTop - j * this.dlnR));
      const i0 = Math.min(nk, Math.max(0, tauLo + m * j));
      const i1 = Math.min(nk - 1, tauHi + m * j);
      // Small-x part: sum d2 (1 - x^2 + x^4/2), d2 (-2x^2 + 2x^4), d2 (-2x^2 + 6x^4).
      const a0 = M0[i0];
      const a2 = M2[i0] * R2;
      const a4 = M4[i0] * R2 * R2;
      let s0 = a0 - a2 + 0.5 * a4;
      let s1 = -2 * a2 + 2 * a4;
      let s2 = -2 * a2 + 6 * a4;
      const off = -m * j - tauLo;
      for (let i = i0; i <= i1; i++) {
        const w = d2[i];
        const q = i + off;
        s0 += w * g0[q];
        s1 += w * g1[q];
        s2 += w * g2[q];
      }
      const r1 = s1 / s0;
      Ls.push(Math.log(s0));
      L1s.push(r1);
      L2s.push((s1 + s2) / s0 - r1 * r1);
      if (j === 0 && Ls[0] > -1) {
        throw new CosmetaError(`halofit: sigma_Gauss(50 Mpc) = ${Math.exp(Ls[0] / 2).toPrecision(3)} >= 0.6; the linear spectrum is too large`);
      }
      if (Ls[j] > lMax && j >= 3) break;
    }
    this.lnR0 = lnRTop;
    this.L = Float64Array.from(Ls);
    this.L1 = Float64Array.from(L1s);
    const jIdx = Float64Array.from(Ls, (_, j) => j);
    this.L2 = new CubicSpline(jIdx, L2s);
  }

  /** Largest ln sigma^2 the table reaches. */
  get lMax(): number {
    return this.L[this.L.length - 1];
  }

  /** R_sigma, n_eff and C where D^2 sigma^2(R) = 1, given ln D^2 (the growth ratio squared). */
  solve(lnGrowth2: number): HalofitScale {
    const target = -lnGrowth2;
    const L = this.L;
    const n = L.length;
    if (!(target >= L[0])) throw new CosmetaError(`halofit: ln sigma^2 target ${target} below the table's start ${L[0]} (R = 50 Mpc)`);
    if (target > L[n - 1]) {
      // The linear variance never reaches 1/D^2 down to R = 1e-5 Mpc (it converges when n_s is low):
      // there is no non-linear scale. Clamp R_sigma at the table's end, where the halofit corrections
      // vanish (y = k R_sigma -> 0); CCL likewise sends R_sigma to 1e-6 Mpc in this case.
      return { kSigma: Math.exp(-(this.lnR0 - (n - 1) * this.dlnR)), neff: -3 - this.L1[n - 1], C: -this.L2.evaluate(n - 1) };
    }
    const lo = locate(L, target);
    // Cubic Hermite in s = j - lo with dL/ds = L1 * d lnR / dj = -L1 * dlnR; Newton from linear guess.
    const y0 = L[lo];
    const y1 = L[lo + 1];
    const d0 = -this.L1[lo] * this.dlnR;
    const d1 = -this.L1[lo + 1] * this.dlnR;
    let s = (target - y0) / (y1 - y0);
    for (let iter = 0; iter < 20; iter++) {
      const s2 = s * s;
      const s3 = s2 * s;
      const f = (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * d0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * d1 - target;
      const df = (6 * s2 - 6 * s) * y0 + (3 * s2 - 4 * s + 1) * d0 + (-6 * s2 + 6 * s) * y1 + (3 * s2 - 2 * s) * d1;
      const ds = f / df;
      s -= ds;
      if (Math.abs(ds) < 1e-13) break;
    }
    const jf = lo + s;
    // dL/d ln R by Hermite with its own derivative L2 (d/dj = -L2 dlnR).
    const e0 = this.L1[lo];
    const e1 = this.L1[lo + 1];
    const c2 = this.L2;
    const de0 = -c2.evaluate(lo) * this.dlnR;
    const de1 = -c2.evaluate(lo + 1) * this.dlnR;
    const s2 = s * s;
    const s3 = s2 * s;
    const L1 = (2 * s3 - 3 * s2 + 1) * e0 + (s3 - 2 * s2 + s) * de0 + (-2 * s3 + 3 * s2) * e1 + (s3 - s2) * de1;
    const lnR = this.lnR0 - jf * this.dlnR;
    return { kSigma: Math.exp(-lnR), neff: -3 - L1, C: -c2.evaluate(jf) };
  }
}

/** Takahashi et al. (2012) coefficients at one redshift; `power` applies Eqs. A1-A3. */
export class HalofitAtRedshift {
  readonly lnKSigma: number;
  private readonly invKSigma: number;
  private readonly an: number;
  private readonly bn: number;
  private readonly lnCnF3: number;
  private readonly threeMinusGamma: number;
  private readonly alphan: number;
  private readonly betan: number;
  private readonly nun: number;
  private readonly threeF1: number;
  private readonly f2: number;

  constructor(scale: HalofitScale, omegaM: number, omegaDE: number, w: number) {
    const n = scale.neff;
    const n2 = n * n;
    const n3 = n2 * n;
    const n4 = n3 * n;
    const C = scale.C;
    const de = omegaDE * (1 + w);
    this.an = exp10(1.5222 + 2.8553 * n + 2.3706 * n2 + 0.9903 * n3 + 0.225 * n4 - 0.6038 * C + 0.1749 * de);
    this.bn = exp10(-0.5642 + 0.5864 * n + 0.5716 * n2 - 1.5474 * C + 0.2279 * de);
    const cn = exp10(0.3698 + 2.0404 * n + 0.8161 * n2 + 0.5869 * C);
    const gamman = 0.1971 - 0.0843 * n + 0.846 * C;
    this.alphan = Math.abs(6.0835 + 1.3373 * n - 0.1959 * n2 - 5.5274 * C);
    this.betan = 2.0379 - 0.7354 * n + 0.3157 * n2 + 1.249 * n3 + 0.398 * n4 - 0.1682 * C;
    this.nun = exp10(5.2105 + 3.6902 * n);
    let f1 = 1;
    let f2 = 1;
    let f3 = 1;
    if (Math.abs(1 - omegaM) > 0.01) {
      // Smith et al. (2003) Eqs. C17-C18, interpolated between open and Lambda models.
      const fb = omegaDE / (1 - omegaM);
      const lnOm = Math.log(omegaM);
      f1 = fb * Math.exp(-0.0307 * lnOm) + (1 - fb) * Math.exp(-0.0732 * lnOm);
      f2 = fb * Math.exp(-0.0585 * lnOm) + (1 - fb) * Math.exp(-0.1423 * lnOm);
      f3 = fb * Math.exp(0.0743 * lnOm) + (1 - fb) * Math.exp(0.0725 * lnOm);
    }
    this.threeF1 = 3 * f1;
    this.f2 = f2;
    this.lnCnF3 = Math.log(cn * f3);
    this.threeMinusGamma = 3 - gamman;
    this.lnKSigma = Math.log(scale.kSigma);
    this.invKSigma = 1 / scale.kSigma;
  }

  /** Wavenumber [1/Mpc] above which exp(-f(y)) < 1e-17 (f(y) > 40): the two-halo term is negligible. */
  get linearNegligibleAbove(): number {
    return 17 / this.invKSigma; // f(17) = 17/4 + 17^2/8 = 40.4
  }

  /** Non-linear P(k) [Mpc^3] at k [1/Mpc] (ln k = lnk) from the linear P(k) [Mpc^3] there. */
  power(k: number, lnk: number, pLin: number): number {
    const norm = (k * k * k) / TWO_PI2;
    const dL = pLin * norm;
    const y = k * this.invKSigma;
    const lny = lnk - this.lnKSigma;
    const fy = y * (0.25 + 0.125 * y);
    // Two-halo term, Eq. A2; beyond f(y) = 40 it is below 1e-17 of the one-halo term.
    const dQ = fy < 40 && dL > 0 ? (dL * Math.exp(this.betan * Math.log1p(dL) - fy)) / (1 + this.alphan * dL) : 0;
    // One-halo term, Eq. A3 (mu_n = 0).
    const dHp = (this.an * Math.exp(this.threeF1 * lny)) /
      (1 + this.bn * Math.exp(this.f2 * lny) + Math.exp(this.threeMinusGamma * (this.lnCnF3 + lny)));
    const dH = dHp / (1 + this.nun / (y * y));
    return (dQ + dH) / norm;
  }
}

/** Halofit applied to a scale-independently growing linear spectrum (any model): P_NL(k, z) [Mpc^3]. */
export class Halofit implements MatterPower {
  readonly name = 'halofit_takahashi12';
  readonly linear: LinearMatterPower;
  private readonly table: GaussianVarianceTable;
  private readonly zMax: number;

  constructor(linear: LinearMatterPower) {
    this.linear = linear;
    this.zMax = linear.background.zMax;
    const dMin = linear.growth(this.zMax);
    const u = linear.uniform;
    this.table = new GaussianVarianceTable(u.lnk0, u.dlnk, u.lnP, 1, -2 * Math.log(dMin) + 0.5);
  }

  /** Halofit coefficients at redshift z (ln D^2 may be passed when the caller has it). */
  at(z: number, lnD2 = 2 * Math.log(this.linear.growth(z))): HalofitAtRedshift {
    const bg = this.linear.background;
    const a = 1 / (1 + z);
    const scale = this.table.solve(lnD2);
    return new HalofitAtRedshift(scale, omegaMatter(bg.cosmo, a), omegaDarkEnergy(bg.cosmo, a), bg.cosmo.w0);
  }

  fill(z: number, k: ArrayLike<number>, lnk: ArrayLike<number>, out: Float64Array, n = lnk.length): void {
    const lnD2 = 2 * Math.log(this.linear.growth(z));
    const hf = this.at(z, lnD2);
    const cut = hf.linearNegligibleAbove;
    for (let i = 0; i < n; i++) {
      // Above the cut the two-halo term is < 1e-17 of the total: no linear P(k) needed.
      const pl = k[i] < cut ? Math.exp(this.linear.lnPowerToday(lnk[i]) + lnD2) : 0;
      out[i] = hf.power(k[i], lnk[i], pl);
    }
  }

  power(k: number, z: number): number {
    const out = new Float64Array(1);
    this.fill(z, [k], [Math.log(k)], out);
    return out[0];
  }
}
