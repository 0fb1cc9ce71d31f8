/**
 * Worker that evaluates the shear forward model for blocks of parameter vectors. Initialised once with
 * the multipoles and model choices; each task carries its galaxy sample (cached by key, so repeated blocks
 * of one task reuse the prepared n(z)) and a row-major block of parameter vectors, and returns the data
 * vectors concatenated. Every spectrum is checked finite and positive.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { ShearTheory } from '../cosmology/theory.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { computeBlock } from '../data/block.js';
import { serveWorker } from './pool.js';

export interface TheoryWorkerInit {
  ell: Float64Array;
  linear: string;
  allowExtrapolation?: boolean;
  nonlinear: boolean;
  spin2: boolean;
  shiftConvention: 'paper' | 'additive';
  /** Accept negative spectra (intrinsic alignments); non-finite ones are still refused. */
  allowNegative?: boolean;
}

export interface TheoryTask {
  /** Identifies the galaxy sample; z and nz are used the first time a key is seen. */
  key: string;
  z: Float64Array;
  nz: Float64Array[];
  /** Parameter names and a row-major block of parameter vectors [count x names.length]. */
  names: string[];
  rows: Float64Array;
  /** Label for error messages (e.g. "task 3, samples 250-499"). */
  label: string;
}

const init = workerData as TheoryWorkerInit;
const model = loadLinearModel(init.linear, { allowExtrapolation: init.allowExtrapolation });
const cache = new Map<string, ShearTheory>();

function theoryFor(task: TheoryTask): ShearTheory {
  let t = cache.get(task.key);
  if (!t) {
    t = new ShearTheory({ z: task.z, nz: task.nz }, init.ell, {
      linear: model,
      nonlinear: init.nonlinear,
      spin2: init.spin2,
      shiftConvention: init.shiftConvention,
    });
    if (cache.size >= 4) cache.delete(cache.keys().next().value as string);
    cache.set(task.key, t);
  }
  return t;
}

if (parentPort) {
  serveWorker<TheoryTask, Float64Array>(parentPort, (task) => computeBlock(theoryFor(task), task.names, task.rows, task.label, init.allowNegative ?? false));
}
