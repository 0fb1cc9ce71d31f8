/**
 * Gaussian random fields on periodic grids, drawn from a continuous power spectrum, in the whitened
 * ("non-centred") form field = F^-1[ sqrt(S_k / size) F[eps] ] with eps white, unit pixel variance.
 *
 * The grid spectrum S_k (numpy `fftn` layout) is the variance of the unnormalised fftn coefficients of
 * the field, <|X_k|^2> = S_k. For a continuous field of power spectrum P on a periodic box of side L in
 * D dimensions, sampled on n^D pixels (cell volume V_cell = (L/n)^D, box volume V = L^D),
 *
 *   S_k = P(|k|) V / V_cell^2 = P(|k|) n^(2D) / L^D,   |k| = 2 pi |m| / L  (m the integer wavenumber),
 *
 * because the continuous transform is V_cell X_k and <|field~(k)|^2> = V P(k). In 2-D (flat sky, L in
 * radians) P is the angular C_ell [sr] and ell = 2 pi |m| / L; in 3-D P(k) is in Mpc^3 with L in Mpc.
 * Check: white noise of pixel variance s^2 has C = s^2 V_cell and so S_k = n^D s^2, numpy's value. The
 * mean mode (m = 0) is set to zero variance (a field of zero mean over the box).
 */

import { CosmetaError } from '../errors.js';
import { FourierGrid } from '../math/fft.js';
import type { Random } from '../math/random.js';

/**
 * The grid spectrum S_k for a continuous spectrum `power(k)` on a box of side `side` (see the module
 * comment; units of k are 1/side, e.g. ell for side in radians, 1/Mpc for side in Mpc).
 */
export function gridSpectrum(grid: FourierGrid, side: number, power: (k: number) => number): Float64Array {
  if (!(side > 0)) throw new CosmetaError(`box side must be > 0, got ${side}`);
  const D = grid.shape.length;
  const n = grid.shape[0];
  if (grid.shape.some((m) => m !== n)) throw new CosmetaError(`grid spectrum: the grid must be a cube, got [${grid.shape.join(', ')}]`);
  const factor = n ** (2 * D) / side ** D;
  const s = new Float64Array(grid.size);
  grid.forEachMode((i, m) => {
    let m2 = 0;
    for (const c of m) m2 += c * c;
    if (m2 === 0) return;
    const p = power((2 * Math.PI * Math.sqrt(m2)) / side);
    if (!(p >= 0)) throw new CosmetaError(`power spectrum must be >= 0, got ${p} at k = ${(2 * Math.PI * Math.sqrt(m2)) / side}`);
    s[i] = p * factor;
  });
  return s;
}

/** A field of grid spectrum S_k in whitened form: colour(eps) = F^-1[sqrt(S_k/size) F[eps]]. */
export class GaussianField {
  readonly grid: FourierGrid;
  /** Variance of fftn coefficients, numpy layout. */
  readonly spectrum: Float64Array;
  /** sqrt(S_k / size): the colouring filter. */
  readonly amplitude: Float64Array;
  private readonly scratch: Float64Array;

  constructor(grid: FourierGrid, spectrum: Float64Array) {
    if (spectrum.length !== grid.size) throw new CosmetaError(`spectrum of length ${spectrum.length} for a grid of ${grid.size} points`);
    for (let i = 0; i < grid.size; i++) {
      if (!(spectrum[i] >= 0)) throw new CosmetaError(`spectrum must be >= 0, got ${spectrum[i]} at mode ${i}`);
      if (Math.abs(spectrum[i] - spectrum[grid.mirrorIndex(i)]) > 1e-12 * spectrum[i]) {
        throw new CosmetaError(`spectrum must satisfy S_k = S_-k (a real field); mode ${i} differs from its mirror`);
      }
    }
    this.grid = grid;
    this.spectrum = spectrum;
    this.amplitude = spectrum.map((s) => Math.sqrt(s / grid.size));
    this.scratch = grid.complex();
  }

  /** The field from white noise; the operator is symmetric, so this is also its adjoint. */
  colour(eps: ArrayLike<number>, out?: Float64Array): Float64Array {
    return this.grid.filter(eps, this.amplitude, out, this.scratch);
  }

  /** White noise of unit pixel variance. */
  white(rng: Random): Float64Array {
    const e = new Float64Array(this.grid.size);
    for (let i = 0; i < e.length; i++) e[i] = rng.normal();
    return e;
  }

  /** A draw of the field (and the white noise it came from). */
  draw(rng: Random): { eps: Float64Array; field: Float64Array } {
    const eps = this.white(rng);
    return { eps, field: this.colour(eps) };
  }

  /** Pixel variance of the field, sum_k S_k / size^2. */
  pixelVariance(): number {
    let v = 0;
    for (const s of this.spectrum) v += s;
    return v / (this.grid.size * this.grid.size);
  }
}

/** The integer-|m| shell 1 .. nb of a mode with integer wavenumbers m, or 0 outside them (the mean, the corners). */
export function shellOf(m: readonly number[], nb: number): number {
  let m2 = 0;
  for (const c of m) m2 += c * c;
  const j = Math.round(Math.sqrt(m2));
  return j >= 1 && j <= nb ? j : 0;
}

/**
 * Binned power of a real field in integer-|m| shells (bin j holds j - 1/2 <= |m| < j + 1/2): the mean of
 * |X_k|^2 (fftn units) over the shell and the number of modes. Returns bins 1 .. n/2.
 */
export function shellPower(grid: FourierGrid, field: ArrayLike<number>, other?: ArrayLike<number>): { m: Float64Array; power: Float64Array; count: Float64Array } {
  const X = grid.forward(field);
  const Y = other ? grid.forward(other) : X;
  const nb = grid.shape[0] / 2;
  const power = new Float64Array(nb + 1);
  const count = new Float64Array(nb + 1);
  grid.forEachMode((i, m) => {
    const j = shellOf(m, nb);
    if (j === 0) return;
    power[j] += X[2 * i] * Y[2 * i] + X[2 * i + 1] * Y[2 * i + 1];
    count[j] += 1;
  });
  for (let j = 1; j <= nb; j++) if (count[j] > 0) power[j] /= count[j];
  return { m: Float64Array.from({ length: nb }, (_, j) => j + 1), power: power.subarray(1), count: count.subarray(1) };
}
