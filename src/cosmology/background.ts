/**
 * Homogeneous background: expansion rate, density parameters, distances and the linear growth factor.
 * Distances in Mpc. Follows CCL's conventions (ccl_background.c): E(a) with radiation as CCL's
 * defaults, CPL dark energy, curvature; growth from CCL's ODE started at a = 1e-6 with D = a.
 */

import { CosmetaError } from '../errors.js';
import { gaussLegendre } from '../math/quadrature.js';
import { HermiteSpline } from '../math/spline.js';
import { DEFAULT_ACCURACY, type Accuracy } from './accuracy.js';
import { HUBBLE_DISTANCE_H1 } from './constants.js';
import type { Cosmology } from './params.js';

/** Dark-energy density relative to today, rho_de(a)/rho_de(1) = a^(-3(1+w0+wa)) exp(-3 wa (1-a)) (CPL). */
export function darkEnergyDensity(c: Cosmology, a: number): number {
  if (c.w0 === -1 && c.wa === 0) return 1;
  return Math.pow(a, -3 * (1 + c.w0 + c.wa)) * Math.exp(-3 * c.wa * (1 - a));
}

/** E(a)^2 = H(a)^2 / H0^2 (dimensionless). */
export function E2(c: Cosmology, a: number): number {
  const ia = 1 / a;
  const ia2 = ia * ia;
  return (
    c.Omega_m * ia2 * ia + (c.Omega_g + c.Omega_nu_rel) * ia2 * ia2 + c.Omega_k * ia2 + c.Omega_l * darkEnergyDensity(c, a)
  );
}

/** E(a) = H(a) / H0 (dimensionless). */
export function E(c: Cosmology, a: number): number {
  return Math.sqrt(E2(c, a));
}

/** Matter density parameter at scale factor a: Omega_m a^-3 / E^2. */
export function omegaMatter(c: Cosmology, a: number): number {
  return (c.Omega_m / (a * a * a)) / E2(c, a);
}

/** Dark-energy density parameter at scale factor a. */
export function omegaDarkEnergy(c: Cosmology, a: number): number {
  return (c.Omega_l * darkEnergyDensity(c, a)) / E2(c, a);
}

/** Hubble distance c / H0 [Mpc]. */
export function hubbleDistance(c: Cosmology): number {
  return HUBBLE_DISTANCE_H1 / c.h;
}

/**
 * Tabulated distances and growth for one cosmology, valid for 0 <= z <= zMax (distances) and for
 * a >= the growth ODE's starting point (growth). Immutable; build once per cosmology and share.
 */
export class Background {
  readonly cosmo: Cosmology;
  readonly zMax: number;
  readonly accuracy: Accuracy;
  /** Hubble distance c/H0 [Mpc]. */
  readonly dH: number;
  private readonly chiTable: HermiteSpline; // chi [Mpc] against ln a (decreasing a -> increasing chi)
  private readonly chiZ: HermiteSpline | null; // chi [Mpc] against z on a uniform grid, for low-z hot loops
  private readonly growthTable: HermiteSpline; // unnormalised D against ln a
  private readonly growthToday: number;

  constructor(cosmo: Cosmology, zMax = 10, acc: Accuracy = DEFAULT_ACCURACY) {
    if (!(zMax > 0) || !Number.isFinite(zMax)) throw new CosmetaError(`Background: zMax must be positive and finite, got ${zMax}`);
    this.cosmo = cosmo;
    this.zMax = zMax;
    this.accuracy = acc;
    this.dH = hubbleDistance(cosmo);
    this.chiTable = this.buildDistances();
    this.chiZ = zMax <= 20 ? this.buildChiOfZ() : null;
    const growth = this.integrateGrowth();
    this.growthTable = growth.table;
    this.growthToday = growth.today;
  }

