/**
 * Ensemble chains in memory (no files; this runs in the browser too): the settings of `cosmeta mcmc`
 * and a fresh chain of a given length started exactly as runMcmc (inference/mcmc.ts) starts one, so the
 * same posterior, settings and seed give the same samples as the command for as many steps.
 */

import { Random } from '../math/random.js';
import type { Chain } from './chain-file.js';
import { EnsembleSampler, type EnsembleMoves } from './ensemble.js';
import type { Posterior } from './likelihood.js';

export interface McmcSettings {
  walkers: number;
  seed: number;
  /** Hard cap on the number of steps. */
  maxSteps: number;
  /** Steps between convergence checks and checkpoints (the paper ran chunks of 1000). */
  chunk: number;
  /** Converged when steps > tauFactor x tau for every parameter (paper: 50). */
  tauFactor: number;
  /** ... and every tau changed by less than this fraction since the previous check. */
  tauTolerance: number;
  /** Steps discarded as burn-in by later analyses (recorded in the file; the paper discarded 1000). */
  burnIn: number;
  /** Stretch-move scale. */
  a: number;
  /** Move mixture (ensemble.ts); absent: the stretch move only, as emcee's default. */
  moves?: EnsembleMoves;
}

export const DEFAULT_MCMC: Readonly<Omit<McmcSettings, 'seed'>> = Object.freeze({
  walkers: 76,
  maxSteps: 100_000,
  chunk: 1000,
  tauFactor: 50,
  tauTolerance: 0.05,
  burnIn: 1000,
  a: 2,
});

/**
 * Run a fresh chain of exactly `steps` steps (the seed's generator draws the initial ball, then every
 * step, as in runMcmc). `onStep` sees the chain after every step (await it to yield to a UI).
 */
export async function sampleChain(
  posterior: Posterior,
  settings: McmcSettings,
  steps: number,
  onStep?: (chain: Chain, acceptance: number) => void | Promise<void>,
): Promise<Chain> {
  const dim = posterior.dim;
  const W = settings.walkers;
  const sampler = new EnsembleSampler((p, n) => posterior.logProb(p, n), W, dim, settings.a, settings.moves);
  const rng = new Random(settings.seed);
  const state = await sampler.initialState(posterior.parameters, rng);
  const chain: Chain = {
    names: [...posterior.names],
    walkers: W,
    steps: 0,
    samples: new Float64Array(steps * W * dim),
    logProb: new Float64Array(steps * W),
    tauHistory: [],
    config: { parameters: posterior.names, settings },
    complete: false,
    converged: false,
    burnIn: settings.burnIn,
    state: { rng: rng.getState(), accepted: [] },
  };
  while (chain.steps < steps) {
    await sampler.step(state, rng);
    chain.samples.set(state.positions, chain.steps * W * dim);
    chain.logProb.set(state.logProb, chain.steps * W);
    chain.steps++;
    await onStep?.(chain, state.accepted.reduce((a, b) => a + b, 0) / (state.iteration * W));
  }
  chain.complete = true;
  chain.state = { rng: rng.getState(), accepted: Array.from(state.accepted) };
  return chain;
}
