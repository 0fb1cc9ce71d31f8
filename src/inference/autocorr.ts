/**
 * Integrated autocorrelation time of ensemble chains, estimated as emcee does (Foreman-Mackey et al. 2013,
 * PASP 125, 306; the estimator of its `autocorr` module): for each parameter, the normalised
 * autocorrelation function of every walker's series (by FFT, zero-padded to twice the next power of two),
 * averaged over walkers; tau(M) = 1 + 2 sum_{t=1}^{M} rho(t); the window M is the smallest with
 * M >= c tau(M) (Sokal's automatic windowing, c = 5).
 */

import FFT from 'fft.js';

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** Reusable FFT workspace for series of one length. */
class AcfWorkspace {
  private readonly fft: FFT;
  private readonly input: number[];
  private readonly spectrum: number[];
  private readonly power: number[];
  private readonly back: number[];

  constructor(readonly length: number) {
    const size = 2 * nextPowerOfTwo(Math.max(length, 2));
    this.fft = new FFT(size);
    this.input = new Array<number>(size).fill(0);
    this.spectrum = this.fft.createComplexArray();
    this.power = this.fft.createComplexArray();
    this.back = this.fft.createComplexArray();
  }

  /** Add the normalised autocorrelation of series x (read with a stride) to acc[0..length). */
  accumulate(x: ArrayLike<number>, offset: number, stride: number, acc: Float64Array): void {
    const n = this.length;
    let mean = 0;
    for (let t = 0; t < n; t++) mean += x[offset + t * stride];
    mean /= n;
    const input = this.input;
    for (let t = 0; t < n; t++) input[t] = x[offset + t * stride] - mean;
    this.fft.realTransform(this.spectrum, input);
    this.fft.completeSpectrum(this.spectrum);
    const s = this.spectrum;
    const p = this.power;
    for (let i = 0; i < s.length; i += 2) {
      p[i] = s[i] * s[i] + s[i + 1] * s[i + 1];
      p[i + 1] = 0;
    }
    this.fft.inverseTransform(this.back, p);
    const c0 = this.back[0];
    if (!(c0 > 0)) return; // a constant series (a stuck walker) carries no correlation information
    for (let t = 0; t < n; t++) acc[t] += this.back[2 * t] / c0;
  }
}

/** Normalised autocorrelation function of one series (emcee's function_1d). */
export function autocorrelation(x: ArrayLike<number>): Float64Array {
  const acc = new Float64Array(x.length);
  new AcfWorkspace(x.length).accumulate(x, 0, 1, acc);
  return acc;
}

/** Sokal's window: the first M with M >= c tau(M), else the last lag. */
function autoWindow(taus: Float64Array, c: number): number {
  for (let m = 0; m < taus.length; m++) if (m >= c * taus[m]) return m;
  return taus.length - 1;
}

/**
 * Integrated autocorrelation time of each parameter.
 *
 * @param chain samples [steps x walkers x dim], row-major
 * @param c window constant (emcee's default 5)
 */
export function integratedTime(chain: ArrayLike<number>, steps: number, walkers: number, dim: number, c = 5): Float64Array {
  const tau = new Float64Array(dim);
  if (steps < 2) return tau.fill(Number.NaN);
  const ws = new AcfWorkspace(steps);
  const acc = new Float64Array(steps);
  const taus = new Float64Array(steps);
  for (let d = 0; d < dim; d++) {
    acc.fill(0);
    for (let k = 0; k < walkers; k++) ws.accumulate(chain, k * dim + d, walkers * dim, acc);
    let cum = 0;
    for (let t = 0; t < steps; t++) {
      cum += acc[t] / walkers;
      taus[t] = 2 * cum - 1;
    }
    tau[d] = taus[autoWindow(taus, c)];
  }
  return tau;
}
