/**
 * The inference target sample of arXiv:2504.00552: Smail parent z0 = 0.13, alpha = 0.78 on [0.05, 3.5],
 * five equal-number bins, photo-z scatter 0.04 (1 + z), sampled on linspace(0, 4, 300), no noise.
 */

import { binParent, linspace } from './binning.js';
import { smail } from './parents.js';

export function targetSample(): { z: Float64Array; nz: Float64Array[] } {
  const { z, nz } = binParent(smail(0.13, 0.78), { nBins: 5, parentRange: [0.05, 3.5], sigma0: 0.04, z: linspace(0, 4, 300) });
  return { z, nz };
}

/** The paper's 50 multipoles, geomspace(2, 5000, 50). */
export function paperEll(): Float64Array {
  const out = new Float64Array(50);
  for (let i = 0; i < 50; i++) out[i] = 2 * Math.pow(2500, i / 49);
  return out;
}

/** The paper's fiducial cosmology (docs/paper-settings.md section 2). */
export const FIDUCIAL = Object.freeze({ Omega_c: 0.27, Omega_b: 0.045, h: 0.67, sigma8: 0.83, n_s: 0.96 });
