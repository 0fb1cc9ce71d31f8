/**
 * Special functions for likelihoods and posteriors: the complementary error function, the standard
 * normal CDF and its logarithm (stable far into the lower tail), ln Gamma and the multivariate ln Gamma.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Multivariate ln Gamma_p(a) = p(p-1)/4 ln pi + sum_{j=1..p} ln Gamma(a + (1 - j)/2). */
export function logMultivariateGamma(a: number, p: number): number {
  let s = (p * (p - 1) * Math.log(Math.PI)) / 4;
  for (let j = 1; j <= p; j++) s += logGamma(a + (1 - j) / 2);
  return s;
}

/**
 * erfc(x) exp(x^2) for x >= 0: the Maclaurin series of erf below 2.5 (relative error ~1e-15), the
 * continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))) above
 * (Abramowitz & Stegun 7.1.14), evaluated by the modified Lentz method.
 */
function erfcScaled(x: number): number {
  if (x < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (1 - (2 / Math.sqrt(Math.PI)) * sum) * Math.exp(x2);
  }
  // continued fraction K = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))), erfc = exp(-x^2)/sqrt(pi)/K
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (Math.sqrt(Math.PI) * f);
}

/** Complementary error function. */
export function erfc(x: number): number {
  if (x >= 0) return erfcScaled(x) * Math.exp(-x * x);
  return 2 - erfcScaled(-x) * Math.exp(-x * x);
}

/** Standard normal CDF Phi(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** ln Phi(z), accurate in the lower tail (ln Phi(-40) = -804.6...). */
export function logNormalCdf(z: number): number {
  if (z > -3) return Math.log(normalCdf(z));
  const x = -z / Math.SQRT2;
  return Math.log(0.5 * erfcScaled(x)) - x * x;
}

/** Digamma psi(x) for x > 0: recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series (error < 1e-14). */
export function digamma(x: number): number {
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
