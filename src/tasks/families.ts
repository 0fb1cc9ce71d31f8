/**
 * Galaxy-sample task families: a family is a value that turns a task index and a seeded random stream
 * into one galaxy sample (N tomographic n(z) on a shared grid) with a description of how it was made.
 * Users add their own by implementing `TaskFamily`.
 *
 * `paperFamily` is the task distribution of arXiv:2504.00552 (docs/paper-settings.md,
 * Sect. 3); `multiPeakFamily` is an out-of-distribution family of three-peak parents; `fixedSample` and
 * `parentSample` make one task from a user's binned or parent n(z).
 */

import { CosmetaError } from '../errors.js';
import type { Random } from '../math/random.js';
import { locate } from '../math/spline.js';
import { binParent, linspace, type BinningOptions } from './binning.js';
import { gaussianParent, smail, type ParentDistribution } from './parents.js';

export interface GalaxySample {
  /** Photometric redshift grid shared by the bins. */
  z: Float64Array;
  /** n(z) per bin on that grid (non-negative; normalised to unit integral before any noise). */
  nz: Float64Array[];
  /** How the sample was made (family, parent parameters, noise level...), stored with the data. */
  description: Record<string, unknown>;
}

export interface TaskFamily {
  readonly name: string;
  /** Number of tasks the family can make (Infinity for random families). */
  readonly maxTasks: number;
  /** The family's settings, recorded with the data. */
  describe(): Record<string, unknown>;
  /** Task `index`, drawing randomness only from `rng`. */
  sample(index: number, rng: Random): GalaxySample;
}

export interface PaperFamilyOptions extends BinningOptions {
  /** Smail parent z0 and alpha ranges. */
  smailZ0?: [number, number];
  smailAlpha?: [number, number];
  /** Gaussian parent mean and width ranges. */
  gaussianMean?: [number, number];
  gaussianSigma?: [number, number];
  /** Per-task noise level s ~ U(0, noiseMax); each point gets + s/(1+z) N(0,1), clipped at 0. 0 disables. */
  noiseMax?: number;
}

function checkRange(name: string, r: [number, number], positive = false): void {
  if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[1] >= r[0])) {
    throw new CosmetaError(`${name} must be a range [lo, hi] with lo <= hi, got ${JSON.stringify(r)}`);
  }
  if (positive && !(r[0] > 0)) throw new CosmetaError(`${name} must be positive, got ${JSON.stringify(r)}`);
}

/** Adds the paper's photo-z noise: s ~ U(0, noiseMax), n(z) += s/(1+z) N(0,1), clipped at 0. */
function addNoise(nz: Float64Array[], z: Float64Array, noiseMax: number, rng: Random): number {
  if (noiseMax <= 0) return 0;
  const s = rng.between(0, noiseMax);
  for (const n of nz) {
    for (let j = 0; j < n.length; j++) n[j] = Math.max(0, n[j] + (s / (1 + z[j])) * rng.normal());
  }
  return s;
}

/** The binning settings in force (defaults filled in), for the family's description. */
function binningSettings(o: BinningOptions): Record<string, unknown> {
  const z = o.z ?? linspace(0, 4, 300);
  return { nBins: o.nBins ?? 5, parentRange: o.parentRange ?? [0.05, 3.5], sigma0: o.sigma0 ?? 0.04, z: Array.from(z) };
}

/**
 * The paper's task family: even task indices draw a Smail parent z^2 exp(-(z/z0)^alpha) with
 * z0 ~ U(0.1, 0.2), alpha ~ U(0.6, 1.0); odd ones a Gaussian with mean ~ U(0.2, 1.5), sigma ~ U(0.2, 0.6).
 * Five equal-number bins, photo-z scatter 0.04(1+z) onto linspace(0, 4, 300), then noise with
 * s ~ U(0, 0.1). Every setting can be changed.
 */
export function paperFamily(options: PaperFamilyOptions = {}): TaskFamily {
  const smailZ0 = options.smailZ0 ?? [0.1, 0.2];
  const smailAlpha = options.smailAlpha ?? [0.6, 1.0];
  const gaussianMean = options.gaussianMean ?? [0.2, 1.5];
  const gaussianSigma = options.gaussianSigma ?? [0.2, 0.6];
  const noiseMax = options.noiseMax ?? 0.1;
  checkRange('smailZ0', smailZ0, true);
  checkRange('smailAlpha', smailAlpha, true);
  checkRange('gaussianMean', gaussianMean);
  checkRange('gaussianSigma', gaussianSigma, true);
  if (!(noiseMax >= 0)) throw new CosmetaError(`noiseMax must be >= 0, got ${noiseMax}`);
  const binning = binningSettings(options);
  return {
    name: 'paper',
    maxTasks: Infinity,
    describe: () => ({ family: 'paper', smailZ0, smailAlpha, gaussianMean, gaussianSigma, noiseMax, ...binning }),
    sample(index: number, rng: Random): GalaxySample {
      let parent: ParentDistribution;
      if (index % 2 === 0) parent = smail(rng.between(...smailZ0), rng.between(...smailAlpha));
      else parent = gaussianParent(rng.between(...gaussianMean), rng.between(...gaussianSigma));
      const { z, nz } = binParent(parent, options);
      const noise = addNoise(nz, z, noiseMax, rng);
      return { z, nz, description: { ...parent.description, noise } };
    },
  };
}

