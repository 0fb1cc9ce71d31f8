/**
 * Draws from standard distributions built on the seeded generator: Gamma (Marsaglia & Tsang 2000, ACM
 * TOMS 26, 363; shape < 1 by the boost Gamma(a) = Gamma(a + 1) U^(1/a)), chi-square, inverse gamma.
 */

import { CosmetaError } from '../errors.js';
import type { Random } from './random.js';

/** Gamma(shape, scale 1). */
export function gammaDraw(rng: Random, shape: number): number {
  if (!(shape > 0)) throw new CosmetaError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return gammaDraw(rng, shape + 1) * rng.uniform() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Chi-square with k (> 0, not necessarily integer) degrees of freedom. */
export function chiSquareDraw(rng: Random, k: number): number {
  return 2 * gammaDraw(rng, k / 2);
}

/** Inverse gamma IG(alpha, beta): density beta^alpha / Gamma(alpha) x^(-alpha-1) exp(-beta / x). */
export function inverseGammaDraw(rng: Random, alpha: number, beta: number): number {
  return beta / gammaDraw(rng, alpha);
}
