/**
 * The interface every Markov-chain sampler shares (the ensemble sampler, HMC): a `step` that advances a
 * state in place with an explicit random generator; `sample` is a generator yielding the state after
 * each kept step (emcee's `sample()`), `runSampler` a thin loop over it (emcee's `run_mcmc`), so callers
 * can watch, thin and checkpoint without the sampler knowing about storage.
 */

import { requireInteger } from '../errors.js';
import type { Random } from '../math/random.js';

export interface MarkovSampler<S> {
  /** Advance `state` by one step (one ensemble sweep, one HMC trajectory). */
  step(state: S, rng: Random): void | Promise<void>;
}

/** Yield the state after every `thin`-th of `steps` steps (the same object, updated in place). */
export async function* sample<S>(sampler: MarkovSampler<S>, state: S, rng: Random, steps: number, thin = 1): AsyncGenerator<S> {
  requireInteger('steps', steps, 0);
  requireInteger('thin', thin, 1);
  for (let i = 1; i <= steps; i++) {
    await sampler.step(state, rng);
    if (i % thin === 0) yield state;
  }
}

/** Run `steps` steps, calling onState(state, step) after each kept one; returns the final state. */
export async function runSampler<S>(sampler: MarkovSampler<S>, state: S, rng: Random, steps: number, onState?: (state: S, step: number) => void, thin = 1): Promise<S> {
  let k = 0;
  for await (const s of sample(sampler, state, rng, steps, thin)) onState?.(s, (k += thin));
  return state;
}
