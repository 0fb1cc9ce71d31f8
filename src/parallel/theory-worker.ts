/**
 * Worker that evaluates the shear forward model for batches of parameter sets. Initialised once with
 * the survey (n(z), multipoles, model names); each task is a list of parameter sets and returns their
 * data vectors concatenated in one Float64Array.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { ShearNuisance } from '../cosmology/limber.js';
import type { CosmologyInput } from '../cosmology/params.js';
import { ShearTheory } from '../cosmology/theory.js';
import { linearModel } from '../cosmology/transfer/index.js';
import { serveWorker } from './pool.js';

export interface TheoryWorkerInit {
  z: Float64Array;
  nz: Float64Array[];
  ell: Float64Array;
  linear: string;
  allowExtrapolation?: boolean;
  nonlinear: boolean;
  spin2: boolean;
  shiftConvention: 'paper' | 'additive';
}

export interface TheoryTask {
  params: Array<{ cosmology: CosmologyInput; nuisance?: ShearNuisance }>;
}

const init = workerData as TheoryWorkerInit;
const theory = new ShearTheory({ z: init.z, nz: init.nz }, init.ell, {
  linear: linearModel(init.linear, { allowExtrapolation: init.allowExtrapolation }),
  nonlinear: init.nonlinear,
  spin2: init.spin2,
  shiftConvention: init.shiftConvention,
});

if (parentPort) {
  serveWorker<TheoryTask, Float64Array>(parentPort, (task) => {
    const n = theory.spectra.size;
    const out = new Float64Array(task.params.length * n);
    task.params.forEach((p, i) => theory.compute(p.cosmology, p.nuisance ?? {}, out.subarray(i * n, (i + 1) * n)));
    return out;
  });
}
