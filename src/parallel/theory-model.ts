/**
 * The theory engine as a `BatchedModel`: a block of parameter vectors is split evenly over a pool of
 * worker threads (or computed in this thread when `threads` is 0), each evaluating the full forward model.
 */

import { availableParallelism } from 'node:os';
import { ShearTheory } from '../cosmology/theory.js';
import { DEFAULT_LINEAR_MODEL } from '../cosmology/transfer/index.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { computeBlock } from '../data/block.js';
import { CosmetaError } from '../errors.js';
import type { BatchedModel } from '../inference/likelihood.js';
import { WorkerPool } from './pool.js';
import type { TheoryTask, TheoryWorkerInit } from './theory-worker.js';

export interface TheoryModelOptions {
  /** Galaxy sample. */
  z: Float64Array;
  nz: Float64Array[];
  ell: Float64Array;
  /** Names of the inputs (cosmological parameters, dz_i, m_i, A_IA, eta_IA), the column order of rows. */
  parameterNames: string[];
  linear?: string;
  allowExtrapolation?: boolean;
  nonlinear?: boolean;
  spin2?: boolean;
  shiftConvention?: 'paper' | 'additive';
  /** Accept negative spectra (intrinsic alignments can make cross-spectra negative). */
  allowNegative?: boolean;
  /** Worker threads; 0 computes in the calling thread (default: all cores). */
  threads?: number;
}

export class TheoryModel implements BatchedModel {
  readonly parameterNames: readonly string[];
  readonly dataSize: number;
  private readonly pool: WorkerPool<TheoryTask, Float64Array> | null;
  private readonly local: ShearTheory | null;
  private readonly key: string;
  private calls = 0;

  constructor(private readonly options: TheoryModelOptions) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 0) throw new CosmetaError(`threads must be a non-negative integer, got ${threads}`);
    const init: TheoryWorkerInit = {
      ell: options.ell,
      linear: options.linear ?? DEFAULT_LINEAR_MODEL,
      allowExtrapolation: options.allowExtrapolation ?? false,
      nonlinear: options.nonlinear ?? true,
      spin2: options.spin2 ?? true,
      shiftConvention: options.shiftConvention ?? 'paper',
      allowNegative: options.allowNegative ?? false,
    };
    // Built here in every case: it validates the sample and model names in this thread, with clear errors.
    const theory = new ShearTheory({ z: options.z, nz: options.nz }, options.ell, {
      linear: loadLinearModel(init.linear, { allowExtrapolation: init.allowExtrapolation }),
      nonlinear: init.nonlinear,
      spin2: init.spin2,
      shiftConvention: init.shiftConvention,
    });
    this.parameterNames = [...options.parameterNames];
    this.dataSize = theory.spectra.size;
    this.key = 'sample';
    this.local = threads === 0 ? theory : null;
    this.pool = threads === 0 ? null : new WorkerPool<TheoryTask, Float64Array>(new URL('./theory-worker.js', import.meta.url), init, { size: threads });
  }

  async predict(rows: Float64Array, n: number): Promise<Float64Array> {
    const P = this.parameterNames.length;
    if (rows.length < n * P) throw new CosmetaError(`predict: ${rows.length} values for ${n} rows of ${P} parameters`);
    const label = `theory call ${++this.calls}`;
    const names = this.parameterNames as string[];
    if (this.local) return computeBlock(this.local, names, rows.subarray(0, n * P), label, this.options.allowNegative ?? false);
    const pool = this.pool as WorkerPool<TheoryTask, Float64Array>;
    const parts = Math.min(pool.size, n);
    const tasks: TheoryTask[] = [];
    for (let k = 0; k < parts; k++) {
      const a = Math.floor((k * n) / parts);
      const b = Math.floor(((k + 1) * n) / parts);
      tasks.push({ key: this.key, z: this.options.z, nz: this.options.nz, names, rows: rows.slice(a * P, b * P), label });
    }
    const results = await pool.map(tasks);
    const out = new Float64Array(n * this.dataSize);
    let at = 0;
    for (const r of results) {
      out.set(r, at);
      at += r.length;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
