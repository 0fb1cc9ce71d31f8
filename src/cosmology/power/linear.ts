/**
 * Linear matter power spectrum P_L(k, z) = D(z)^2 P_L(k, 0) [Mpc^3], k in 1/Mpc, from a linear shape
 * model normalised to sigma8 (top-hat of radius 8/h Mpc) or to A_s (power/normalisation.ts for fitting
 * formulas; exact for absolute models), plus sigma(R) and the non-linear scale k_NL. The amplitude not
 * given is derived (`sigma8`, `A_s`, `S8`).
 *
 * ln P(ln k) at z = 0 is tabulated (natural cubic spline) between kMin and kMax, finely where baryon
 * wiggles live and coarsely elsewhere, and continued as a power law with the end slopes beyond them.
 */

import { CosmetaError } from '../../errors.js';
import { integrate } from '../../math/quadrature.js';
import { SegmentedCubicSpline } from '../../math/spline.js';
import { DEFAULT_ACCURACY, type Accuracy } from '../accuracy.js';
import type { Background } from '../background.js';
import type { LinearShape } from '../transfer/model.js';
import type { LinearMatterPower, UniformLnPTable } from './linear-matter-power.js';
import { poissonFactor } from './normalisation.js';

export type { UniformLnPTable } from './linear-matter-power.js';

/** Top-hat window in Fourier space, W(x) = 3 (sin x - x cos x) / x^3 (series below x = 1e-3). */
export function topHatWindow(x: number): number {
  if (x < 1e-3) {
    const x2 = x * x;
    return 1 - x2 / 10 + (x2 * x2) / 280;
  }
  return (3 * (Math.sin(x) - x * Math.cos(x))) / (x * x * x);
}

export class LinearPower implements LinearMatterPower {
  readonly name = 'linear';
  readonly background: Background;
  readonly model: string;
  readonly accuracy: Accuracy;
  readonly sigma8: number;
  readonly A_s: number;
  readonly S8: number;
  /** ln P(k, z = 0) [ln Mpc^3] against ln k [ln(1/Mpc)], normalised to sigma8 or A_s. */
  readonly lnP0: SegmentedCubicSpline;
  /** The same on a uniform grid (spacing accuracy.lnkStepIntegrals) for quadratures such as halofit's. */
  readonly uniform: UniformLnPTable;
  private readonly lnkLo: number;
  private readonly lnkHi: number;
  private readonly lnPLo: number;
  private readonly lnPHi: number;
  private readonly slopeLo: number;
  private readonly slopeHi: number;

  constructor(background: Background, shape: LinearShape, acc: Accuracy = DEFAULT_ACCURACY) {
    const c = background.cosmo;
    shape.check?.(c);
    this.background = background;
    this.model = shape.name;
    this.accuracy = acc;
    const f = shape.prepare(c);
    // Coarse - fine (wiggles) - coarse segments in ln k.
    const a = Math.log(acc.kMin);
    const b = Math.log(acc.kWigglesMin);
    const cc = Math.log(acc.kWigglesMax);
    const d = Math.log(acc.kMax);
    const seg = (x0: number, x1: number, step: number) => {
      const n = Math.max(1, Math.ceil((x1 - x0) / step));
      return { x0, dx: (x1 - x0) / n, n };
    };
    const segments = [seg(a, b, acc.lnkStepSmooth), seg(b, cc, acc.lnkStep), seg(cc, d, acc.lnkStepSmooth)];
    const knots = SegmentedCubicSpline.knots(segments);
    const lnP = new Float64Array(knots.length);
    for (let i = 0; i < knots.length; i++) {
      const k = Math.exp(knots[i]);
      const p = f(k);
      if (!(p > 0) || !Number.isFinite(p)) throw new CosmetaError(`linear model ${shape.name} gave P=${p} at k=${k}/Mpc for these parameters`);
      lnP[i] = Math.log(p);
    }
    const raw = new SegmentedCubicSpline(segments, lnP);
    // Uniform resampling for the quadratures, continued as a power law up to kMaxIntegrals (halofit's
    // variance at the small radii of high redshifts needs wavenumbers beyond the table).
    const slopeHi = (lnP[lnP.length - 1] - lnP[lnP.length - 2]) / (knots[knots.length - 1] - knots[knots.length - 2]);
    const du = (d - a) / Math.ceil((d - a) / acc.lnkStepIntegrals);
    const nu = Math.ceil((Math.log(acc.kMaxIntegrals) - a) / du);
    const lnPu = new Float64Array(nu + 1);
    for (let i = 0; i <= nu; i++) {
      const x = a + i * du;
      lnPu[i] = x <= d ? raw.evaluate(x) : lnP[lnP.length - 1] + slopeHi * (x - d);
    }
    // sigma8 normalisation: Simpson's rule on the uniform grid inside [sigmaKMin, sigmaKMax].
    const r8 = 8 / c.h;
    const i0 = Math.max(0, Math.round((Math.log(acc.sigmaKMin) - a) / du));
    let i1 = Math.min(nu, Math.round((Math.log(acc.sigmaKMax) - a) / du));
    if ((i1 - i0) % 2 === 1) i1 -= 1;
    let s = 0;
    for (let i = i0; i <= i1; i++) {
      const k = Math.exp(a + i * du);
      const w = topHatWindow(k * r8);
      const g = Math.exp(lnPu[i]) * k * k * k * w * w;
      s += (i === i0 || i === i1 ? 1 : (i - i0) % 2 === 0 ? 2 : 4) * g;
    }
    const sigma2 = (s * du) / 3 / (2 * Math.PI * Math.PI);
    // P = A_s * perAs * shape: perAs = 1 for absolute models, the Poisson factor for fitting formulas.
    const perAs = shape.absolute ? 1 : poissonFactor(c);
    let lnNorm: number;
    if (c.sigma8 !== undefined) {
      lnNorm = Math.log((c.sigma8 * c.sigma8) / sigma2);
      this.sigma8 = c.sigma8;
      this.A_s = Math.exp(lnNorm) / perAs;
    } else {
      const A_s = c.A_s as number;
      lnNorm = Math.log(A_s * perAs);
      this.A_s = A_s;
      this.sigma8 = Math.sqrt(sigma2 * A_s * perAs);
    }
    this.S8 = this.sigma8 * Math.sqrt(c.Omega_m / 0.3);
    for (let i = 0; i < lnP.length; i++) lnP[i] += lnNorm;
    for (let i = 0; i <= nu; i++) lnPu[i] += lnNorm;
    this.lnP0 = new SegmentedCubicSpline(segments, lnP);
    this.uniform = { lnk0: a, dlnk: du, lnP: lnPu };
    this.lnkLo = a;
    this.lnkHi = d;
    this.lnPLo = lnP[0];
    this.lnPHi = lnP[lnP.length - 1];
    this.slopeLo = (lnP[1] - lnP[0]) / (knots[1] - knots[0]);
    this.slopeHi = (lnP[lnP.length - 1] - lnP[lnP.length - 2]) / (knots[knots.length - 1] - knots[knots.length - 2]);
  }

