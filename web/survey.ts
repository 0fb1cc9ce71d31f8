/**
 * The survey analysis in the page's engine worker, as `cosmeta mcmc --config` runs it (src/cli/analysis.ts):
 * the uploaded two-point file read by content (SACC in HDF5 or FITS, or 2pt-FITS; gzip or not), the config's selection,
 * scale cuts, nuisance parameters and priors (surveyProblem), and the theory engine's C_ell computed in Web
 * Workers, split over them as TheoryModel splits rows over threads.
 */

import {
  AnalysisModel,
  containerOf,
  CosmetaError,
  gunzipBytes,
  linearModel,
  parseConfig,
  saccFromHdf5Bytes,
  spectraInputs,
  surveyProblem,
  twoPointFromFitsBytes,
  type AnalysisConfig,
  type AnalysisProblem,
  type BatchedModel,
  type H5WasmModule,
  type TwoPointData,
} from '../src/browser.js';
import { loadH5Wasm } from './h5.js';
import { linearOptions } from './linear.js';
import type { TheoryJob, TheoryReply, TheorySettings } from './protocol.js';

/** The two-point content of an uploaded file, by its content as the command line reads a path (two-point-file.ts). */
export async function twoPointFromUpload(bytes: Uint8Array, name: string): Promise<TwoPointData> {
  let b = bytes;
  if (containerOf(b) === 'gzip') b = gunzipBytes(b, name);
  const kind = containerOf(b);
  if (kind === 'hdf5') {
    const { h5, module } = await loadH5Wasm();
    return saccFromHdf5Bytes(h5, module as unknown as H5WasmModule, b, name);
  }
  if (kind !== 'fits') throw new CosmetaError(`${name}: neither FITS nor HDF5 (nor gzip of either): not a SACC or 2pt-FITS file`);
  return twoPointFromFitsBytes(b, name).data;
}

/** Spectra of parameter rows from long-lived theory workers (one ShearTheory each, reused across calls). */
export class WorkerTheoryModel implements BatchedModel {
  readonly dataSize: number;
  private readonly workers: Worker[];
  private readonly key: string;

  constructor(
    readonly parameterNames: readonly string[],
    private readonly problem: AnalysisProblem,
    private readonly settings: TheorySettings,
    threads: number,
  ) {
    this.dataSize = (problem.nz.length * (problem.nz.length + 1) * problem.ell.length) / 2;
    this.workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(new URL('./theory-worker.js', self.location.href), { type: 'module' }));
    this.key = `survey-${Date.now()}-${Math.random()}`;
  }

  private run(w: Worker, job: TheoryJob): Promise<Float64Array> {
    return new Promise((resolve, reject) => {
      w.onmessage = (e: MessageEvent<TheoryReply>) => {
        const m = e.data;
        if (m.kind === 'done') resolve(m.spectra);
        else if (m.kind === 'error') reject(new CosmetaError(m.message));
      };
      w.onerror = (e) => reject(new Error(`theory worker: ${e.message}`));
      w.postMessage(job);
    });
  }

  async predict(rows: Float64Array, n: number): Promise<Float64Array> {
    const P = this.parameterNames.length;
    const parts = Math.min(this.workers.length, n);
    const results = await Promise.all(
      Array.from({ length: parts }, (_, k) => {
        const a = Math.floor((k * n) / parts);
        const b = Math.floor(((k + 1) * n) / parts);
        const job: TheoryJob = { z: this.problem.z, nz: this.problem.nz, ell: this.problem.ell, names: [...this.parameterNames], rows: rows.slice(a * P, b * P), first: a, settings: this.settings, key: this.key, progress: false };
        return this.run(this.workers[k], job).then((r) => ({ a, r }));
      }),
    );
    const out = new Float64Array(n * this.dataSize);
    for (const { a, r } of results) out.set(r, a * this.dataSize);
    return out;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.terminate();
  }
}

/** The analysis of an uploaded file with a config's text (its data.file is the upload's name). */
export async function surveyAnalysis(bytes: Uint8Array, name: string, configText: string, threads: number): Promise<{ config: AnalysisConfig; problem: AnalysisProblem; model: AnalysisModel }> {
  const config = parseConfig(configText, 'config');
  if (config.data.synthetic) throw new CosmetaError('config: data.synthetic is not for the page; give data.file and upload the file');
  config.data.file = name;
  const data = await twoPointFromUpload(bytes, name);
  const shape = linearModel(config.theory.linear, await linearOptions(config.theory.linear));
  const problem = surveyProblem(data, config, name, shape);
  const spectra = new WorkerTheoryModel(spectraInputs(problem), problem, { ...problem.theory, allowNegative: problem.theory.intrinsicAlignments }, threads);
  return { config, problem, model: new AnalysisModel(problem, spectra) };
}