  /** ln a nodes from ln(1/(1+zMax)) to 0, `backgroundNodesPerEfold` per e-fold. */
  private buildDistances(): HermiteSpline {
    const c = this.cosmo;
    const xMin = -Math.log1p(this.zMax);
    const n = Math.max(8, Math.ceil(-xMin * this.accuracy.backgroundNodesPerEfold)) + 1;
    const x = new Float64Array(n);
    const chi = new Float64Array(n);
    const dchi = new Float64Array(n);
    const gl = gaussLegendre(8);
    // dchi/dln a = -dH / (a E(a)); integrate from a = 1 (x = 0) backwards.
    const integrand = (lna: number): number => {
      const a = Math.exp(lna);
      const e2 = E2(c, a);
      if (!(e2 > 0)) {
        throw new CosmetaError(`the expansion rate is not real at z=${(1 / a - 1).toPrecision(4)} for these parameters (E^2=${e2})`);
      }
      return this.dH / (a * Math.sqrt(e2));
    };
    for (let i = 0; i < n; i++) x[i] = xMin + ((0 - xMin) * i) / (n - 1);
    chi[n - 1] = 0;
    dchi[n - 1] = -integrand(0);
    for (let i = n - 2; i >= 0; i--) {
      const lo = x[i];
      const hi = x[i + 1];
      const half = (hi - lo) / 2;
      const mid = (hi + lo) / 2;
      let s = 0;
      for (let j = 0; j < gl.x.length; j++) s += gl.w[j] * integrand(mid + half * gl.x[j]);
      chi[i] = chi[i + 1] + s * half;
      dchi[i] = -integrand(lo);
    }
    return new HermiteSpline(x, chi, dchi);
  }

