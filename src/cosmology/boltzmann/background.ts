/**
 * Background expansion for the Boltzmann solver: the conformal Hubble rate and conformal time of flat
 * LCDM with radiation (photons + massless neutrinos), matter and Lambda. (The project's
 * src/cosmology/background.ts tabulates distances for z <= zMax with CCL's conventions; here conformal
 * time from a = 0 and the early-time expansion are needed, which is this small closed-form module.)
 *
 * Conformal Hubble rate (MB95 eq. 17 in conformal time tau [Mpc]):
 *   aH(a) = (H0/c) sqrt(Omega_r / a^2 + Omega_m / a + Omega_Lambda a^2)   [1/Mpc]
 * Conformal time tau(a) = int_0^a da' / (H0/c sqrt(Omega_r + Omega_m a' + Omega_Lambda a'^4)) [Mpc].
 */

import { gaussLegendre } from '../../math/quadrature.js';
import { CubicSpline } from '../../math/spline.js';
import type { BoltzmannCosmology } from './params.js';

export class BoltzmannBackground {
  readonly cosmo: BoltzmannCosmology;
  /** Omega_gamma + Omega_nu. */
  readonly Omega_r: number;
  /** Conformal time today [Mpc]. */
  readonly tau0: number;
  /** Scale factor of matter-radiation equality. */
  readonly aEq: number;
  private readonly lnaMin: number;
  private readonly tauSpline: CubicSpline; // ln tau against ln a

  constructor(cosmo: BoltzmannCosmology, lnaMin = Math.log(1e-12), nodesPerEfold = 40) {
    this.cosmo = cosmo;
    this.Omega_r = cosmo.Omega_g + cosmo.Omega_nu;
    this.aEq = this.Omega_r / cosmo.Omega_m;
    this.lnaMin = lnaMin;
    const n = Math.ceil(-lnaMin * nodesPerEfold) + 1;
    const x = new Float64Array(n);
    const lt = new Float64Array(n);
    const gl = gaussLegendre(8);
    const { Omega_m, Omega_l, H0c } = cosmo;
    const Or = this.Omega_r;
    // d tau / d ln a = a / (H0c sqrt(Or + Om a + OL a^4))
    const f = (lna: number): number => {
      const a = Math.exp(lna);
      return a / (H0c * Math.sqrt(Or + Omega_m * a + Omega_l * a * a * a * a));
    };
    // below a_min: exact radiation + matter (Lambda negligible): tau = 2 (sqrt(Or + Om a) - sqrt(Or)) / (H0c Om)
    const a0 = Math.exp(lnaMin);
    let tau = (2 * (Math.sqrt(Or + Omega_m * a0) - Math.sqrt(Or))) / (H0c * Omega_m);
    for (let i = 0; i < n; i++) {
      x[i] = lnaMin + (-lnaMin * i) / (n - 1);
      if (i > 0) {
        const half = (x[i] - x[i - 1]) / 2;
        const mid = (x[i] + x[i - 1]) / 2;
        let s = 0;
        for (let j = 0; j < gl.x.length; j++) s += gl.w[j] * f(mid + half * gl.x[j]);
        tau += s * half;
      }
      lt[i] = Math.log(tau);
    }
    this.tauSpline = new CubicSpline(x, lt);
    this.tau0 = tau;
  }

  /** Conformal Hubble rate aH [1/Mpc] at scale factor a. */
  conformalHubble(a: number): number {
    const c = this.cosmo;
    return c.H0c * Math.sqrt(this.Omega_r / (a * a) + c.Omega_m / a + c.Omega_l * a * a);
  }

  /** Conformal time tau [Mpc] at ln a. */
  tau(lna: number): number {
    if (lna < this.lnaMin) {
      const c = this.cosmo;
      const a = Math.exp(lna);
      return (2 * (Math.sqrt(this.Omega_r + c.Omega_m * a) - Math.sqrt(this.Omega_r))) / (c.H0c * c.Omega_m);
    }
    return Math.exp(this.tauSpline.evaluate(lna));
  }

  /** ln a at conformal time tau [Mpc] (Newton iteration on the table, d tau / d ln a = 1 / aH). */
  lnaOfTau(tau: number): number {
    // radiation-era guess a = tau H0c sqrt(Omega_r), then Newton steps
    let x = Math.log(Math.max(1e-14, tau * this.cosmo.H0c * Math.sqrt(this.Omega_r)));
    x = Math.min(x, 0);
    for (let it = 0; it < 50; it++) {
      const a = Math.exp(x);
      const dtdx = 1 / this.conformalHubble(a);
      const dx = (tau - this.tau(x)) / dtdx;
      x += Math.max(-2, Math.min(2, dx));
      if (Math.abs(dx) < 1e-13) break;
    }
    return x;
  }
}
