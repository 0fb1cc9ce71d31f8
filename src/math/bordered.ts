/**
 * Direct solver for sparse matrices that are banded after a few "hub" unknowns are set aside: with the
 * unknowns reordered as (P-block in `order`, hubs), A = [[P, Q], [S, T]] where P is banded (kl sub-,
 * ku super-diagonals). Factorisation: banded LU of P with partial pivoting (LAPACK gbtrf's scheme),
 * W = P^-1 Q, and dense LU of the Schur complement T - S W (m x m). Cost O(n (kl + ku)^2 + m^2 n + m^3)
 * instead of O(n^3 / 3) for dense LU; entries of P outside the band are ignored (the caller's structure).
 *
 * Used by the implicit ODE integrators for systems such as Boltzmann hierarchies (tridiagonal chains
 * coupled through a handful of metric and fluid variables).
 */

import { CosmetaError } from '../errors.js';
import { luFactor, luSolve } from './lu.js';

/** A factor-then-solve linear solver on dense row-major n x n input. */
export interface LinearSolver {
  /** Factorise A (dense row-major); false when singular to working precision. */
  factor(a: Float64Array): boolean;
  /** Solve A x = b in place. */
  solve(b: Float64Array): void;
}

/** Dense LU with partial pivoting as a LinearSolver. */
export function denseSolver(n: number): LinearSolver {
  const m = new Float64Array(n * n);
  const piv = new Int32Array(n);
  return {
    factor(a) {
      m.set(a);
      return luFactor(m, n, piv);
    },
    solve(b) {
      luSolve(m, n, piv, b);
    },
  };
}

export class BorderedBandedSolver implements LinearSolver {
  private readonly n: number;
  private readonly p: number;
  private readonly m: number;
  private readonly order: Int32Array;
  private readonly hubs: Int32Array;
  private readonly kl: number;
  private readonly ku: number;
  private readonly w: number;
  private readonly ab: Float64Array; // banded LU of P, row r holds columns r - kl .. r + ku + kl
  private readonly piv: Int32Array;
  private readonly wq: Float64Array; // W = P^-1 Q, p x m (column-major: column h at h * p)
  private readonly s: Float64Array; // S, m x p
  private readonly sc: Float64Array; // Schur complement, m x m, then its LU
  private readonly scPiv: Int32Array;
  private readonly tmp: Float64Array;
  private readonly tmpH: Float64Array;

  constructor(n: number, hubs: ArrayLike<number>, order: ArrayLike<number>, kl: number, ku: number) {
    if (hubs.length + order.length !== n) throw new CosmetaError(`BorderedBandedSolver: ${hubs.length} hubs + ${order.length} banded unknowns != n = ${n}`);
    const seen = new Uint8Array(n);
    for (const v of [...Array.from(hubs), ...Array.from(order)]) {
      if (!(v >= 0 && v < n) || seen[v]) throw new CosmetaError(`BorderedBandedSolver: index ${v} is out of range or repeated`);
      seen[v] = 1;
    }
    this.n = n;
    this.m = hubs.length;
    this.p = order.length;
    this.order = Int32Array.from(order);
    this.hubs = Int32Array.from(hubs);
    this.kl = kl;
    this.ku = ku;
    this.w = 2 * kl + ku + 1;
    this.ab = new Float64Array(this.p * this.w);
    this.piv = new Int32Array(this.p);
    this.wq = new Float64Array(this.p * this.m);
    this.s = new Float64Array(this.m * this.p);
    this.sc = new Float64Array(this.m * this.m);
    this.scPiv = new Int32Array(this.m);
    this.tmp = new Float64Array(this.p);
    this.tmpH = new Float64Array(this.m);
  }

