/**
 * Running an ensemble chain to convergence: steps in chunks; after each chunk the integrated
 * autocorrelation time tau of every parameter is estimated on the whole chain, the chain is checkpointed
 * to `OUT.partial`, and the run stops when it is longer than `tauFactor` x tau for every parameter (the
 * paper used 50) with tau stable to `tauTolerance` since the previous check, or at `maxSteps`. Rerunning
 * with the same configuration after an interruption (even kill -9) continues from the last checkpoint and
 * gives the same chain as an uninterrupted run; the complete chain then appears at OUT.
 */

import { existsSync, rmSync } from 'node:fs';
import { CosmetaError, requireInteger } from '../errors.js';
import { Random } from '../math/random.js';
import { integratedTime } from './autocorr.js';
import { readChain, writeChain, type Chain } from './chain-file.js';
import { EnsembleSampler, type EnsembleState } from './ensemble.js';
import type { Posterior } from './likelihood.js';
import type { DerivedParameter } from './priors.js';
import type { McmcSettings } from './chain-run.js';

export { DEFAULT_MCMC, type McmcSettings } from './chain-run.js';

export interface McmcProgress {
  step: number;
  maxSteps: number;
  acceptance: number;
  /** Largest tau at the last check (NaN before the first). */
  tauMax: number;
  resumedFrom: number;
}

export interface McmcOptions {
  /** Identifies the run (problem, model, ...): a partial file from a different description is refused. */
  description: Record<string, unknown>;
  onProgress?: (p: McmcProgress) => void;
  /** Called after each checkpoint is written (tests use it to interrupt a run). */
  onCheckpoint?: (step: number) => void;
  /** Derived parameters stored with the chain (default Omega_m, S8 where their inputs are sampled). */
  derived?: readonly DerivedParameter[];
}

export interface McmcResult {
  chain: Chain;
  converged: boolean;
  tau: number[];
  acceptance: number;
  seconds: number;
}

function validate(s: McmcSettings): void {
  const int = requireInteger;
  int('walkers', s.walkers, 2);
  int('max steps', s.maxSteps, 1);
  int('chunk', s.chunk, 1);
  int('burn-in', s.burnIn, 0);
  if (!(s.tauFactor > 0)) throw new CosmetaError(`tau factor must be > 0, got ${s.tauFactor}`);
  if (!(s.tauTolerance > 0)) throw new CosmetaError(`tau tolerance must be > 0, got ${s.tauTolerance}`);
}

/** Run (or resume) a chain to convergence, writing OUT atomically at the end. */
export async function runMcmc(posterior: Posterior, settings: McmcSettings, out: string, options: McmcOptions): Promise<McmcResult> {
  validate(settings);
  const t0 = performance.now();
  const dim = posterior.dim;
  const W = settings.walkers;
  const sampler = new EnsembleSampler((p, n) => posterior.logProb(p, n), W, dim, settings.a, settings.moves);
  const config = { ...options.description, parameters: posterior.names, settings };
  const partial = `${out}.partial`;

  let chain: Chain;
  let state: EnsembleState;
  let rng: Random;
  let resumedFrom = 0;
  const capacity = (steps: number) => Math.min(settings.maxSteps, Math.max(steps, 1) + settings.chunk);
  if (existsSync(partial)) {
    const prev = await readChain(partial);
    // The cap may change between runs (to extend a chain); everything else must match.
    const identity = (c: Record<string, unknown>) => JSON.stringify({ ...c, settings: { ...(c.settings as object), maxSteps: 0 } });
    if (identity(prev.config) !== identity(config)) {
      throw new CosmetaError(`${partial} holds a chain with a different configuration; rerun with the same arguments, or delete it`);
    }
    chain = { ...prev, config };
    resumedFrom = prev.steps;
    const last = prev.steps - 1;
    state = {
      positions: prev.samples.slice(last * W * dim, (last + 1) * W * dim),
      logProb: prev.logProb.slice(last * W, (last + 1) * W),
      iteration: prev.steps,
      accepted: Float64Array.from(prev.state.accepted),
    };
    rng = Random.fromState(prev.state.rng);
  } else {
    rng = new Random(settings.seed);
    state = await sampler.initialState(posterior.parameters, rng);
    chain = {
      names: [...posterior.names],
      walkers: W,
      steps: 0,
      samples: new Float64Array(0),
      logProb: new Float64Array(0),
      tauHistory: [],
      config,
      complete: false,
      converged: false,
      burnIn: settings.burnIn,
      state: { rng: rng.getState(), accepted: [] },
    };
  }

  const grow = (steps: number) => {
    const cap = capacity(steps);
    if (chain.samples.length >= cap * W * dim) return;
    const s = new Float64Array(cap * W * dim);
    s.set(chain.samples.subarray(0, chain.steps * W * dim));
    const l = new Float64Array(cap * W);
    l.set(chain.logProb.subarray(0, chain.steps * W));
    chain.samples = s;
    chain.logProb = l;
  };

  const acceptance = () => state.accepted.reduce((a, b) => a + b, 0) / Math.max(1, state.iteration * W);
  const lastTau = () => chain.tauHistory.at(-1)?.tau ?? [];
  const report = () =>
    options.onProgress?.({
      step: chain.steps,
      maxSteps: settings.maxSteps,
      acceptance: acceptance(),
      tauMax: lastTau().length ? Math.max(...lastTau()) : Number.NaN,
      resumedFrom,
    });
  const isConverged = () => {
    const h = chain.tauHistory;
    if (h.length < 2 || chain.steps <= settings.burnIn) return false;
    const tau = h[h.length - 1].tau;
    const prev = h[h.length - 2].tau;
    return tau.every((t, d) => Number.isFinite(t) && chain.steps > settings.tauFactor * t && Math.abs(t - prev[d]) < settings.tauTolerance * t);
  };

  report();
  let converged = chain.converged;
  while (!converged && chain.steps < settings.maxSteps) {
    const target = Math.min(settings.maxSteps, (Math.floor(chain.steps / settings.chunk) + 1) * settings.chunk);
    grow(target);
    while (chain.steps < target) {
      await sampler.step(state, rng);
      chain.samples.set(state.positions, chain.steps * W * dim);
      chain.logProb.set(state.logProb, chain.steps * W);
      chain.steps++;
      report();
    }
    const tau = integratedTime(chain.samples, chain.steps, W, dim);
    chain.tauHistory.push({ step: chain.steps, tau: Array.from(tau) });
    converged = isConverged();
    chain.converged = converged;
    chain.state = { rng: rng.getState(), accepted: Array.from(state.accepted) };
    await writeChain(partial, chain, options.derived);
    report();
    options.onCheckpoint?.(chain.steps);
  }
  chain.complete = true;
  await writeChain(out, chain, options.derived);
  rmSync(partial, { force: true });
  return { chain, converged, tau: lastTau(), acceptance: acceptance(), seconds: (performance.now() - t0) / 1000 };
}
