/**
 * Thermal history for the perturbations: the free-electron fraction x_e(z) from RECFAST plus CAMB's
 * tanh reionisation, the Thomson opacity kappa' = a n_e sigma_T [1/Mpc], the baryon temperature T_b and
 * the baryon sound speed c_s^2, tabulated on a uniform grid in ln a; and the derived epochs z_star,
 * z_drag and the sound horizon r_drag, defined as CAMB defines them (fortran/results.f90).
 *
 * Reionisation (CAMB's TTanhReionization, default parameters): below z = z_re + 8 dz_re,
 *   x_e = (f - x_rec) (1 + tanh((y_re - y)/dy)) / 2 + x_rec,  y = (1+z)^1.5,  y_re = (1+z_re)^1.5,
 *   dy = 1.5 (1+z_re)^0.5 dz_re,  f = 1 + f_He (H and singly ionised He),
 * plus second helium reionisation f_He (1 + tanh((z_He - z)/dz_He)) / 2 for z < 5.5 (z_He 3.5, dz_He 0.4).
 * Sound speed (CAMB): c_s^2 = k_B T_b / (m_p c^2) (1 - 0.75 Y + (1 - Y) x_e) (1 - dln T_b / dln a / 3).
 * z_star: optical depth of the recombination electrons alone (no reionisation) = 1; z_drag: the drag
 * depth int kappa' / R d tau = 1 with R = 3 rho_b / (4 rho_gamma); r_drag = int_0^tau(z_drag) c_s d tau,
 * c_s = 1 / sqrt(3 (1 + R)) [Mpc].
 */

import { CubicSpline } from '../../math/spline.js';
import type { BoltzmannBackground } from './background.js';
import { C_LIGHT, K_BOLTZMANN, M_PROTON, MPC_M, SIGMA_THOMSON } from './constants.js';
import { recfast, type RecombinationHistory } from './recfast.js';

/** CAMB's default tanh reionisation. */
export interface ReionisationSettings {
  z_re: number;
  dz_re: number;
  zHe: number;
  dzHe: number;
  zHeStart: number;
}
export const CAMB_REIONISATION: Readonly<ReionisationSettings> = Object.freeze({ z_re: 10, dz_re: 0.5, zHe: 3.5, dzHe: 0.4, zHeStart: 5.5 });

/** Natural cubic spline on a uniform grid with O(1) lookup (values y at x0 + i dx). */
class UniformSpline {
  private readonly m: Float64Array;
  constructor(readonly x0: number, readonly dx: number, readonly y: Float64Array) {
    // natural spline on a uniform grid: m[i-1] + 4 m[i] + m[i+1] = 6 (y[i+1] - 2 y[i] + y[i-1]) / dx^2
    const n = y.length;
    const m = new Float64Array(n);
    const cp = new Float64Array(n);
    const dp = new Float64Array(n);
    for (let i = 1; i < n - 1; i++) {
      const r = (6 * (y[i + 1] - 2 * y[i] + y[i - 1])) / (dx * dx);
      const den = 4 - (i > 1 ? cp[i - 1] : 0);
      cp[i] = 1 / den;
      dp[i] = (r - (i > 1 ? dp[i - 1] : 0)) / den;
    }
    for (let i = n - 2; i >= 1; i--) m[i] = dp[i] - cp[i] * m[i + 1];
    this.m = m;
  }
  evaluate(x: number): number {
    let u = (x - this.x0) / this.dx;
    const n = this.y.length;
    let i = Math.floor(u);
    if (i < 0) i = 0;
    else if (i > n - 2) i = n - 2;
    u -= i;
    const a = 1 - u;
    const b = u;
    const h2 = this.dx * this.dx;
    return a * this.y[i] + b * this.y[i + 1] + (((a * a * a - a) * this.m[i] + (b * b * b - b) * this.m[i + 1]) * h2) / 6;
  }
}

export class ThermalHistory {
  readonly bg: BoltzmannBackground;
  readonly recombination: RecombinationHistory;
  /** sigma_T n_H0 [1/Mpc]: kappa' = xe akthom / a^2. */
  readonly akthom: number;
  /** ln a where the tables start (z = 1e4); earlier: fully ionised, T_b = T_CMB / a. */
  readonly lnaStart: number;
  readonly zStar: number;
  readonly zDrag: number;
  readonly rDrag: number;
  private readonly xeTable: UniformSpline;
  private readonly cs2Table: UniformSpline;
  private readonly xeEarly: number;
  private readonly barssc0 = K_BOLTZMANN / M_PROTON / C_LIGHT ** 2;