  factor(a: Float64Array): boolean {
    const { n, p, m, kl, ku, w, ab, order, hubs } = this;
    ab.fill(0);
    for (let r = 0; r < p; r++) {
      const row = order[r] * n;
      const lo = Math.max(0, r - kl);
      const hi = Math.min(p - 1, r + ku);
      for (let c = lo; c <= hi; c++) ab[r * w + c - r + kl] = a[row + order[c]];
    }
    if (!this.bandFactor()) return false;
    // W = P^-1 Q
    const col = this.tmp;
    for (let h = 0; h < m; h++) {
      const hc = hubs[h];
      for (let r = 0; r < p; r++) col[r] = a[order[r] * n + hc];
      this.bandSolve(col);
      this.wq.set(col, h * p);
    }
    // Schur complement T - S W
    for (let i = 0; i < m; i++) {
      const row = hubs[i] * n;
      for (let c = 0; c < p; c++) this.s[i * p + c] = a[row + order[c]];
      for (let j = 0; j < m; j++) {
        let v = a[row + hubs[j]];
        const wj = j * p;
        for (let c = 0; c < p; c++) v -= this.s[i * p + c] * this.wq[wj + c];
        this.sc[i * m + j] = v;
      }
    }
    return luFactor(this.sc, m, this.scPiv);
  }

  solve(b: Float64Array): void {
    const { p, m, order, hubs } = this;
    const z = this.tmp;
    for (let r = 0; r < p; r++) z[r] = b[order[r]];
    this.bandSolve(z);
    const xh = this.tmpH;
    for (let i = 0; i < m; i++) {
      let v = b[hubs[i]];
      for (let c = 0; c < p; c++) v -= this.s[i * p + c] * z[c];
      xh[i] = v;
    }
    luSolve(this.sc, m, this.scPiv, xh);
    for (let r = 0; r < p; r++) {
      let v = z[r];
      for (let j = 0; j < m; j++) v -= this.wq[j * p + r] * xh[j];
      b[order[r]] = v;
    }
    for (let i = 0; i < m; i++) b[hubs[i]] = xh[i];
  }

  /** In-place banded LU with partial pivoting (gbtrf's scheme: earlier multipliers stay in place). */
  private bandFactor(): boolean {
    const { p, kl, ku, w, ab, piv } = this;
    for (let k = 0; k < p; k++) {
      const last = Math.min(p - 1, k + kl);
      let q = k;
      let big = Math.abs(ab[k * w + kl]);
      for (let i = k + 1; i <= last; i++) {
        const v = Math.abs(ab[i * w + k - i + kl]);
        if (v > big) {
          big = v;
          q = i;
        }
      }
      piv[k] = q;
      if (big === 0 || !Number.isFinite(big)) return false;
      const jEnd = Math.min(p - 1, k + kl + ku);
      if (q !== k) {
        for (let j = k; j <= jEnd; j++) {
          const ik = k * w + j - k + kl;
          const iq = q * w + j - q + kl;
          const t = ab[ik];
          ab[ik] = ab[iq];
          ab[iq] = t;
        }
      }
      const inv = 1 / ab[k * w + kl];
      for (let i = k + 1; i <= last; i++) {
        const ii = i * w + k - i + kl;
        const l = ab[ii] * inv;
        ab[ii] = l;
        if (l === 0) continue;
        const di = i * w - i + kl;
        const dk = k * w - k + kl;
        for (let j = k + 1; j <= jEnd; j++) ab[di + j] -= l * ab[dk + j];
      }
    }
    return true;
  }

  private bandSolve(b: Float64Array): void {
    const { p, kl, ku, w, ab, piv } = this;
    for (let k = 0; k < p; k++) {
      const q = piv[k];
      if (q !== k) {
        const t = b[k];
        b[k] = b[q];
        b[q] = t;
      }
      const bk = b[k];
      if (bk === 0) continue;
      const last = Math.min(p - 1, k + kl);
      for (let i = k + 1; i <= last; i++) b[i] -= ab[i * w + k - i + kl] * bk;
    }
    for (let i = p - 1; i >= 0; i--) {
      const jEnd = Math.min(p - 1, i + kl + ku);
      const di = i * w - i + kl;
      let v = b[i];
      for (let j = i + 1; j <= jEnd; j++) v -= ab[di + j] * b[j];
      b[i] = v / ab[di + i];
    }
  }
}
