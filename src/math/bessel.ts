/**
 * Bessel functions of the first kind J_n(x) of integer order n >= 0 for real x >= 0, to ~1e-14 absolute:
 *
 * - x < 25: Miller's backward recurrence J_{k-1} = (2k/x) J_k - J_{k+1} from an order well above x,
 *   normalised by J_0 + 2 sum_k J_{2k} = 1 (Abramowitz & Stegun 9.1.46, 9.12; Numerical Recipes 6.5);
 * - x >= 25: Hankel's asymptotic expansion of J_0 and J_1 (A&S 9.2.5, 9.2.9, 9.2.10), whose smallest term
 *   at x = 25 is below 1e-20, then the forward recurrence (stable for x > n) up to order n.
 */

import { CosmetaError } from '../errors.js';

const ASYMPTOTIC_X = 25;

/** P(n, x) and Q(n, x) of Hankel's expansion, J_n = sqrt(2/(pi x)) (P cos w - Q sin w), w = x - (n/2 + 1/4) pi. */
function hankelPQ(n: number, x: number): [number, number] {
  const mu = 4 * n * n;
  const e = 8 * x;
  let p = 1;
  let q = 0;
  let term = 1;
  // term_k = prod_{j=1..k} (mu - (2j-1)^2) / (j (8x)); P takes the even k with alternating signs, Q the odd.
  for (let k = 1; k <= 40; k++) {
    const o = 2 * k - 1;
    term *= (mu - o * o) / (k * e);
    if (Math.abs(term) < 1e-17) break;
    const sign = k % 4 === 1 || k % 4 === 2 ? 1 : -1;
    if (k % 2 === 1) q += sign * term;
    else p -= sign === 1 ? term : -term;
  }
  return [p, q];
}

function asymptotic(n: number, x: number): number {
  const [p, q] = hankelPQ(n, x);
  const w = x - (n / 2 + 0.25) * Math.PI;
  return Math.sqrt(2 / (Math.PI * x)) * (p * Math.cos(w) - q * Math.sin(w));
}

/** J_0..J_nMax at x >= 0 into out[0..nMax]. */
export function besselJArray(nMax: number, x: number, out: Float64Array = new Float64Array(nMax + 1)): Float64Array {
  if (!Number.isInteger(nMax) || nMax < 0) throw new CosmetaError(`besselJ: order must be an integer >= 0, got ${nMax}`);
  if (!(x >= 0) || !Number.isFinite(x)) throw new CosmetaError(`besselJ: argument must be finite and >= 0, got ${x}`);
  if (x === 0) {
    out.fill(0, 0, nMax + 1);
    out[0] = 1;
    return out;
  }
  if (x >= ASYMPTOTIC_X) {
    out[0] = asymptotic(0, x);
    if (nMax >= 1) out[1] = asymptotic(1, x);
    for (let k = 1; k < nMax; k++) out[k + 1] = ((2 * k) / x) * out[k] - out[k - 1];
    return out;
  }
  // Miller: start far enough above both x and nMax that the neglected solution has decayed (NR's rule).
  const start = 2 * Math.floor((Math.max(nMax, Math.ceil(x)) + 20 + Math.floor(Math.sqrt(40 * Math.max(nMax, x + 1)))) / 2);
  let jp = 0;
  let j = 1e-300;
  let norm = 0;
  for (let k = start; k > 0; k--) {
    const jm = ((2 * k) / x) * j - jp;
    jp = j;
    j = jm;
    // Rescale to avoid overflow; the normalisation absorbs the factor.
    if (Math.abs(j) > 1e250) {
      j *= 1e-250;
      jp *= 1e-250;
      norm *= 1e-250;
      for (let m = k; m <= nMax; m++) out[m] *= 1e-250;
    }
    if (k - 1 <= nMax) out[k - 1] = j;
    if ((k - 1) % 2 === 0 && k - 1 > 0) norm += 2 * j;
  }
  norm += j; // J_0 term
  for (let m = 0; m <= nMax; m++) out[m] /= norm;
  return out;
}

const scratch = new Float64Array(64);

/** J_n(x) for integer 0 <= n < 64 and x >= 0. */
export function besselJ(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 0 || n >= 64) throw new CosmetaError(`besselJ: order must be an integer in [0, 64), got ${n}`);
  return besselJArray(n, x, scratch)[n];
}
