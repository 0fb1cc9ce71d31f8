/**
 * The independent real degrees of freedom of a real field in Fourier space: for each pair (k, -k) of
 * distinct modes, Re X_k and Im X_k (each of variance S_k / 2 for a field of grid spectrum S_k), and for
 * each self-conjugate mode (k = -k: the mean and Nyquist modes) Re X_k alone (variance S_k). Posterior
 * statistics per mode are computed on these, which a stationary Gaussian posterior makes independent.
 */

import type { FourierGrid } from '../math/fft.js';

export interface RealMode {
  /** Index of k in numpy layout. */
  index: number;
  /** 0: Re X_k, 1: Im X_k. */
  part: 0 | 1;
  /** Variance of this part relative to S_k: 1/2, or 1 for a self-conjugate mode. */
  share: number;
}

/** The independent real parts of the modes of a grid (mean mode excluded). */
export function realModes(grid: FourierGrid): RealMode[] {
  const modes: RealMode[] = [];
  for (let i = 1; i < grid.size; i++) {
    const j = grid.mirrorIndex(i);
    if (j === i) modes.push({ index: i, part: 0, share: 1 });
    else if (i < j) modes.push({ index: i, part: 0, share: 0.5 }, { index: i, part: 1, share: 0.5 });
  }
  return modes;
}

/** The values of the real modes of one map (fftn coefficients). */
export function modeValues(grid: FourierGrid, map: ArrayLike<number>, modes: readonly RealMode[], scratch = grid.complex()): Float64Array {
  const X = grid.forward(map, scratch);
  return Float64Array.from(modes, (m) => X[2 * m.index + m.part]);
}
