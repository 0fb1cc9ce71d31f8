/**
 * Hamiltonian Monte Carlo (Duane, Kennedy, Pendleton & Roweth 1987, Phys. Lett. B 195, 216; Neal 2011,
 * "MCMC using Hamiltonian dynamics", Handbook of MCMC, ch. 5) with a mass matrix M given as an operator
 * (diagonal, or diagonal in Fourier space for fields: see mass.ts), leapfrog integration (Neal 2011
 * eq. 5.18-5.20), and H(x, p) = -ln p(x) + p^T M^-1 p / 2.
 *
 * Step size: dual averaging during warm-up (Hoffman & Gelman 2014, JMLR 15, 1593, Algorithm 5, with their
 * gamma = 0.05, t0 = 10, kappa = 0.75, mu = ln(10 eps_0)) towards a target mean acceptance probability,
 * then fixed at the averaged value. Trajectory length: a target integration time T; each trajectory
 * takes round(T / eps x u) leapfrog steps, u uniform in [1 - jitter, 1 + jitter] (random trajectory
 * lengths avoid the periodic orbits of a fixed length, Neal 2011 sec. 5.4.2.2). A trajectory whose energy
 * error exceeds 1000 (or is not finite) is a divergence: rejected, and counted.
 */

import { CosmetaError, requireInteger } from '../errors.js';
import type { Random } from '../math/random.js';
import type { MassMatrix } from './mass.js';
import type { MarkovSampler } from './sampler.js';

/** A log density with its gradient: returns ln p(x) and, if grad is given, fills d ln p / dx. */
export interface DifferentiableDensity {
  readonly dim: number;
  logProb(x: Float64Array, grad?: Float64Array): number;
}

export interface HmcSettings {
  /** First step size (adapted during warm-up). */
  stepSize: number;
  /** Integration time T per trajectory (pi/2 is a half-period when M is the posterior precision). */
  trajectoryLength: number;
  /** Relative jitter of the number of leapfrog steps. */
  jitter: number;
  /** Target mean acceptance probability of the dual averaging. */
  targetAccept: number;
  /** Trajectories of warm-up (step-size adaptation). */
  warmup: number;
  /** Cap on leapfrog steps per trajectory. */
  maxLeapfrog: number;
}

export const DEFAULT_HMC: Readonly<HmcSettings> = Object.freeze({
  stepSize: 0.2,
  trajectoryLength: Math.PI / 2,
  jitter: 0.2,
  targetAccept: 0.8,
  warmup: 200,
  maxLeapfrog: 256,
});

export interface HmcState {
  position: Float64Array;
  gradient: Float64Array;
  logProb: number;
  /** Trajectories so far (warm-up included). */
  iteration: number;
  /** Accepted trajectories after warm-up, and the sum of acceptance probabilities after warm-up. */
  accepted: number;
  acceptProbSum: number;
  /** Divergent trajectories after warm-up (during it, the step-size search makes some by design). */
  divergences: number;
  /** Leapfrog steps (gradient evaluations) so far. */
  gradients: number;
  stepSize: number;
  /** Dual-averaging state. */
  adapt: { hBar: number; logEpsBar: number; mu: number; m: number };
}

export class HmcSampler implements MarkovSampler<HmcState> {
  readonly settings: HmcSettings;
  private readonly p: Float64Array;
  private readonly v: Float64Array;
  private readonly x: Float64Array;
  private readonly g: Float64Array;

  constructor(
    readonly target: DifferentiableDensity,
    readonly mass: MassMatrix,
    settings: Partial<HmcSettings> = {},
  ) {
    const s = (this.settings = { ...DEFAULT_HMC, ...settings });
    if (mass.dim !== target.dim) throw new CosmetaError(`mass matrix of dimension ${mass.dim} for a density of dimension ${target.dim}`);
    if (!(s.stepSize > 0)) throw new CosmetaError(`HMC step size must be > 0, got ${s.stepSize}`);
    if (!(s.trajectoryLength > 0)) throw new CosmetaError(`HMC trajectory length must be > 0, got ${s.trajectoryLength}`);
    if (!(s.jitter >= 0 && s.jitter < 1)) throw new CosmetaError(`HMC jitter must be in [0, 1), got ${s.jitter}`);
    if (!(s.targetAccept > 0 && s.targetAccept < 1)) throw new CosmetaError(`HMC target acceptance must be in (0, 1), got ${s.targetAccept}`);
    requireInteger('HMC warm-up', s.warmup, 0);
    requireInteger('HMC maximum leapfrog steps', s.maxLeapfrog, 1);
    const d = target.dim;
    this.p = new Float64Array(d);
    this.v = new Float64Array(d);
    this.x = new Float64Array(d);
    this.g = new Float64Array(d);
  }

