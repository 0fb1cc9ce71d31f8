/**
 * Summary statistics of sampled fields: shell power spectra of samples against the prior with cosmic
 * variance, and the cross-correlation coefficient with the truth,
 * r(k) = P_st(k) / sqrt(P_ss(k) P_tt(k)) per integer-|m| shell (Jasche & Wandelt 2013 sec. 5).
 * For a Gaussian posterior the posterior mean has r = sqrt(SNR / (1 + SNR)) per mode (SNR = S/N, the
 * Wiener limit), so r > 0.9 needs SNR > 4.3; a single sample has r = SNR / (1 + SNR).
 */

import type { FourierGrid } from '../math/fft.js';
import { shellOf, shellPower } from './gaussian-field.js';

/** Mean of a per-mode quantity (numpy layout) over the integer-|m| shells 1 .. n/2. */
export function shellMean(grid: FourierGrid, values: ArrayLike<number>): Float64Array {
  const nb = grid.shape[0] / 2;
  const sum = new Float64Array(nb + 1);
  const count = new Float64Array(nb + 1);
  grid.forEachMode((i, m) => {
    const j = shellOf(m, nb);
    if (j === 0) return;
    sum[j] += values[i];
    count[j] += 1;
  });
  return Float64Array.from({ length: nb }, (_, j) => (count[j + 1] > 0 ? sum[j + 1] / count[j + 1] : Number.NaN));
}

export interface SpectrumSummary {
  /** Shell centres |m| (integer wavenumbers). */
  m: Float64Array;
  /** Modes per shell (both k and -k counted). */
  count: Float64Array;
  /** Prior power per shell (mean of A S_k, fftn units). */
  prior: Float64Array;
  /** Power of the truth. */
  truth: Float64Array;
  /** Mean and standard deviation over the samples of each sample's shell power. */
  sampleMean: Float64Array;
  sampleSd: Float64Array;
  /** Relative cosmic variance of a shell's power, sqrt(2 / count) (count/2 independent complex modes). */
  cosmicVariance: Float64Array;
  /** r(k) of the posterior mean with the truth, and the mean over samples of each sample's r(k). */
  rMean: Float64Array;
  rSamples: Float64Array;
  /** Mean signal-to-noise per mode in the shell. */
  snr: Float64Array;
}

export function summariseSpectra(grid: FourierGrid, priorSpectrum: ArrayLike<number>, snrPerMode: ArrayLike<number>, truth: Float64Array, mean: Float64Array, samples: readonly Float64Array[]): SpectrumSummary {
  const t = shellPower(grid, truth);
  const pm = shellPower(grid, mean);
  const cross = shellPower(grid, mean, truth);
  const nb = t.m.length;
  const sMean = new Float64Array(nb);
  const sSq = new Float64Array(nb);
  const rS = new Float64Array(nb);
  for (const s of samples) {
    const p = shellPower(grid, s).power;
    const c = shellPower(grid, s, truth).power;
    for (let j = 0; j < nb; j++) {
      sMean[j] += p[j] / samples.length;
      sSq[j] += (p[j] * p[j]) / samples.length;
      rS[j] += c[j] / Math.sqrt(p[j] * t.power[j]) / samples.length;
    }
  }
  return {
    m: t.m,
    count: t.count,
    prior: shellMean(grid, priorSpectrum),
    truth: t.power,
    sampleMean: sMean,
    sampleSd: sMean.map((mu, j) => Math.sqrt(Math.max(0, sSq[j] - mu * mu))),
    cosmicVariance: t.count.map((c) => Math.sqrt(2 / c)),
    rMean: cross.power.map((c, j) => c / Math.sqrt(pm.power[j] * t.power[j])),
    rSamples: rS,
    snr: shellMean(grid, snrPerMode),
  };
}
