/**
 * The ensemble sampler's settings of a config analysis (`sampler:` in the config), as `cosmeta mcmc --config`
 * and the web page run it; free of Node.
 */

import { CosmetaError } from '../errors.js';
import { DEFAULT_MCMC, type McmcSettings } from '../inference/chain-run.js';
import type { AnalysisConfig } from './config.js';
import type { AnalysisProblem } from './problem.js';

/** McmcSettings from the config's sampler block; the walkers must be even and >= 2 x the sampled parameters. */
export function analysisSamplerSettings(config: AnalysisConfig, problem: AnalysisProblem): McmcSettings {
  const s = config.sampler;
  const settings: McmcSettings = {
    ...DEFAULT_MCMC,
    walkers: s.walkers,
    seed: s.seed,
    maxSteps: s.max_steps,
    chunk: Math.min(s.chunk, s.max_steps),
    tauFactor: s.tau_factor,
    tauTolerance: s.tau_tolerance,
    burnIn: s.burn_in ?? Math.min(DEFAULT_MCMC.burnIn, Math.floor(s.max_steps / 4)),
    ...(s.moves ? { moves: { ...s.moves } } : {}),
  };
  if (settings.walkers < 2 * problem.parameters.length || settings.walkers % 2 !== 0) {
    throw new CosmetaError(`sampler.walkers: ${settings.walkers}; the ensemble sampler needs an even number >= 2 x ${problem.parameters.length} sampled parameters`);
  }
  return settings;
}