  /** A state at x0 (which must have finite ln p). */
  initialState(x0: ArrayLike<number>): HmcState {
    const position = Float64Array.from(x0);
    if (position.length !== this.target.dim) throw new CosmetaError(`start of length ${position.length} for a density of dimension ${this.target.dim}`);
    const gradient = new Float64Array(position.length);
    const logProb = this.target.logProb(position, gradient);
    if (!Number.isFinite(logProb)) throw new CosmetaError(`HMC start has ln p = ${logProb}; start where the density is positive`);
    const eps = this.settings.stepSize;
    return {
      position,
      gradient,
      logProb,
      iteration: 0,
      accepted: 0,
      acceptProbSum: 0,
      divergences: 0,
      gradients: 1,
      stepSize: eps,
      adapt: { hBar: 0, logEpsBar: 0, mu: Math.log(10 * eps), m: 0 },
    };
  }

  /** True while the step size is still being adapted. */
  warming(state: HmcState): boolean {
    return state.iteration < this.settings.warmup;
  }

  /** One trajectory (updates the state in place). */
  step(state: HmcState, rng: Random): void {
    const { target, mass, p, v, x, g } = this;
    const s = this.settings;
    const warm = this.warming(state);
    const eps = state.stepSize;
    const u = 1 + s.jitter * (2 * rng.uniform() - 1);
    const nSteps = Math.max(1, Math.min(s.maxLeapfrog, Math.round((s.trajectoryLength / eps) * u)));
    mass.drawMomentum(rng, p);
    const h0 = -state.logProb + mass.kinetic(p, v);
    x.set(state.position);
    g.set(state.gradient);
    const d = x.length;
    let lp = state.logProb;
    for (let i = 0; i < d; i++) p[i] += 0.5 * eps * g[i];
    for (let t = 0; t < nSteps; t++) {
      mass.velocity(p, v);
      for (let i = 0; i < d; i++) x[i] += eps * v[i];
      lp = target.logProb(x, g);
      state.gradients += 1;
      if (!Number.isFinite(lp)) break;
      const f = t === nSteps - 1 ? 0.5 * eps : eps;
      for (let i = 0; i < d; i++) p[i] += f * g[i];
    }
    const dH = Number.isFinite(lp) ? -lp + mass.kinetic(p, v) - h0 : Number.POSITIVE_INFINITY;
    const divergent = !(dH < 1000);
    const accept = divergent ? 0 : Math.min(1, Math.exp(-dH));
    if (divergent && !warm) state.divergences += 1;
    if (!divergent && rng.uniform() < accept) {
      state.position.set(x);
      state.gradient.set(g);
      state.logProb = lp;
      if (!warm) state.accepted += 1;
    }
    if (warm) this.adapt(state, accept);
    else state.acceptProbSum += accept;
    state.iteration += 1;
  }

  /** Hoffman & Gelman 2014, Algorithm 5 (dual averaging of ln eps). */
  private adapt(state: HmcState, accept: number): void {
    const a = state.adapt;
    const gamma = 0.05;
    const t0 = 10;
    const kappa = 0.75;
    a.m += 1;
    const m = a.m;
    a.hBar = (1 - 1 / (m + t0)) * a.hBar + (this.settings.targetAccept - accept) / (m + t0);
    const logEps = a.mu - (Math.sqrt(m) / gamma) * a.hBar;
    const w = m ** -kappa;
    a.logEpsBar = w * logEps + (1 - w) * a.logEpsBar;
    state.stepSize = m >= this.settings.warmup ? Math.exp(a.logEpsBar) : Math.exp(logEps);
  }
}
