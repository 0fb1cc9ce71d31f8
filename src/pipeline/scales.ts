/**
 * The sizes of `cosmeta reproduce`. "paper" is arXiv:2504.00552's (section 3-6 of
 * docs/paper-settings.md: 200 tasks x 5,000 spectra, 30,000 target spectra, 20,000 single-task
 * spectra, fresh emulators up to 20,000 spectra, 20 seeds, chains to 50 autocorrelation times); "small" is
 * the default, sized to finish in about a quarter of an hour on 2 cores; "tiny" only exercises every stage
 * (the end-to-end test).
 */

import { DEFAULT_MCMC } from '../inference/mcmc.js';
import { CosmetaError } from '../errors.js';

export const SCALE_NAMES = ['tiny', 'small', 'paper'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface ReproduceScale {
  name: ScaleName;
  /** Tasks generated from the paper's family (one more than `meta.tasks`: the meta-validation task) and spectra per task. */
  data: { tasks: number; samples: number };
  /** Meta-training: the first `tasks` tasks, their first `samples` spectra, at most `epochs` meta-epochs. */
  meta: { tasks: number; samples: number; epochs: number; validationSamples: number };
  /** Target-sample spectra over the inference prior: a pool to draw fine-tuning / fresh training sets from, and a test set. */
  target: { train: number; test: number };
  /** Single-task baseline: spectra of one other sample and the pre-training schedule. */
  singleTask: { spectra: number; batchSize: number; epochs: number; patience: number };
  /** Adaptation: maximum full-batch Adam steps (best step on a 20% validation split kept). */
  adaptSteps: number;
  /** Fine-tuning spectra of the compared emulators (the paper: 100). */
  fineTune: number;
  /** Fresh emulators of the target sample: training-set sizes and schedule (mini-batch Adam, early stopping). */
  fresh: { sizes: number[]; epochs: number; patience: number };
  /** Study (i): fine-tuning sizes and number of seeds. */
  study: { sizes: number[]; seeds: number };
  /** Study (ii) on an out-of-distribution (three-peak) sample. */
  ood: { train: number; test: number; sizes: number[]; seeds: number };
  /** Chains (the paper: 76 walkers until 50 tau, burn-in 1000). */
  mcmc: { walkers: number; maxSteps: number; chunk: number; tauFactor: number; burnIn: number };
}

const SCALES: Record<ScaleName, ReproduceScale> = {
  tiny: {
    name: 'tiny',
    data: { tasks: 6, samples: 60 },
    meta: { tasks: 5, samples: 60, epochs: 2, validationSamples: 30 },
    target: { train: 300, test: 200 },
    singleTask: { spectra: 300, batchSize: 100, epochs: 20, patience: 5 },
    adaptSteps: 30,
    fineTune: 50,
    fresh: { sizes: [50, 150], epochs: 60, patience: 20 },
    study: { sizes: [50, 100], seeds: 2 },
    ood: { train: 200, test: 200, sizes: [100], seeds: 2 },
    mcmc: { walkers: 24, maxSteps: 200, chunk: 100, tauFactor: 50, burnIn: 100 },
  },
  small: {
    name: 'small',
    data: { tasks: 101, samples: 500 },
    meta: { tasks: 100, samples: 500, epochs: 15, validationSamples: 100 },
    target: { train: 3000, test: 2000 },
    singleTask: { spectra: 2000, batchSize: 500, epochs: 150, patience: 20 },
    adaptSteps: 300,
    fineTune: 100,
    fresh: { sizes: [100, 500, 2000], epochs: 3000, patience: 100 },
    study: { sizes: [100, 200, 500], seeds: 3 },
    ood: { train: 2000, test: 2000, sizes: [500, 2000], seeds: 3 },
    mcmc: { walkers: 76, maxSteps: 3000, chunk: 500, tauFactor: 50, burnIn: 1000 },
  },
  paper: {
    name: 'paper',
    data: { tasks: 201, samples: 5000 },
    // Cosmeta's default meta-training (chosen by measurement; the paper's 20 tasks x 500 was worse).
    meta: { tasks: 100, samples: 500, epochs: 75, validationSamples: 100 },
    target: { train: 25000, test: 5000 },
    singleTask: { spectra: 20000, batchSize: 5000, epochs: 2000, patience: 50 },
    adaptSteps: 300,
    fineTune: 100,
    fresh: { sizes: [100, 500, 1000, 2000, 5000, 10000, 20000], epochs: 3000, patience: 100 },
    study: { sizes: [100, 200, 500, 1000], seeds: 20 },
    ood: { train: 21000, test: 5000, sizes: [500, 1000, 2000, 5000, 10000, 20000], seeds: 3 },
    mcmc: { walkers: DEFAULT_MCMC.walkers, maxSteps: DEFAULT_MCMC.maxSteps, chunk: DEFAULT_MCMC.chunk, tauFactor: DEFAULT_MCMC.tauFactor, burnIn: DEFAULT_MCMC.burnIn },
  },
};

export function reproduceScale(name: string): ReproduceScale {
  if (!(SCALE_NAMES as readonly string[]).includes(name)) throw new CosmetaError(`unknown scale "${name}"; valid: ${SCALE_NAMES.join(', ')}`);
  return structuredClone(SCALES[name as ScaleName]);
}
