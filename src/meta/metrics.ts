/**
 * Emulator accuracy exactly as arXiv:2504.00552 measures it: the absolute percentage error in linear C_ell,
 * APE = |C_true - C_pred| / C_true x 100, averaged over test samples and data-vector elements (MAPE), and
 * the failure rate f5, the fraction of test samples whose mean APE exceeds 5%.
 */

import { CosmetaError } from '../errors.js';

export interface Accuracy {
  /** Mean APE over samples and elements, in percent. */
  mape: number;
  /** Fraction of samples with mean APE > 5%. */
  f5: number;
  /** Largest per-sample mean APE, in percent. */
  maxApe: number;
  /** Number of test samples. */
  n: number;
}

/** Accuracy of predictions against true spectra, both [n x d], row-major. */
export function accuracy(truth: ArrayLike<number>, pred: ArrayLike<number>, n: number, d: number): Accuracy {
  if (truth.length < n * d || pred.length < n * d) throw new CosmetaError(`accuracy: expected ${n} x ${d} values, got ${truth.length} true and ${pred.length} predicted`);
  if (n < 1) throw new CosmetaError('accuracy: no test samples');
  let total = 0;
  let failures = 0;
  let maxApe = 0;
  for (let s = 0; s < n; s++) {
    let ape = 0;
    for (let j = 0; j < d; j++) {
      const t = truth[s * d + j];
      ape += (100 * Math.abs(t - pred[s * d + j])) / Math.abs(t);
    }
    ape /= d;
    total += ape;
    if (ape > 5) failures++;
    if (ape > maxApe) maxApe = ape;
  }
  return { mape: total / n, f5: failures / n, maxApe, n };
}