  /** ln P_L(k, z = 0) [ln Mpc^3] at ln k [ln(1/Mpc)], power-law continued beyond the table. */
  lnPowerToday(lnk: number): number {
    if (lnk < this.lnkLo) return this.lnPLo + this.slopeLo * (lnk - this.lnkLo);
    if (lnk > this.lnkHi) return this.lnPHi + this.slopeHi * (lnk - this.lnkHi);
    return this.lnP0.evaluate(lnk);
  }

  /** D(z) / D(0) from the background's growth ODE. */
  growth(z: number): number {
    return this.background.growthFactor(1 / (1 + z));
  }

  /** P_L(k, z) [Mpc^3], k in 1/Mpc. */
  power(k: number, z: number): number {
    const d = this.background.growthFactor(1 / (1 + z));
    return d * d * Math.exp(this.lnPowerToday(Math.log(k)));
  }

  fill(z: number, _k: ArrayLike<number>, lnk: ArrayLike<number>, out: Float64Array, n = lnk.length): void {
    const d = this.background.growthFactor(1 / (1 + z));
    const lnD2 = 2 * Math.log(d);
    for (let i = 0; i < n; i++) out[i] = Math.exp(this.lnPowerToday(lnk[i]) + lnD2);
  }

  /**
   * RMS linear density contrast in a top-hat sphere of radius R [Mpc] at redshift z:
   * sigma^2 = 1/(2 pi^2) int dk k^2 P(k) W^2(kR), over [sigmaKMin, sigmaKMax] (adaptive quadrature).
   */
  sigmaR(R: number, z = 0): number {
    if (!(R > 0)) throw new CosmetaError(`sigmaR: R must be positive, got ${R}`);
    const acc = this.accuracy;
    const integrand = (lnk: number): number => {
      const k = Math.exp(lnk);
      const w = topHatWindow(k * R);
      return Math.exp(this.lnPowerToday(lnk)) * k * k * k * w * w;
    };
    const s2 = integrate(integrand, Math.log(acc.sigmaKMin), Math.log(acc.sigmaKMax), 1e-9) / (2 * Math.PI * Math.PI);
    const d = this.background.growthFactor(1 / (1 + z));
    return d * Math.sqrt(s2);
  }

  /** Non-linear scale k_NL = [1/(6 pi^2) int dk P_L(k, z)]^(-1/2) [1/Mpc]. */
  kNonLinear(z: number): number {
    const acc = this.accuracy;
    const integral = integrate((lnk) => Math.exp(this.lnPowerToday(lnk) + lnk), Math.log(acc.sigmaKMin), Math.log(acc.sigmaKMax), 1e-10);
    const d = this.background.growthFactor(1 / (1 + z));
    return Math.pow((d * d * integral) / (6 * Math.PI * Math.PI), -0.5);
  }
}
