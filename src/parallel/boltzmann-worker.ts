/**
 * Worker that runs the Boltzmann solver, one cosmology per task (for throughput on several cores).
 * Returns P and T flattened [iz * nk + ik] with the normalisation and step count.
 */

import { parentPort } from 'node:worker_threads';
import { solveBoltzmann, type BoltzmannInput, type BoltzmannSettings } from '../cosmology/boltzmann/index.js';
import { serveWorker } from './pool.js';

export interface BoltzmannTask {
  input: BoltzmannInput;
  k: Float64Array;
  z: Float64Array;
  settings?: Partial<BoltzmannSettings>;
}

export interface BoltzmannTaskResult {
  pk: Float64Array;
  transfer: Float64Array;
  A_s: number;
  sigma8: number;
  steps: number;
}

if (parentPort) {
  serveWorker<BoltzmannTask, BoltzmannTaskResult>(parentPort, (task) => {
    const r = solveBoltzmann(task.input, task.k, task.z, task.settings);
    const nk = task.k.length;
    const pk = new Float64Array(nk * task.z.length);
    const transfer = new Float64Array(nk * task.z.length);
    r.pk.forEach((row, iz) => pk.set(row, iz * nk));
    r.transfer.forEach((row, iz) => transfer.set(row, iz * nk));
    return { pk, transfer, A_s: r.A_s, sigma8: r.sigma8, steps: r.derived.steps };
  });
}
