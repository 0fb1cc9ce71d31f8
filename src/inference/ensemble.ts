/**
 * Affine-invariant ensemble sampler with the stretch move (Goodman & Weare 2010, Comm. App. Math. Comp.
 * Sci. 5, 65), in the parallel red-blue form of emcee (Foreman-Mackey et al. 2013, PASP 125, 306):
 * each step splits the walkers into two halves (a fresh random split every step, as emcee 3 does); every
 * walker x_k of the active half proposes y = x_j + z (x_k - x_j) with x_j drawn from the other half and
 * z from g(z) ~ 1/sqrt(z) on [1/a, a]; it is accepted with probability min(1, z^(d-1) p(y)/p(x_k)).
 * All proposals of a half are evaluated in one batched call.
 *
 * Optionally mixed with the differential-evolution move (ter Braak 2006, Stat. Comput. 16, 239; emcee's
 * DEMove, Nelson, Ford & Payne 2014, ApJS 210, 11): x_k proposes y = x_k + gamma (x_i - x_j) with x_i, x_j
 * two distinct walkers of the other half and gamma = 2.38 / sqrt(2 d) (1 + 0.1 N(0, 1)), or gamma = 1 in
 * one proposal of ten (ter Braak's jumps between modes); the proposal is symmetric (the pair (j, i) is as
 * likely as (i, j)), so it is accepted with probability min(1, p(y)/p(x_k)). The random gamma replaces
 * emcee's additive jitter of 1e-5, which would swamp parameters of order 1e-9 such as A_s. Each step (both
 * halves) uses one move, drawn with the mixture's weights; the stretch move alone draws nothing extra, so
 * its chains are unchanged by the option.
 */

import { CosmetaError } from '../errors.js';
import { Random } from '../math/random.js';
import type { ParameterSpec } from './priors.js';
import type { MarkovSampler } from './sampler.js';

/** ln probability of n points, row-major [n x dim]. */
export type BatchLogProb = (points: Float64Array, n: number) => Promise<Float64Array>;

export interface EnsembleState {
  /** Walker positions [walkers x dim]. */
  positions: Float64Array;
  logProb: Float64Array;
  /** Steps taken so far. */
  iteration: number;
  /** Accepted proposals per walker so far. */
  accepted: Float64Array;
}

/** Weights of the moves an ensemble step draws from (normalised; default stretch only). */
export interface EnsembleMoves {
  stretch?: number;
  de?: number;
}

export class EnsembleSampler implements MarkovSampler<EnsembleState> {
  private readonly half: Int32Array;
  private readonly proposals: Float64Array;
  private readonly zs: Float64Array;
  /** Probability of the DE move per step (0: stretch only, and no draw). */
  private readonly pDe: number;

  /**
   * @param a scale of the stretch distribution (emcee's default 2)
   * @param moves the move mixture (default stretch only)
   */
  constructor(
    private readonly logProb: BatchLogProb,
    readonly walkers: number,
    readonly dim: number,
    readonly a = 2,
    moves?: EnsembleMoves,
  ) {
    if (!Number.isInteger(walkers) || walkers < 2 * dim || walkers % 2 !== 0) {
      throw new CosmetaError(`walkers must be an even integer >= 2 x ${dim} parameters = ${2 * dim}, got ${walkers}`);
    }
    if (!(a > 1)) throw new CosmetaError(`stretch scale a must be > 1, got ${a}`);
    this.pDe = movesDeProbability(moves);
    if (this.pDe > 0 && walkers < 4) throw new CosmetaError(`the DE move needs at least 4 walkers (two distinct partners in the other half), got ${walkers}`);
    this.half = new Int32Array(walkers);
    this.proposals = new Float64Array((walkers / 2) * dim);
    this.zs = new Float64Array(walkers / 2);
  }

