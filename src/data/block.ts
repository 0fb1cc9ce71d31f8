/** Evaluating the forward model for a block of parameter vectors, with the finite-and-positive check. */

import type { ShearTheory } from '../cosmology/theory.js';
import { modelInputs } from '../tasks/design.js';

/**
 * Data vectors for a row-major block of parameter vectors [count x names.length], concatenated.
 * Throws, naming the block, row and parameters, if any entry is not finite and positive (or, with
 * `allowNegative`, not finite: intrinsic alignments can make cross-spectra negative).
 */
export function computeBlock(theory: ShearTheory, names: string[], rows: Float64Array, label: string, allowNegative = false): Float64Array {
  const P = names.length;
  const count = rows.length / P;
  const D = theory.spectra.size;
  const nBins = theory.spectra.nBins;
  const out = new Float64Array(count * D);
  for (let i = 0; i < count; i++) {
    const row = rows.subarray(i * P, (i + 1) * P);
    const { cosmology, nuisance } = modelInputs(names, row, nBins);
    const cl = theory.compute(cosmology, nuisance, out.subarray(i * D, (i + 1) * D));
    for (let k = 0; k < D; k++) {
      if ((!allowNegative && !(cl[k] > 0)) || !Number.isFinite(cl[k])) {
        const params = names.map((n, j) => `${n}=${row[j]}`).join(', ');
        throw new Error(`${label}, row ${i}: spectrum entry ${k} is ${cl[k]} (not finite${allowNegative ? '' : ' and positive'}) for ${params}`);
      }
    }
  }
  return out;
}