export interface MultiPeakFamilyOptions extends BinningOptions {
  /** Number of Gaussian peaks in the parent (default 3). */
  peaks?: number;
  /** Ranges of each peak's mean, width and weight. */
  mean?: [number, number];
  sigma?: [number, number];
  weight?: [number, number];
  noiseMax?: number;
}

/** A parent made of several Gaussian peaks. */
export function multiPeakParent(means: number[], sigmas: number[], weights: number[]): ParentDistribution {
  return {
    description: { kind: 'multipeak', means, sigmas, weights },
    density: (z) => {
      let s = 0;
      for (let k = 0; k < means.length; k++) s += weights[k] * Math.exp(-0.5 * ((z - means[k]) / sigmas[k]) ** 2);
      return s;
    },
  };
}

/**
 * Out-of-distribution family: parents with three (by default) Gaussian peaks, means ~ U(0.2, 2.5),
 * widths ~ U(0.05, 0.3), weights ~ U(0.2, 1), binned and smeared as the paper's family.
 */
export function multiPeakFamily(options: MultiPeakFamilyOptions = {}): TaskFamily {
  const peaks = options.peaks ?? 3;
  const mean = options.mean ?? [0.2, 2.5];
  const sigma = options.sigma ?? [0.05, 0.3];
  const weight = options.weight ?? [0.2, 1];
  const noiseMax = options.noiseMax ?? 0.1;
  if (!Number.isInteger(peaks) || peaks < 1) throw new CosmetaError(`peaks must be a positive integer, got ${peaks}`);
  checkRange('mean', mean);
  checkRange('sigma', sigma, true);
  checkRange('weight', weight, true);
  const binning = binningSettings(options);
  return {
    name: 'multipeak',
    maxTasks: Infinity,
    describe: () => ({ family: 'multipeak', peaks, mean, sigma, weight, noiseMax, ...binning }),
    sample(_index: number, rng: Random): GalaxySample {
      const means = Array.from({ length: peaks }, () => rng.between(...mean));
      const sigmas = Array.from({ length: peaks }, () => rng.between(...sigma));
      const weights = Array.from({ length: peaks }, () => rng.between(...weight));
      const parent = multiPeakParent(means, sigmas, weights);
      const { z, nz } = binParent(parent, options);
      const noise = addNoise(nz, z, noiseMax, rng);
      return { z, nz, description: { ...parent.description, noise } };
    },
  };
}

/** One fixed, already binned sample (e.g. a survey's own n(z) from a file), used as is. */
export function fixedSample(z: Float64Array, nz: Float64Array[], description: Record<string, unknown>): TaskFamily {
  return {
    name: 'fixed',
    maxTasks: 1,
    describe: () => ({ family: 'fixed', ...description }),
    sample: () => ({ z: Float64Array.from(z), nz: nz.map((n) => Float64Array.from(n)), description }),
  };
}

/** One sample binned from a user's parent n(z) (tabulated, linearly interpolated, zero outside). */
export function parentSample(zp: Float64Array, p: Float64Array, options: BinningOptions & { noiseMax?: number }, source: string): TaskFamily {
  const parent: ParentDistribution = {
    description: { kind: 'tabulated', source },
    density: (z) => {
      if (z < zp[0] || z > zp[zp.length - 1]) return 0;
      const lo = locate(zp, z);
      const w = (z - zp[lo]) / (zp[lo + 1] - zp[lo]);
      return p[lo] * (1 - w) + p[lo + 1] * w;
    },
  };
  const range: [number, number] = options.parentRange ?? [Math.max(zp[0], 0), zp[zp.length - 1]];
  const binning = binningSettings({ ...options, parentRange: range });
  return {
    name: 'parent',
    maxTasks: 1,
    describe: () => ({ family: 'parent', source, noiseMax: options.noiseMax ?? 0, ...binning }),
    sample(_index: number, rng: Random): GalaxySample {
      const { z, nz } = binParent(parent, { ...options, parentRange: range });
      const noise = addNoise(nz, z, options.noiseMax ?? 0, rng);
      return { z, nz, description: { ...parent.description, noise } };
    },
  };
}

/** The families selectable by name on the command line. */
export const FAMILY_NAMES = ['paper', 'multipeak'] as const;

export function familyByName(name: string): TaskFamily {
  if (name === 'paper') return paperFamily();
  if (name === 'multipeak') return multiPeakFamily();
  throw new CosmetaError(`unknown task family "${name}"; valid: ${FAMILY_NAMES.join(', ')} (or --nz / --parent for a file)`);
}
