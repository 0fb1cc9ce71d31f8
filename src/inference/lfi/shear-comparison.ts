/**
 * BOLFI on the Wishart cosmic-shear simulator against the exact-likelihood posterior: the observation is
 * one Wishart draw at the fiducial point; the exact posterior (flat prior x Wishart likelihood) is sampled
 * with the ensemble sampler, BOLFI sees only MOPED summaries of simulations; the two are compared by the
 * Bhattacharyya distance (compare.ts), Gaussian and histogram estimates.
 */

import { deriveSeed, Random } from '../../math/random.js';
import { compareSamples, type Comparison, type Samples } from '../compare.js';
import { EnsembleSampler } from '../ensemble.js';
import type { AcquisitionName } from './acquisition.js';
import { runBolfi, type BolfiResult } from './bolfi.js';
import { defaultWishartSettings, WishartShear, wishartShearProblem } from './wishart-shear.js';

export interface ShearComparisonOptions {
  seed: number;
  budget: number;
  acquisition?: AcquisitionName;
  /** Exact chain: walkers (default 16), steps after burn-in (default 1500), burn-in (default 500). */
  walkers?: number;
  steps?: number;
  burnIn?: number;
  onSimulation?: (done: number, budget: number) => void;
}

export interface ShearComparison {
  names: string[];
  exact: { samples: Samples; likelihoodCalls: number; acceptance: number; seconds: number };
  bolfi: { result: BolfiResult; samples: Samples; seconds: number };
  comparison: Comparison;
}

function toSamples(names: string[], flat: Float64Array, rows: number): Samples {
  const d = names.length;
  return { names: [...names], columns: names.map((_, j) => Float64Array.from({ length: rows }, (_, r) => flat[r * d + j])) };
}

/** Sample the exact posterior (flat prior x Wishart likelihood) and count the likelihood calls. */
export async function sampleExactShear(model: WishartShear, observed: readonly Float64Array[], o: { seed: number; walkers?: number; steps?: number; burnIn?: number }) {
  const d = model.names.length;
  const walkers = o.walkers ?? 16;
  const steps = o.steps ?? 1500;
  const burnIn = o.burnIn ?? 500;
  let calls = 0;
  const sampler = new EnsembleSampler(
    async (pts, m) => {
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        const t = pts.subarray(i * d, (i + 1) * d);
        if (!model.inPrior(t)) {
          out[i] = Number.NEGATIVE_INFINITY;
          continue;
        }
        calls++;
        out[i] = model.logLikelihood(t, observed);
      }
      return out;
    },
    walkers,
    d,
  );
  const specs = model.settings.parameters.map((q) => ({
    name: q.name,
    prior: { kind: 'flat' as const, min: q.min, max: q.max },
    fiducial: model.settings.truth[q.name],
    startSpread: 0.002 * (q.max - q.min),
  }));
  const rng = new Random(deriveSeed(o.seed, 11));
  const state = await sampler.initialState(specs, rng);
  for (let s = 0; s < burnIn; s++) await sampler.step(state, rng);
  state.accepted.fill(0);
  const flat = new Float64Array(walkers * steps * d);
  for (let s = 0; s < steps; s++) {
    await sampler.step(state, rng);
    flat.set(state.positions, s * walkers * d);
  }
  const acceptance = state.accepted.reduce((a, b) => a + b, 0) / (walkers * steps);
  return { samples: toSamples(model.names, flat, walkers * steps), likelihoodCalls: calls, acceptance };
}

export async function runShearComparison(o: ShearComparisonOptions): Promise<ShearComparison> {
  const model = new WishartShear(defaultWishartSettings());
  const truth = model.names.map((n) => model.settings.truth[n]);
  const observed = model.simulate(truth, new Random(deriveSeed(o.seed, 10)));
  const t0 = performance.now();
  const exact = await sampleExactShear(model, observed, o);
  const t1 = performance.now();
  const { problem } = wishartShearProblem(model, observed);
  const result = await runBolfi(problem, {
    budget: o.budget,
    seed: o.seed,
    acquisition: o.acquisition ?? 'lcb',
    likelihood: 'noncentral-chi',
    onSimulation: o.onSimulation,
  });
  const t2 = performance.now();
  const bolfiSamples = toSamples(model.names, result.samples, result.rows);
  return {
    names: model.names,
    exact: { ...exact, seconds: (t1 - t0) / 1000 },
    bolfi: { result, samples: bolfiSamples, seconds: (t2 - t1) / 1000 },
    comparison: compareSamples(exact.samples, bolfiSamples),
  };
}
