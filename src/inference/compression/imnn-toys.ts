/**
 * The two IMNN problems with known answers (Charnock, Lavaux & Wandelt 2018, arXiv:1802.03537):
 *
 * 1. Mean and variance of a Gaussian: n data points x_i ~ N(mu, Sigma), theta = (mu, Sigma) with Sigma
 *    the variance. F = diag(n / Sigma, n / (2 Sigma^2)); at theta_fid = (0, 1) with n = 10, det F = 50.
 * 2. A power-law Gaussian random field P(k) = A k^-B on N x N pixels (src/field/gaussian-random-field.ts,
 *    exact F there). The network sees a fixed compression of the field, the logarithm of its power in
 *    `bins` logarithmic bands of |k|; the IMNN learns the summaries from those band powers.
 */

import { bandPower, logBands, PowerLawField, powerLaw } from '../../field/gaussian-random-field.js';
import { Random } from '../../math/random.js';
import type { Arr } from '../../nn/backend.js';
import type { SeededSimulator } from './imnn.js';

export class GaussianMeanVariance implements SeededSimulator {
  readonly nParams = 2;
  constructor(readonly inSize = 10) {}

  simulate(theta: ArrayLike<number>, seed: number, out: Arr, offset: number): void {
    const rng = new Random(seed);
    const sd = Math.sqrt(theta[1]);
    for (let i = 0; i < this.inSize; i++) out[offset + i] = theta[0] + sd * rng.normal();
  }

  /** Exact F at theta (row-major 2 x 2). */
  fisher(theta: ArrayLike<number>): Float64Array {
    return Float64Array.of(this.inSize / theta[1], 0, 0, this.inSize / (2 * theta[1] * theta[1]));
  }
}

export class PowerLawFieldBands implements SeededSimulator {
  readonly nParams = 2;
  readonly field: PowerLawField;
  private readonly band: Int32Array;

  constructor(
    readonly N = 32,
    readonly inSize = 24,
  ) {
    this.field = new PowerLawField(N);
    this.band = logBands(this.field.k, N, inSize);
  }

  simulate(theta: ArrayLike<number>, seed: number, out: Arr, offset: number): void {
    const power = this.field.power(this.field.field(theta, seed));
    const bp = bandPower(power, this.band, this.inSize);
    for (let b = 0; b < this.inSize; b++) out[offset + b] = bp[b] > 0 ? Math.log(bp[b]) : 0;
  }

  /** The exact Fisher information of the whole field (not of the band powers). */
  fisher(theta: ArrayLike<number>): Float64Array {
    return this.field.fisher(theta);
  }

  /**
   * Fisher information of the band powers B_b = mean of |d_k|^2 / N^2 over band b, in the Gaussian
   * approximation with a fixed covariance: mean mu_b = <P_k>_b, variance 2 sum_k P_k^2 / n_b^2 (each grid
   * point's |d_k|^2 has variance P^2 and equals its Hermitian partner's, which lies in the same band), so
   * F_ac = sum_b (sum_k P_k g_ka)(sum_k P_k g_kc) / (2 sum_k P_k^2) with g = d ln P / d theta. What the
   * network's inputs hold (up to the non-Gaussianity of the few-mode bands).
   */
  bandFisher(theta: ArrayLike<number>): Float64Array {
    const k = this.field.k;
    const sA = new Float64Array(this.inSize);
    const sB = new Float64Array(this.inSize);
    const s2 = new Float64Array(this.inSize);
    for (let i = 1; i < k.length; i++) {
      const b = this.band[i];
      const P = powerLaw(theta, k[i]);
      sA[b] += P / theta[0];
      sB[b] -= P * Math.log(k[i]);
      s2[b] += P * P;
    }
    const F = new Float64Array(4);
    for (let b = 0; b < this.inSize; b++) {
      if (s2[b] === 0) continue;
      const g = [sA[b], sB[b]];
      for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) F[a * 2 + c] += (g[a] * g[c]) / (2 * s2[b]);
    }
    return F;
  }
}
