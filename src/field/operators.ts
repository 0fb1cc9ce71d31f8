/**
 * Pointwise and Fourier-space operators of the flat-sky lensing forward model, each with its adjoint.
 *
 * Kaiser-Squires (Kaiser & Squires 1993, ApJ 404, 441; flat-sky shear from convergence, e.g. eq. 2.6 of
 * Jeffrey et al. 2018, MNRAS 479, 2871): gamma~(l) = D(l) kappa~(l) with
 * D = (l1^2 - l2^2 + 2 i l1 l2) / l^2, so gamma_1 = F^-1[c F kappa], gamma_2 = F^-1[s F kappa] with the
 * real, even filters c = (l1^2 - l2^2)/l^2, s = 2 l1 l2 / l^2 (zero at l = 0, and s zero on the Nyquist
 * row and column where it would not be even). Even real filters are symmetric operators, so the adjoint
 * is (g1, g2) -> F^-1[c F g1 + s F g2].
 *
 * Lognormal convergence (Hilbert et al. 2011, A&A 536, A85; Clerkin et al. 2017, MNRAS 466, 1444):
 * kappa = lambda (exp(g - sigma_g^2 / 2) - 1) of a Gaussian field g of pixel variance sigma_g^2, with
 * shift lambda (the minimum convergence is -lambda); <kappa> = 0.
 */

import { FourierGrid } from '../math/fft.js';

/** Shear filters c_k, s_k of Kaiser-Squires on a 2-D grid (numpy layout); axis 0 is l1, axis 1 is l2. */
export function kaiserSquiresFilters(grid: FourierGrid): { c: Float64Array; s: Float64Array } {
  const c = new Float64Array(grid.size);
  const s = new Float64Array(grid.size);
  const [n0, n1] = grid.shape;
  grid.forEachMode((i, m) => {
    const [l1, l2] = m;
    const l2sum = l1 * l1 + l2 * l2;
    if (l2sum === 0) return;
    c[i] = (l1 * l1 - l2 * l2) / l2sum;
    const nyquist = l1 === -n0 / 2 || l2 === -n1 / 2;
    s[i] = nyquist ? 0 : (2 * l1 * l2) / l2sum;
  });
  return { c, s };
}

export class KaiserSquires {
  readonly c: Float64Array;
  readonly s: Float64Array;
  private readonly scratch: Float64Array;
  private readonly tmp: Float64Array;

  constructor(readonly grid: FourierGrid) {
    ({ c: this.c, s: this.s } = kaiserSquiresFilters(grid));
    this.scratch = grid.complex();
    this.tmp = grid.complex();
  }

  /** gamma_1, gamma_2 from kappa (real maps). */
  apply(kappa: ArrayLike<number>, g1: Float64Array = new Float64Array(this.grid.size), g2: Float64Array = new Float64Array(this.grid.size)): [Float64Array, Float64Array] {
    const K = this.grid.forward(kappa, this.scratch);
    const t = this.tmp;
    for (let i = 0; i < this.grid.size; i++) {
      t[2 * i] = this.s[i] * K[2 * i];
      t[2 * i + 1] = this.s[i] * K[2 * i + 1];
      K[2 * i] *= this.c[i];
      K[2 * i + 1] *= this.c[i];
    }
    this.grid.transformInPlace(K, true);
    this.grid.transformInPlace(t, true);
    for (let i = 0; i < this.grid.size; i++) {
      g1[i] = K[2 * i];
      g2[i] = t[2 * i];
    }
    return [g1, g2];
  }

  /** The adjoint: kappa-bar = F^-1[c F g1 + s F g2]. */
  adjoint(g1: ArrayLike<number>, g2: ArrayLike<number>, out: Float64Array = new Float64Array(this.grid.size)): Float64Array {
    const A = this.grid.forward(g1, this.scratch);
    const B = this.grid.forward(g2, this.tmp);
    for (let i = 0; i < this.grid.size; i++) {
      A[2 * i] = this.c[i] * A[2 * i] + this.s[i] * B[2 * i];
      A[2 * i + 1] = this.c[i] * A[2 * i + 1] + this.s[i] * B[2 * i + 1];
    }
    this.grid.transformInPlace(A, true);
    for (let i = 0; i < this.grid.size; i++) out[i] = A[2 * i];
    return out;
  }
}

/**
 * Lognormal transform kappa = lambda (exp(g - v/2) - 1), with v the Gaussian pixel variance, and its
 * derivative dkappa/dg = lambda exp(g - v/2) (pointwise; the Jacobian is diagonal, so its own adjoint).
 */
export function lognormal(g: ArrayLike<number>, variance: number, shift: number, kappa: Float64Array, dkappa: Float64Array): void {
  const h = variance / 2;
  for (let i = 0; i < g.length; i++) {
    const e = shift * Math.exp(g[i] - h);
    kappa[i] = e - shift;
    dkappa[i] = e;
  }
}
