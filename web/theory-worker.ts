/**
 * A Web Worker computing shear spectra for blocks of parameter vectors with the theory engine, as
 * parallel/theory-worker.ts does under Node (the same ShearTheory and computeBlock, the defaults of
 * TheoryModel: the default linear P(k) (boltzmann_emulated, its emulator fetched once from the page's
 * folder), halofit, spin-2 prefactor, the paper's shift convention).
 */

import { computeBlock, DEFAULT_LINEAR_MODEL, linearModel, ShearTheory } from '../src/browser.js';
import { linearOptions } from './linear.js';
import type { TheoryJob, TheoryReply } from './protocol.js';

/** Rows per progress message. */
const BATCH = 2;

self.onmessage = async (e: MessageEvent<TheoryJob>) => {
  const job = e.data;
  const post = (m: TheoryReply) => (self as unknown as Worker).postMessage(m);
  try {
    const linear = linearModel(DEFAULT_LINEAR_MODEL, { ...(await linearOptions(DEFAULT_LINEAR_MODEL)), allowExtrapolation: false });
    const theory = new ShearTheory({ z: job.z, nz: job.nz }, job.ell, { linear, nonlinear: true, spin2: true, shiftConvention: 'paper' });
    const P = job.names.length;
    const n = job.rows.length / P;
    const out = new Float64Array(n * theory.spectra.size);
    for (let a = 0; a < n; a += BATCH) {
      const b = Math.min(n, a + BATCH);
      const label = `spectra ${job.first + a}-${job.first + b - 1}`;
      out.set(computeBlock(theory, job.names, job.rows.subarray(a * P, b * P), label, false), a * theory.spectra.size);
      post({ kind: 'progress', done: b - a });
    }
    post({ kind: 'done', spectra: out });
  } catch (err) {
    post({ kind: 'error', message: (err as Error).message });
  }
};
