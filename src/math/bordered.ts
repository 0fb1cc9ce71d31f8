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
  /**
   * Factorise A = shift I - J for the dense row-major J (implicit integrators' stage matrices; shift = 0
   * and J = -A factorises a given A); false when singular to working precision.
   */
  factor(j: Float64Array, shift: number): boolean;
  /** Solve A x = b in place. */
  solve(b: Float64Array): void;
}

/** Dense LU with partial pivoting as a LinearSolver. */
export function denseSolver(n: number): LinearSolver {
  const m = new Float64Array(n * n);
  const piv = new Int32Array(n);
  return {
    factor(j, shift) {
      for (let i = 0; i < n * n; i++) m[i] = -j[i];
      for (let i = 0; i < n; i++) m[i * n + i] += shift;
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
  private readonly sc: Float64Array; // Schur complement, m x m, then its LU
  private readonly scPiv: Int32Array;
  private readonly tmp: Float64Array;
  private readonly tmpH: Float64Array;
  // nonzeros of S (hub rows, banded columns): row start offsets, column indices, values
  private readonly sStart: Int32Array;
  private readonly sCol: Int32Array;
  private readonly sVal: Float64Array;
  private readonly qZero: Uint8Array;
  // rows of W's column h outside [wLo[h], wHi[h]) are zero (W couples a hub only to its own chains)
  private readonly wLo: Int32Array;
  private readonly wHi: Int32Array;

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
    this.sc = new Float64Array(this.m * this.m);
    this.scPiv = new Int32Array(this.m);
    this.tmp = new Float64Array(this.p);
    this.tmpH = new Float64Array(this.m);
    this.sStart = new Int32Array(this.m + 1);
    this.sCol = new Int32Array(this.m * this.p);
    this.sVal = new Float64Array(this.m * this.p);
    this.qZero = new Uint8Array(this.m);
    this.wLo = new Int32Array(this.m);
    this.wHi = new Int32Array(this.m);
  }

  factor(j: Float64Array, shift: number): boolean {
    const { n, p, m, kl, ku, w, ab, order, hubs } = this;
    // A = shift I - J, read entry by entry (never formed)
    ab.fill(0);
    for (let r = 0; r < p; r++) {
      const lo = Math.max(0, r - kl);
      const hi = Math.min(p - 1, r + ku);
      const row = order[r] * n;
      for (let c = lo; c <= hi; c++) ab[r * w + c - r + kl] = -j[row + order[c]];
      ab[r * w + kl] += shift;
    }
    if (!this.bandFactor()) return false;
    // W = P^-1 Q (columns of Q that vanish give W columns of zeros)
    const col = this.tmp;
    const wq = this.wq;
    for (let h = 0; h < m; h++) {
      const hc = hubs[h];
      let any = false;
      for (let r = 0; r < p; r++) {
        const v = -j[order[r] * n + hc];
        col[r] = v;
        if (v !== 0) any = true;
      }
      this.qZero[h] = any ? 0 : 1;
      if (any) this.bandSolve(col);
      wq.set(col, h * p);
      let lo = 0;
      let hi = p;
      while (lo < hi && col[lo] === 0) lo++;
      while (hi > lo && col[hi - 1] === 0) hi--;
      this.wLo[h] = lo;
      this.wHi[h] = hi;
    }
    // S in compressed rows, then the Schur complement T - S W
    let nnz = 0;
    for (let i = 0; i < m; i++) {
      this.sStart[i] = nnz;
      const row = hubs[i] * n;
      for (let c = 0; c < p; c++) {
        const v = -j[row + order[c]];
        if (v !== 0) {
          this.sCol[nnz] = c;
          this.sVal[nnz++] = v;
        }
      }
    }
    this.sStart[m] = nnz;
    for (let i = 0; i < m; i++) {
      const e0 = this.sStart[i];
      const e1 = this.sStart[i + 1];
      for (let h = 0; h < m; h++) {
        let v = -j[hubs[i] * n + hubs[h]];
        if (i === h) v += shift;
        if (this.qZero[h] === 0) {
          const wh = h * p;
          for (let e = e0; e < e1; e++) v -= this.sVal[e] * wq[wh + this.sCol[e]];
        }
        this.sc[i * m + h] = v;
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
      for (let e = this.sStart[i]; e < this.sStart[i + 1]; e++) v -= this.sVal[e] * z[this.sCol[e]];
      xh[i] = v;
    }
    luSolve(this.sc, m, this.scPiv, xh);
    // z -= W x_hubs, over each column's nonzero rows only (the rows skipped would subtract exact zeros)
    const { wq, wLo, wHi } = this;
    for (let j = 0; j < m; j++) {
      if (this.qZero[j] === 1) continue;
      const x = xh[j];
      const wj = j * p;
      for (let r = wLo[j], end = wHi[j]; r < end; r++) z[r] -= wq[wj + r] * x;
    }
    for (let r = 0; r < p; r++) b[order[r]] = z[r];
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