  /** chi(z) on a uniform z grid with exact derivatives c/H(z): O(1) lookups without logarithms. */
  private buildChiOfZ(): HermiteSpline {
    const n = Math.max(2, Math.ceil(this.zMax / this.accuracy.chiZStep)) + 1;
    const z = new Float64Array(n);
    const chi = new Float64Array(n);
    const dchi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      z[i] = (this.zMax * i) / (n - 1);
      chi[i] = this.chiTable.evaluate(-Math.log1p(z[i]));
      dchi[i] = this.dH / E(this.cosmo, 1 / (1 + z[i]));
    }
    return new HermiteSpline(z, chi, dchi);
  }

  /**
   * Growth ODE in CCL's form, in x = ln a: dD/dx = y / (a^2 E), dy/dx = 1.5 Omega_m D / (a E), with
   * y = a^3 E dD/da; D = a and dD/da = 1 at a = growthInitialA. Classical RK4 on a uniform x grid,
   * tabulated for cubic Hermite interpolation with the exact derivative dD/dx.
   */
  private integrateGrowth(): { table: HermiteSpline; today: number } {
    const c = this.cosmo;
    const a0 = this.accuracy.growthInitialA;
    const x0 = Math.log(a0);
    const n = Math.ceil(-x0 * this.accuracy.growthStepsPerEfold);
    const h = -x0 / n;
    const xs = new Float64Array(n + 1);
    const Ds = new Float64Array(n + 1);
    const dDs = new Float64Array(n + 1);
    const rhs = (x: number, D: number, y: number, out: Float64Array): void => {
      const a = Math.exp(x);
      const e = E(c, a);
      out[0] = y / (a * a * e);
      out[1] = (1.5 * c.Omega_m * D) / (a * e);
    };
    const k1 = new Float64Array(2);
    const k2 = new Float64Array(2);
    const k3 = new Float64Array(2);
    const k4 = new Float64Array(2);
    let D = a0;
    let y = a0 * a0 * a0 * E(c, a0);
    for (let i = 0; i <= n; i++) {
      const x = x0 + i * h;
      rhs(x, D, y, k1);
      xs[i] = x;
      Ds[i] = D;
      dDs[i] = k1[0];
      if (i === n) break;
      rhs(x + h / 2, D + (h / 2) * k1[0], y + (h / 2) * k1[1], k2);
      rhs(x + h / 2, D + (h / 2) * k2[0], y + (h / 2) * k2[1], k3);
      rhs(x + h, D + h * k3[0], y + h * k3[1], k4);
      D += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
      y += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
    }
    xs[n] = 0;
    return { table: new HermiteSpline(xs, Ds, dDs), today: Ds[n] };
  }

  private checkZ(z: number): void {
    if (!(z >= 0) || z > this.zMax * (1 + 1e-12)) {
      throw new CosmetaError(`redshift z=${z} is outside the background table [0, ${this.zMax}]`);
    }
  }

  /** Comoving radial distance chi(z) [Mpc]. */
  comovingRadialDistance(z: number): number {
    this.checkZ(z);
    return this.chiTable.evaluate(-Math.log1p(z));
  }

  /** chi(z) [Mpc] without range checks, for hot loops whose redshifts are known to be in the table. */
  chiUnchecked(z: number): number {
    return this.chiZ !== null ? this.chiZ.evaluate(z) : this.chiTable.evaluate(-Math.log1p(z));
  }

  /** D(z)/D(0) without range checks, for hot loops. */
  growthUnchecked(z: number): number {
    return this.growthTable.evaluate(-Math.log1p(z)) / this.growthToday;
  }

  /** Transverse comoving distance f_K(chi) [Mpc] for a comoving radial distance chi [Mpc]. */
  transverseOfRadial(chi: number): number {
    const ok = this.cosmo.Omega_k;
    if (ok === 0) return chi;
    const sk = Math.sqrt(Math.abs(ok)) / this.dH;
    return ok > 0 ? Math.sinh(sk * chi) / sk : Math.sin(sk * chi) / sk;
  }

  /** Transverse comoving distance D_M(z) [Mpc]. */
  comovingTransverseDistance(z: number): number {
    return this.transverseOfRadial(this.comovingRadialDistance(z));
  }

  /** Luminosity distance (1+z) D_M [Mpc]. */
  luminosityDistance(z: number): number {
    return (1 + z) * this.comovingTransverseDistance(z);
  }

  /** Distance modulus 5 log10(D_L / 10 pc). */
  distanceModulus(z: number): number {
    return 5 * Math.log10(this.luminosityDistance(z) * 1e5);
  }

  /** Scale factor at comoving radial distance chi [Mpc] (inverse of chi(a), by Newton on the table). */
  scaleFactorOfChi(chi: number): number {
    const chiMax = this.chiTable.y[0];
    if (!(chi >= 0) || chi > chiMax) throw new CosmetaError(`chi=${chi} Mpc is outside the background table [0, ${chiMax}]`);
    // Bisection bracket on the monotone table, then Newton.
    let lo = this.chiTable.x[0];
    let hi = 0;
    let x = -chi / this.dH;
    if (x < lo) x = lo;
    for (let iter = 0; iter < 60; iter++) {
      const f = this.chiTable.evaluate(x) - chi;
      if (Math.abs(f) <= 1e-12 * Math.max(1, chi)) break;
      if (f > 0) lo = x;
      else hi = x;
      const d = this.chiTable.derivative(x);
      let next = x - f / d;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
      x = next;
    }
    return Math.exp(x);
  }

  /** Unnormalised growth factor D(a) (D -> a deep in matter domination when radiation is off). */
  growthFactorUnnormalised(a: number): number {
    if (!(a >= this.accuracy.growthInitialA) || a > 1 + 1e-12) {
      throw new CosmetaError(`growth: scale factor a=${a} is outside [${this.accuracy.growthInitialA}, 1]`);
    }
    return this.growthTable.evaluate(Math.log(a));
  }

  /** Growth factor normalised to 1 today, D(a)/D(1). */
  growthFactor(a: number): number {
    return this.growthFactorUnnormalised(a) / this.growthToday;
  }

  /** Logarithmic growth rate f = d ln D / d ln a. */
  growthRate(a: number): number {
    const x = Math.log(a);
    return this.growthTable.derivative(x) / this.growthTable.evaluate(x);
  }
}
