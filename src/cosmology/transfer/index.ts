/**
 * The linear-power models by the names files and the command line use. Library code passes the model
 * values themselves; names exist only at the boundaries.
 */

import { CosmetaError } from '../../errors.js';
import { bartlett23 } from './bartlett23.js';
import { bbks } from './bbks.js';
import { eisensteinHu, eisensteinHuNoWiggles } from './eisenstein_hu.js';
import type { LinearShape } from './model.js';

export const LINEAR_MODEL_NAMES = ['eisenstein_hu', 'eisenstein_hu_nowiggles', 'bbks', 'symbolic', 'symbolic_fiducial'] as const;
export type LinearModelName = (typeof LINEAR_MODEL_NAMES)[number];

/** The linear model called `name`; `allowExtrapolation` lets the symbolic fit run outside its range. */
export function linearModel(name: string, options: { allowExtrapolation?: boolean } = {}): LinearShape {
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
    default:
      throw new CosmetaError(`unknown linear model "${name}"; valid: ${LINEAR_MODEL_NAMES.join(', ')}`);
  }
}
