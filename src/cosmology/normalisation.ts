/**
 * sigma8 from the primordial amplitude A_s without building a whole linear power spectrum, for derived
 * parameters of chains that sample A_s: sigma8^2 = A_s C int dln k k^3 S(k) W^2(k R_8) / (2 pi^2), with
 * S(k) the linear model's shape and C the Poisson-equation factor of power/normalisation.ts (1 for
 * absolute models), R_8 = 8/h Mpc, W the top-hat window. The normalisation itself lives there; this is
 * only the variance integral (Simpson in ln k over [5e-5, 1e3]/Mpc, as LinearPower's), so the two agree.
 */

import { CosmetaError } from '../errors.js';
import { cosmology, type CosmologyInput } from './params.js';
import { topHatWindow } from './power/linear.js';
import { poissonFactor } from './power/normalisation.js';
import type { LinearShape } from './transfer/model.js';

const LNK_MIN = Math.log(5e-5);
const LNK_MAX = Math.log(1e3);
const STEPS = 800; // d ln k = 0.012: Simpson's error ~1e-7 on this smooth integrand

/** sigma8 for amplitude A_s (pivot 0.05/Mpc) and the other parameters of `input`. */
export function sigma8FromAs(input: Omit<CosmologyInput, 'sigma8' | 'A_s'>, A_s: number, shape: LinearShape): number {
  if (!(A_s > 0) || !Number.isFinite(A_s)) throw new CosmetaError(`A_s = ${A_s} must be a positive number`);
  const c = cosmology({ ...input, A_s });
  shape.check?.(c);
  const f = shape.prepare(c);
  const perAs = shape.absolute ? 1 : poissonFactor(c);
  const r8 = 8 / c.h;
  const h = (LNK_MAX - LNK_MIN) / STEPS;
  let s = 0;
  for (let i = 0; i <= STEPS; i++) {
    const k = Math.exp(LNK_MIN + i * h);
    const w = topHatWindow(k * r8);
    s += (i === 0 || i === STEPS ? 1 : i % 2 === 1 ? 4 : 2) * k * k * k * f(k) * w * w;
  }
  return Math.sqrt((A_s * perAs * ((s * h) / 3)) / (2 * Math.PI * Math.PI));
}