  /**
   * Initial walkers: each parameter at its fiducial value plus startSpread x N(0, 1), redrawn (up to 1000
   * times per walker) until the point has finite ln probability.
   */
  async initialState(specs: readonly ParameterSpec[], rng: Random): Promise<EnsembleState> {
    const { walkers, dim } = this;
    if (specs.length !== dim) throw new CosmetaError(`${specs.length} parameter specs for a ${dim}-dimensional sampler`);
    const positions = new Float64Array(walkers * dim);
    const logProb = new Float64Array(walkers).fill(Number.NEGATIVE_INFINITY);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const todo: number[] = [];
      for (let k = 0; k < walkers; k++) if (!(logProb[k] > Number.NEGATIVE_INFINITY)) todo.push(k);
      if (todo.length === 0) return { positions, logProb, iteration: 0, accepted: new Float64Array(walkers) };
      const pts = new Float64Array(todo.length * dim);
      todo.forEach((k, r) => {
        for (let d = 0; d < dim; d++) {
          const v = specs[d].fiducial + specs[d].startSpread * rng.normal();
          pts[r * dim + d] = v;
          positions[k * dim + d] = v;
        }
      });
      const lp = await this.logProb(pts, todo.length);
      todo.forEach((k, r) => {
        logProb[k] = Number.isNaN(lp[r]) ? Number.NEGATIVE_INFINITY : lp[r];
      });
    }
    throw new CosmetaError('could not start the walkers: 1000 draws around the fiducial point all had zero probability');
  }

  /** One ensemble step (both halves), updating the state in place. */
  async step(state: EnsembleState, rng: Random): Promise<void> {
    const { walkers, dim, a } = this;
    const n = walkers / 2;
    // emcee 3: inds = arange(W) % 2, shuffled every step.
    const half = this.half;
    for (let k = 0; k < walkers; k++) half[k] = k % 2;
    for (let k = walkers - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      const t = half[k];
      half[k] = half[j];
      half[j] = t;
    }
    const x = state.positions;
    const de = this.pDe > 0 && (this.pDe === 1 || rng.uniform() < this.pDe);
    const g0 = 2.38 / Math.sqrt(2 * dim);
    for (let split = 0; split < 2; split++) {
      const active: number[] = [];
      const other: number[] = [];
      for (let k = 0; k < walkers; k++) (half[k] === split ? active : other).push(k);
      const q = this.proposals;
      for (let i = 0; i < n; i++) {
        const k = active[i];
        if (de) {
          const ii = other[rng.int(n)];
          let jj = other[rng.int(n - 1)];
          if (jj === ii) jj = other[n - 1];
          const gamma = rng.uniform() < 0.1 ? 1 : g0 * (1 + 0.1 * rng.normal());
          for (let d = 0; d < dim; d++) q[i * dim + d] = x[k * dim + d] + gamma * (x[ii * dim + d] - x[jj * dim + d]);
          continue;
        }
        const u = rng.uniform();
        const zz = ((a - 1) * u + 1) ** 2 / a;
        this.zs[i] = zz;
        const j = other[rng.int(n)];
        for (let d = 0; d < dim; d++) q[i * dim + d] = x[j * dim + d] - zz * (x[j * dim + d] - x[k * dim + d]);
      }
      const lp = await this.logProb(q, n);
      for (let i = 0; i < n; i++) {
        const k = active[i];
        const lnpdiff = (de ? 0 : (dim - 1) * Math.log(this.zs[i])) + lp[i] - state.logProb[k];
        if (lnpdiff > Math.log(rng.uniform())) {
          for (let d = 0; d < dim; d++) x[k * dim + d] = q[i * dim + d];
          state.logProb[k] = lp[i];
          state.accepted[k] += 1;
        }
      }
    }
    state.iteration += 1;
  }
}

/** The DE move's share of a move mixture; a CosmetaError for negative, non-finite or all-zero weights. */
export function movesDeProbability(moves?: EnsembleMoves): number {
  if (!moves) return 0;
  const st = moves.stretch ?? 0;
  const de = moves.de ?? 0;
  if (!(Number.isFinite(st) && st >= 0 && Number.isFinite(de) && de >= 0 && st + de > 0)) {
    throw new CosmetaError(`ensemble moves: weights must be finite, >= 0 and not all zero, got stretch=${moves.stretch}, de=${moves.de}`);
  }
  return de / (st + de);
}
