/**
 * Mass matrices for HMC, as operators: draw p ~ N(0, M), the velocity M^-1 p, and the kinetic energy
 * p^T M^-1 p / 2.
 *
 * For fields, M is diagonal in Fourier space: with U = F / sqrt(size) (unitary, numpy's fftn F),
 * M = U^H diag(m_k) U on the grid part of the parameter vector, m_k = m_-k > 0 so that M is real and
 * symmetric; p = F^-1[sqrt(m_k) F z] with z white, M^-1 p = F^-1[F p / m_k]. Trailing scalar parameters
 * (e.g. ln A) get their own diagonal masses. With m_k the posterior precision of each whitened mode
 * (1 + S_k / N_k for a Gaussian field in white noise) every mode oscillates with the same period 2 pi,
 * and a trajectory of length pi/2 lands on an independent draw: HMC is then near-ideal.
 */

import { CosmetaError } from '../errors.js';
import type { FourierGrid } from '../math/fft.js';
import type { Random } from '../math/random.js';

export interface MassMatrix {
  readonly dim: number;
  /** p ~ N(0, M), into p. */
  drawMomentum(rng: Random, p: Float64Array): void;
  /** M^-1 p into out. */
  velocity(p: Float64Array, out: Float64Array): void;
  /** p^T M^-1 p / 2 (scratch receives M^-1 p). */
  kinetic(p: Float64Array, scratch: Float64Array): number;
}

/** A diagonal mass matrix in the coordinates themselves. */
export class DiagonalMass implements MassMatrix {
  readonly dim: number;
  constructor(readonly diagonal: Float64Array) {
    if (diagonal.some((m) => !(m > 0))) throw new CosmetaError('diagonal mass matrix: every entry must be > 0');
    this.dim = diagonal.length;
  }
  drawMomentum(rng: Random, p: Float64Array): void {
    for (let i = 0; i < this.dim; i++) p[i] = Math.sqrt(this.diagonal[i]) * rng.normal();
  }
  velocity(p: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dim; i++) out[i] = p[i] / this.diagonal[i];
  }
  kinetic(p: Float64Array, scratch: Float64Array): number {
    this.velocity(p, scratch);
    let k = 0;
    for (let i = 0; i < this.dim; i++) k += p[i] * scratch[i];
    return k / 2;
  }
}

/** Diagonal in Fourier space on the first grid.size entries, then diagonal masses for the scalars. */
export class FourierDiagonalMass implements MassMatrix {
  readonly dim: number;
  private readonly sqrtM: Float64Array;
  private readonly invM: Float64Array;
  private readonly scratch: Float64Array;
  private readonly z: Float64Array;

  /**
   * @param modeMass m_k for every mode of the grid (numpy layout), m_k = m_-k > 0
   * @param scalarMass masses of the trailing scalar parameters
   */
  constructor(
    readonly grid: FourierGrid,
    modeMass: Float64Array,
    readonly scalarMass: readonly number[] = [],
  ) {
    if (modeMass.length !== grid.size) throw new CosmetaError(`Fourier mass of ${modeMass.length} modes for a grid of ${grid.size}`);
    for (let i = 0; i < grid.size; i++) {
      if (!(modeMass[i] > 0) || modeMass[i] !== modeMass[grid.mirrorIndex(i)]) {
        throw new CosmetaError(`Fourier mass: m_k must be > 0 and equal m_-k; mode ${i} has ${modeMass[i]}`);
      }
    }
    if (scalarMass.some((m) => !(m > 0))) throw new CosmetaError(`scalar masses must be > 0, got [${scalarMass.join(', ')}]`);
    this.dim = grid.size + scalarMass.length;
    this.sqrtM = modeMass.map(Math.sqrt);
    this.invM = modeMass.map((m) => 1 / m);
    this.scratch = grid.complex();
    this.z = new Float64Array(grid.size);
  }

  drawMomentum(rng: Random, p: Float64Array): void {
    const n = this.grid.size;
    for (let i = 0; i < n; i++) this.z[i] = rng.normal();
    this.grid.filter(this.z, this.sqrtM, p.subarray(0, n), this.scratch);
    this.scalarMass.forEach((m, j) => {
      p[n + j] = Math.sqrt(m) * rng.normal();
    });
  }

  velocity(p: Float64Array, out: Float64Array): void {
    const n = this.grid.size;
    this.grid.filter(p.subarray(0, n), this.invM, out.subarray(0, n), this.scratch);
    this.scalarMass.forEach((m, j) => {
      out[n + j] = p[n + j] / m;
    });
  }

  kinetic(p: Float64Array, scratch: Float64Array): number {
    this.velocity(p, scratch);
    let k = 0;
    for (let i = 0; i < this.dim; i++) k += p[i] * scratch[i];
    return k / 2;
  }
}
