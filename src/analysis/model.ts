/**
 * The analysis model as a `BatchedModel`: analysis inputs (Omega_m or Omega_c, A_s or sigma8, dz_i,
 * m_i, A_IA, eta_IA, ...) -> the spectra model's inputs (Omega_c, Omega_b, h, sigma8, n_s, dz_i, A_IA,
 * eta_IA) -> C_ell on the problem's multipole grid (the theory engine or an emulator: any BatchedModel
 * with those inputs) -> the data vector (real-space projection or C_ell selection) -> shear calibration
 * applied last, xi_ij -> (1 + m_i)(1 + m_j) xi_ij, so a spectra model without m serves analyses with m.
 */

import { CosmetaError } from '../errors.js';
import type { BatchedModel } from '../inference/likelihood.js';
import { pairOrder } from '../cosmology/limber.js';
import type { AnalysisProblem } from './problem.js';

/** The inputs a C_ell model needs for a problem: no m_i, Omega_c in place of Omega_m. */
export function spectraInputs(problem: AnalysisProblem): string[] {
  const out = ['Omega_c', 'Omega_b', 'h', problem.inputs.includes('A_s') ? 'A_s' : 'sigma8', 'n_s'];
  if (problem.inputs.includes('w0')) out.push('w0');
  for (const n of problem.inputs) if (/^dz_\d+$/.test(n) || n === 'A_IA' || n === 'eta_IA') out.push(n);
  return out;
}

export class AnalysisModel implements BatchedModel {
  readonly parameterNames: readonly string[];
  readonly dataSize: number;
  private readonly spectraNames: string[];
  private readonly mColumns: Int32Array;
  private readonly pairBins: Array<[number, number]>;
  /** Seconds spent in the spectra model and in the projection (for benchmarks). */
  readonly timing = { inputs: 0, spectra: 0, projection: 0, calls: 0, rows: 0 };

  constructor(
    private readonly problem: AnalysisProblem,
    private readonly spectra: BatchedModel,
  ) {
    this.parameterNames = [...problem.inputs];
    this.dataSize = problem.projection.size;
    this.spectraNames = spectraInputs(problem);
    const want = this.spectraNames.join(', ');
    const have = spectra.parameterNames.join(', ');
    if (want !== have) throw new CosmetaError(`the spectra model's inputs (${have}) do not match the analysis's (${want})`);
    const nBins = problem.nz.length;
    if (spectra.dataSize !== pairOrder(nBins).length * problem.ell.length) {
      throw new CosmetaError(`the spectra model gives ${spectra.dataSize} values; the analysis needs ${pairOrder(nBins).length} pairs x ${problem.ell.length} multipoles`);
    }
    this.mColumns = Int32Array.from({ length: nBins }, (_, i) => this.parameterNames.indexOf(`m_${i + 1}`));
    this.pairBins = pairOrder(nBins);
  }

  async predict(rows: Float64Array, n: number): Promise<Float64Array> {
    const P = this.parameterNames.length;
    const S = this.spectraNames.length;
    const names = this.parameterNames;
    const inner = new Float64Array(n * S);
    const t0 = performance.now();
    const col = (name: string) => names.indexOf(name);
    const iOm = col('Omega_m');
    const iOc = col('Omega_c');
    const iOb = col('Omega_b');
    const iAs = col('A_s');
    const iS8 = col('sigma8');
    const iH = col('h');
    const iNs = col('n_s');
    const rest = this.spectraNames.slice(5).map((nm) => col(nm));
    for (let r = 0; r < n; r++) {
      const x = rows.subarray(r * P, (r + 1) * P);
      const Omega_b = x[iOb];
      const Omega_c = iOm >= 0 ? x[iOm] - Omega_b : x[iOc];
      const o = r * S;
      inner[o] = Omega_c;
      inner[o + 1] = Omega_b;
      inner[o + 2] = x[iH];
      inner[o + 3] = iAs >= 0 ? x[iAs] : x[iS8];
      inner[o + 4] = x[iNs];
      rest.forEach((c, k) => (inner[o + 5 + k] = x[c]));
    }
    const t1 = performance.now();
    const cl = await this.spectra.predict(inner, n);
    const t2 = performance.now();
    const D = this.dataSize;
    const C = this.spectra.dataSize;
    const out = new Float64Array(n * D);
    const pairOf = this.problem.projection.pairOf;
    const scale = new Float64Array(this.pairBins.length);
    for (let r = 0; r < n; r++) {
      const view = out.subarray(r * D, (r + 1) * D);
      this.problem.projection.project(cl, view, r * C);
      const x = rows.subarray(r * P, (r + 1) * P);
      this.pairBins.forEach(([i, j], p) => {
        const mi = this.mColumns[i] >= 0 ? x[this.mColumns[i]] : 0;
        const mj = this.mColumns[j] >= 0 ? x[this.mColumns[j]] : 0;
        scale[p] = (1 + mi) * (1 + mj);
      });
      for (let k = 0; k < D; k++) view[k] *= scale[pairOf[k]];
    }
    const t3 = performance.now();
    this.timing.inputs += (t1 - t0) / 1000;
    this.timing.spectra += (t2 - t1) / 1000;
    this.timing.projection += (t3 - t2) / 1000;
    this.timing.calls += 1;
    this.timing.rows += n;
    return out;
  }

  async close(): Promise<void> {
    await this.spectra.close();
  }
}
