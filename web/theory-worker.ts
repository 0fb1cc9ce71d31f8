/**
 * A Web Worker computing shear spectra for blocks of parameter vectors with the theory engine, as
 * parallel/theory-worker.ts does under Node (the same ShearTheory and computeBlock). Without `settings`, the
 * defaults of TheoryModel: the default linear P(k) (boltzmann_emulated, its emulator fetched once from the
 * page's folder), halofit, spin-2 prefactor, the paper's shift convention; a survey analysis sends its
 * config's. A worker that serves many jobs (the survey sampler's, one per step) keeps the ShearTheory of
 * the last sample and settings.
 */

import { computeBlock, DEFAULT_LINEAR_MODEL, linearModel, ShearTheory } from '../src/browser.js';
import { linearOptions } from './linear.js';
import type { TheoryJob, TheoryReply } from './protocol.js';

/** Rows per progress message. */
const BATCH = 2;

let cached: { key: string; theory: ShearTheory } | null = null;

async function theoryFor(job: TheoryJob): Promise<ShearTheory> {
  const s = job.settings ?? { linear: DEFAULT_LINEAR_MODEL, nonlinear: true, spin2: true, shiftConvention: 'paper' as const, allowNegative: false };
  if (job.key !== undefined && cached?.key === job.key) return cached.theory;
  const linear = linearModel(s.linear, { ...(await linearOptions(s.linear)), allowExtrapolation: false });
  const theory = new ShearTheory({ z: job.z, nz: job.nz }, job.ell, { linear, nonlinear: s.nonlinear, spin2: s.spin2, shiftConvention: s.shiftConvention });
  if (job.key !== undefined) cached = { key: job.key, theory };
  return theory;
}

self.onmessage = async (e: MessageEvent<TheoryJob>) => {
  const job = e.data;
  const post = (m: TheoryReply) => (self as unknown as Worker).postMessage(m);
  try {
    const theory = await theoryFor(job);
    const allowNegative = job.settings?.allowNegative ?? false;
    const P = job.names.length;
    const n = job.rows.length / P;
    const out = new Float64Array(n * theory.spectra.size);
    const batch = job.progress === false ? n : BATCH;
    for (let a = 0; a < n; a += batch) {
      const b = Math.min(n, a + batch);
      const label = `spectra ${job.first + a}-${job.first + b - 1}`;
      out.set(computeBlock(theory, job.names, job.rows.subarray(a * P, b * P), label, allowNegative), a * theory.spectra.size);
      if (job.progress !== false) post({ kind: 'progress', done: b - a });
    }
    post({ kind: 'done', spectra: out });
  } catch (err) {
    post({ kind: 'error', message: (err as Error).message });
  }
};
