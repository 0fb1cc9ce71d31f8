/**
 * Linear matter power spectrum P_L(k, z) = D(z)^2 P_L(k, 0) [Mpc^3], k in 1/Mpc, from a linear shape
 * model normalised to sigma8 (top-hat of radius 8/h Mpc), plus sigma(R) and the non-linear scale k_NL.
 *
 * ln P(ln k) at z = 0 is tabulated on a uniform ln k grid (natural cubic spline) between kMin and kMax and
 * continued as a power law with the end slopes beyond them.
 */

import { CosmetaError } from '../../errors.js';
import { integrate } from '../../math/quadrature.js';
import { UniformCubicSpline } from '../../math/spline.js';
import { DEFAULT_ACCURACY, type Accuracy } from '../accuracy.js';
import type { Background } from '../background.js';
import type { LinearShape } from '../transfer/model.js';
import type { MatterPower } from './matter-power.js';

/** Top-hat window in Fourier space, W(x) = 3 (sin x - x cos x) / x^3 (series below x = 1e-3). */
export function topHatWindow(x: number): number {
  if (x < 1e-3) {
    const x2 = x * x;
    return 1 - x2 / 10 + (x2 * x2) / 280;
  }
  return (3 * (Math.sin(x) - x * Math.cos(x))) / (x * x * x);
}

export class LinearPower implements MatterPower {
  readonly name = 'linear';
  readonly background: Background;
  readonly model: string;
  readonly accuracy: Accuracy;
  /** ln P(k, z = 0) [ln Mpc^3] against ln k [ln(1/Mpc)], normalised to sigma8. */
  readonly lnP0: UniformCubicSpline;
  private readonly lnkLo: number;
  private readonly lnkHi: number;
  private readonly slopeLo: number;
  private readonly slopeHi: number;

  constructor(background: Background, shape: LinearShape, acc: Accuracy = DEFAULT_ACCURACY) {
    const c = background.cosmo;
    shape.check?.(c);
    this.background = background;
    this.model = shape.name;
    this.accuracy = acc;
    const f = shape.prepare(c);
    const lnkLo = Math.log(acc.kMin);
    const n = Math.ceil((Math.log(acc.kMax) - lnkLo) / acc.lnkStep) + 1;
    const dlnk = (Math.log(acc.kMax) - lnkLo) / (n - 1);
    const lnP = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = f(Math.exp(lnkLo + i * dlnk));
      if (!(p > 0) || !Number.isFinite(p)) {
        throw new CosmetaError(`linear model ${shape.name} gave P=${p} at k=${Math.exp(lnkLo + i * dlnk)}/Mpc for these parameters`);
      }
      lnP[i] = Math.log(p);
    }
    // sigma8 normalisation by Simpson's rule on the table nodes inside [sigmaKMin, sigmaKMax].
    const r8 = 8 / c.h;
    const i0 = Math.max(0, Math.round((Math.log(acc.sigmaKMin) - lnkLo) / dlnk));
    let i1 = Math.min(n - 1, Math.round((Math.log(acc.sigmaKMax) - lnkLo) / dlnk));
    if ((i1 - i0) % 2 === 1) i1 -= 1;
    let s = 0;
    for (let i = i0; i <= i1; i++) {
      const k = Math.exp(lnkLo + i * dlnk);
      const w = topHatWindow(k * r8);
      const g = Math.exp(lnP[i]) * k * k * k * w * w;
      s += (i === i0 || i === i1 ? 1 : i % 2 === i0 % 2 ? 2 : 4) * g;
    }
    const sigma2 = ((s * dlnk) / 3) / (2 * Math.PI * Math.PI);
    const lnNorm = Math.log((c.sigma8 * c.sigma8) / sigma2);
    for (let i = 0; i < n; i++) lnP[i] += lnNorm;
    this.lnP0 = new UniformCubicSpline(lnkLo, dlnk, lnP);
    this.lnkLo = lnkLo;
    this.lnkHi = lnkLo + (n - 1) * dlnk;
    this.slopeLo = (lnP[1] - lnP[0]) / dlnk;
    this.slopeHi = (lnP[n - 1] - lnP[n - 2]) / dlnk;
  }

  /** ln P_L(k, z = 0) [ln Mpc^3] at ln k [ln(1/Mpc)], power-law continued beyond the table. */
  lnPowerToday(lnk: number): number {
    if (lnk < this.lnkLo) return this.lnP0.y[0] + this.slopeLo * (lnk - this.lnkLo);
    if (lnk > this.lnkHi) return this.lnP0.y[this.lnP0.y.length - 1] + this.slopeHi * (lnk - this.lnkHi);
    return this.lnP0.evaluate(lnk);
  }

  /** P_L(k, z) [Mpc^3], k in 1/Mpc. */
  power(k: number, z: number): number {
    const d = this.background.growthFactor(1 / (1 + z));
    return d * d * Math.exp(this.lnPowerToday(Math.log(k)));
  }

  fill(z: number, lnk: ArrayLike<number>, out: Float64Array, n = lnk.length): void {
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