  constructor(bg: BoltzmannBackground, recfastDz = 1, nodesPerEfold = 400, reion: ReionisationSettings = CAMB_REIONISATION) {
    this.bg = bg;
    const c = bg.cosmo;
    const rec = recfast(bg, recfastDz);
    this.recombination = rec;
    this.akthom = SIGMA_THOMSON * rec.nH0 * MPC_M;
    this.xeEarly = 1 + 2 * c.fHe;
    // spline of the recombination x_e and T_m against z (increasing)
    const nz = rec.z.length;
    const zi = new Float64Array(nz);
    const xi = new Float64Array(nz);
    const ti = new Float64Array(nz);
    for (let i = 0; i < nz; i++) {
      zi[i] = rec.z[nz - 1 - i];
      xi[i] = rec.xe[nz - 1 - i];
      ti[i] = rec.Tm[nz - 1 - i] * (1 / (1 + zi[i])); // T_m a is smooth
    }
    const xeRec = new CubicSpline(zi, xi);
    const tmA = new CubicSpline(zi, ti);
    // reionisation
    const fHe = c.fHe;
    const frac = 1 + fHe;
    const yre = (1 + reion.z_re) ** 1.5;
    const dyre = 1.5 * Math.sqrt(1 + reion.z_re) * reion.dz_re;
    const zReStart = reion.z_re + 8 * reion.dz_re;
    const xeOfZ = (z: number): number => {
      const xr = xeRec.evaluate(z);
      if (z >= zReStart) return xr;
      const xod = (yre - (1 + z) ** 1.5) / dyre;
      let xe = ((frac - xr) * (Math.tanh(Math.min(xod, 100)) + 1)) / 2 + xr;
      if (z < reion.zHeStart) xe += (fHe * (Math.tanh(Math.min((reion.zHe - z) / reion.dzHe, 100)) + 1)) / 2;
      return xe;
    };
    // uniform ln a tables
    this.lnaStart = -Math.log1p(rec.zStart);
    const n = Math.ceil(-this.lnaStart * nodesPerEfold) + 1;
    const dx = -this.lnaStart / (n - 1);
    const xeT = new Float64Array(n);
    const tb = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lna = this.lnaStart + i * dx;
      const z = i === n - 1 ? 0 : Math.max(0, Math.exp(-lna) - 1);
      xeT[i] = xeOfZ(z);
      tb[i] = tmA.evaluate(z) / Math.exp(lna);
    }
    const cs2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const il = Math.max(0, i - 1);
      const ih = Math.min(n - 1, i + 1);
      const dlnT = (Math.log(tb[ih]) - Math.log(tb[il])) / ((ih - il) * dx);
      cs2[i] = this.barssc0 * (1 - 0.75 * c.YHe + (1 - c.YHe) * xeT[i]) * tb[i] * (1 - dlnT / 3);
    }
    this.xeTable = new UniformSpline(this.lnaStart, dx, xeT);
    this.cs2Table = new UniformSpline(this.lnaStart, dx, cs2);

    // derived epochs: cumulative integrals in z on the RECFAST grid (trapezoid, dz = recfastDz)
    // d(optical depth)/dz = kappa' d tau/dz = (xe akthom / a^2) (a^2 d tau/da) = xe akthom / (a aH)
    const dtauda = (z: number): number => {
      const a = 1 / (1 + z);
      return 1 / (a * bg.conformalHubble(a));
    };
    const R0 = (0.75 * c.Omega_b) / c.Omega_g;
    let tauOpt = 0;
    let tauDrag = 0;
    let zStar = NaN;
    let zDrag = NaN;
    let prevZ = 0;
    let prevO = xeRec.evaluate(0) * this.akthom * dtauda(0);
    let prevD = prevO / R0;
    const zMax = 3000;
    for (let z = recfastDz / 4; z <= zMax; z += recfastDz / 4) {
      const o = xeRec.evaluate(z) * this.akthom * dtauda(z);
      const d = (o / R0) * (1 + z);
      const dzs = z - prevZ;
      const newOpt = tauOpt + 0.5 * (o + prevO) * dzs;
      const newDrag = tauDrag + 0.5 * (d + prevD) * dzs;
      if (Number.isNaN(zDrag) && newDrag >= 1) zDrag = prevZ + ((1 - tauDrag) / (newDrag - tauDrag)) * dzs;
      if (Number.isNaN(zStar) && newOpt >= 1) zStar = prevZ + ((1 - tauOpt) / (newOpt - tauOpt)) * dzs;
      tauOpt = newOpt;
      tauDrag = newDrag;
      prevZ = z;
      prevO = o;
      prevD = d;
      if (!Number.isNaN(zStar) && !Number.isNaN(zDrag)) break;
    }
    this.zStar = zStar;
    this.zDrag = zDrag;
    // r_drag = int_{z_drag}^inf c_s dtau/dz dz, in ln a from 0 (a -> 0) to a_drag: d tau = d ln a / aH
    const aD = 1 / (1 + zDrag);
    const nr = 4000;
    let rs = 0;
    for (let i = 0; i < nr; i++) {
      // substitution a = aD u^2 (u in (0,1]) resolves the radiation-era start
      const u = (i + 0.5) / nr;
      const a = aD * u * u;
      const dadu = 2 * aD * u;
      const R = R0 * a;
      const cs = 1 / Math.sqrt(3 * (1 + R));
      rs += (cs / (a * bg.conformalHubble(a))) * dadu / nr;
    }
    this.rDrag = rs;
  }

  /** Free electrons per hydrogen nucleus at ln a. */
  xe(lna: number): number {
    return lna <= this.lnaStart ? this.xeEarly : this.xeTable.evaluate(lna);
  }

  /** Thomson opacity kappa' = a n_e sigma_T [1/Mpc] at ln a. */
  opacity(lna: number): number {
    return (this.xe(lna) * this.akthom) / Math.exp(2 * lna);
  }

  /** Baryon sound speed squared c_s^2 (units of c^2) at ln a. */
  cs2(lna: number): number {
    if (lna <= this.lnaStart) {
      const c = this.bg.cosmo;
      return this.barssc0 * (1 - 0.75 * c.YHe + (1 - c.YHe) * this.xeEarly) * (c.T_CMB / Math.exp(lna)) * (4 / 3);
    }
    return this.cs2Table.evaluate(lna);
  }
}
