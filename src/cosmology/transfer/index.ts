/**
 * The linear-power models by the names files and the command line use. Library code passes the model
 * values themselves; names exist only at the boundaries.
 */

import { CosmetaError } from '../../errors.js';
import type { PkEmulator } from '../boltzmann/emulator.js';
import type { NamedSolver } from '../boltzmann/solver-api.js';
import { LINKED_SOLVER } from '../boltzmann/solver-link.js';
import { boltzmannShape } from './boltzmann.js';
import { bartlett23 } from './bartlett23.js';
import { bbks } from './bbks.js';
import { eisensteinHu, eisensteinHuNoWiggles } from './eisenstein_hu.js';
import type { LinearShape } from './model.js';

export const LINEAR_MODEL_NAMES = ['eisenstein_hu', 'eisenstein_hu_nowiggles', 'bbks', 'symbolic', 'symbolic_fiducial', 'boltzmann', 'boltzmann_emulated'] as const;
export type LinearModelName = (typeof LINEAR_MODEL_NAMES)[number];

/**
 * The linear model of `cl`, `generate`, `mcmc`, `reproduce`, `pk` and analysis configs when none is named:
 * the emulator of Cosmeta's Boltzmann solver (CAMB-accurate, see README "Linear power spectra").
 */
export const DEFAULT_LINEAR_MODEL: LinearModelName = 'boltzmann_emulated';

export interface LinearModelOptions {
  /** Let the symbolic fit run outside its range. */
  allowExtrapolation?: boolean;
  /** The emulator behind `boltzmann_emulated` (in Node, `loadLinearModel` in io/pk-emulator-file.ts reads the shipped one). */
  pkEmulator?: PkEmulator;
  /** The solver behind `boltzmann` (default: the one linked into this build). */
  solver?: NamedSolver;
}

/** The linear model called `name`. */
export function linearModel(name: string, options: LinearModelOptions = {}): LinearShape {
  switch (name) {
    case 'eisenstein_hu':
      return eisensteinHu;
    case 'eisenstein_hu_nowiggles':
      return eisensteinHuNoWiggles;
    case 'bbks':
      return bbks;
    case 'symbolic':
      return bartlett23({ expression: 'max_precision', allowExtrapolation: options.allowExtrapolation });
    case 'symbolic_fiducial':
      return bartlett23({ expression: 'fiducial', allowExtrapolation: options.allowExtrapolation });
    case 'boltzmann': {
      const solver = options.solver ?? LINKED_SOLVER;
      if (!solver) throw new CosmetaError('linear model boltzmann: the Boltzmann solver is not part of this build');
      return boltzmannShape(solver);
    }
    case 'boltzmann_emulated':
      if (!options.pkEmulator) throw new CosmetaError('linear model boltzmann_emulated needs its emulator (options.pkEmulator; in Node, loadLinearModel reads models/pk-emulator.json)');
      return options.pkEmulator.shape();
    default:
      throw new CosmetaError(`unknown linear model "${name}"; valid: ${LINEAR_MODEL_NAMES.join(', ')}`);
  }
}
