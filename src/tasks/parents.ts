/**
 * Parent redshift distributions (unnormalised shapes), as used for the galaxy-sample tasks of
 * arXiv:2504.00552 (docs/paper-settings.md section 3).
 */

import { CosmetaError } from '../errors.js';

/** A parent distribution: its description (recorded with data) and its shape p(z) >= 0. */
export interface ParentDistribution {
  readonly description: Record<string, unknown>;
  density(z: number): number;
}

/** Smail et al. (1994) form p(z) = z^2 exp(-(z/z0)^alpha). */
export function smail(z0: number, alpha: number): ParentDistribution {
  if (!(z0 > 0) || !(alpha > 0)) throw new CosmetaError(`smail: z0 and alpha must be positive (z0=${z0}, alpha=${alpha})`);
  return {
    description: { kind: 'smail', z0, alpha },
    density: (z) => (z <= 0 ? 0 : z * z * Math.exp(-Math.pow(z / z0, alpha))),
  };
}

/** Gaussian p(z) = exp(-((z - mean)/sigma)^2 / 2). */
export function gaussianParent(mean: number, sigma: number): ParentDistribution {
  if (!(sigma > 0) || !Number.isFinite(mean)) throw new CosmetaError(`gaussian parent: needs finite mean and sigma > 0 (mean=${mean}, sigma=${sigma})`);
  return {
    description: { kind: 'gaussian', mean, sigma },
    density: (z) => Math.exp(-0.5 * ((z - mean) / sigma) ** 2),
  };
}
