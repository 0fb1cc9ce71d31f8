/**
 * Two-dimensional Gaussian random fields on an N x N periodic pixel grid with a power-law spectrum
 * P(k) = A k^-B (the IMNN paper's field example: Charnock, Lavaux & Wandelt 2018, arXiv:1802.03537, sect.
 * IV B), their binned power spectrum and their exact Fisher information.
 *
 * Conventions. Pixel spacing 1, so k = 2 pi sqrt(i^2 + j^2) / N per pixel with i, j the signed DFT
 * frequencies in [-N/2, N/2); DFT d_k = sum_x delta(x) exp(-i k.x) (unnormalised). The field is white
 * noise w (unit variance per pixel) filtered as d_k = w_k sqrt(P(k)), so <|d_k|^2> = N^2 P(k); the k = 0
 * mode is set to zero (P(0) diverges for B > 0 and a mean carries no information on A, B here).
 *
 * Fisher information. The N^2 - 1 modes k != 0 come in Hermitian pairs d_-k = conj(d_k) (one complex
 * Gaussian, two real variables of variance N^2 P / 2 each) plus three real self-conjugate modes (i, j in
 * {0, -N/2}). A real Gaussian of variance sigma^2(theta) carries 1/2 (d ln sigma^2)_a (d ln sigma^2)_b,
 * so a pair carries (ln P)_a (ln P)_b and a self-conjugate mode half that; counting every grid point
 * k != 0 once with weight 1/2 gives both:
 *
 *   F_ab = 1/2 sum_{k != 0 on the grid} (d ln P / d theta_a)(d ln P / d theta_b) = 1/2 Tr(P_,a P^-1 P_,b P^-1)
 *
 * with d ln P / dA = 1 / A and d ln P / dB = -ln k. The score of one field is
 * t_a = 1/2 sum_{k != 0} (ln P)_a (|d_k|^2 / (N^2 P(k)) - 1), whose covariance over fields is F.
 */

import FFT from 'fft.js';
import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';

/** |k| (per pixel) of every grid point, row-major [N x N]; k[0] = 0. */
export function gridWavenumbers(N: number): Float64Array {
  if (!Number.isInteger(N) || N < 4 || (N & (N - 1)) !== 0) throw new CosmetaError(`the grid size must be a power of two >= 4, got ${N}`);
  const k = new Float64Array(N * N);
  const f = (i: number) => (i < N / 2 ? i : i - N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) k[i * N + j] = (2 * Math.PI * Math.hypot(f(i), f(j))) / N;
  return k;
}

/** Power-law spectrum P(k) = A k^-B, theta = (A, B). */
export function powerLaw(theta: ArrayLike<number>, k: number): number {
  return theta[0] * Math.pow(k, -theta[1]);
}

/** In-place 2-D complex DFT of an interleaved (re, im) N x N array, forward or inverse (inverse divides by N^2). */
function fft2(fft: FFT, N: number, data: Float64Array, inverse: boolean): void {
  const line = fft.createComplexArray() as number[];
  const out = fft.createComplexArray() as number[];
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        const idx = pass === 0 ? r * N + c : c * N + r;
        line[2 * c] = data[2 * idx];
        line[2 * c + 1] = data[2 * idx + 1];
      }
      if (inverse) fft.inverseTransform(out, line);
      else fft.transform(out, line);
      for (let c = 0; c < N; c++) {
        const idx = pass === 0 ? r * N + c : c * N + r;
        data[2 * idx] = out[2 * c];
        data[2 * idx + 1] = out[2 * c + 1];
      }
    }
  }
}

/** Fields and their spectra on one grid size (holds the FFT tables). */
export class PowerLawField {
  readonly k: Float64Array;
  private readonly fft: FFT;

  constructor(readonly N: number) {
    this.k = gridWavenumbers(N);
    this.fft = new FFT(N);
  }

  /** The Fourier modes d_k (interleaved re, im, [N x N x 2]) of a field at theta, noise from `seed`. */
  modes(theta: ArrayLike<number>, seed: number): Float64Array {
    const N = this.N;
    const rng = new Random(seed);
    const c = new Float64Array(2 * N * N);
    for (let i = 0; i < N * N; i++) c[2 * i] = rng.normal();
    fft2(this.fft, N, c, false);
    c[0] = 0;
    c[1] = 0;
    for (let i = 1; i < N * N; i++) {
      const s = Math.sqrt(powerLaw(theta, this.k[i]));
      c[2 * i] *= s;
      c[2 * i + 1] *= s;
    }
    return c;
  }

  /** A real field delta(x) [N x N] at theta with noise from `seed` (the same seed gives the same noise at any theta). */
  field(theta: ArrayLike<number>, seed: number): Float64Array {
    const c = this.modes(theta, seed);
    fft2(this.fft, this.N, c, true);
    return Float64Array.from({ length: this.N * this.N }, (_, i) => c[2 * i]);
  }

  /** |d_k|^2 / N^2 of a real field (an unbiased estimate of P(k) per grid point). */
  power(field: ArrayLike<number>): Float64Array {
    const N = this.N;
    const c = new Float64Array(2 * N * N);
    for (let i = 0; i < N * N; i++) c[2 * i] = field[i];
    fft2(this.fft, N, c, false);
    return Float64Array.from({ length: N * N }, (_, i) => (c[2 * i] * c[2 * i] + c[2 * i + 1] * c[2 * i + 1]) / (N * N));
  }

  /** Exact Fisher matrix [2 x 2] of (A, B) at theta (header). */
  fisher(theta: ArrayLike<number>): Float64Array {
    const F = new Float64Array(4);
    for (let i = 1; i < this.k.length; i++) {
      const g = [1 / theta[0], -Math.log(this.k[i])];
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) F[a * 2 + b] += 0.5 * g[a] * g[b];
    }
    return F;
  }

  /** Score t_a = d ln L / d theta_a of a field's power |d_k|^2 / N^2 at theta (header). */
  score(theta: ArrayLike<number>, power: ArrayLike<number>): Float64Array {
    const t = new Float64Array(2);
    for (let i = 1; i < this.k.length; i++) {
      const u = power[i] / powerLaw(theta, this.k[i]) - 1;
      t[0] += (0.5 * u) / theta[0];
      t[1] -= 0.5 * Math.log(this.k[i]) * u;
    }
    return t;
  }
}

/**
 * Band edges in |k| for `bins` logarithmic bands from the fundamental 2 pi / N to the grid's largest
 * |k| (the corner, pi sqrt 2), and the band of every grid point (-1 for k = 0).
 */
export function logBands(k: Float64Array, N: number, bins: number): Int32Array {
  const lo = Math.log((2 * Math.PI) / N);
  const hi = Math.log(Math.PI * Math.SQRT2 * 1.000001);
  return Int32Array.from(k, (x) => (x === 0 ? -1 : Math.min(bins - 1, Math.floor(((Math.log(x) - lo) / (hi - lo)) * bins))));
}

/** Mean power per band (empty bands give 0). */
export function bandPower(power: ArrayLike<number>, band: Int32Array, bins: number): Float64Array {
  const sum = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < band.length; i++) {
    if (band[i] < 0) continue;
    sum[band[i]] += power[i];
    count[band[i]] += 1;
  }
  return Float64Array.from(sum, (s, b) => (count[b] > 0 ? s / count[b] : 0));
}
