/**
 * BOLFI's likelihood from emulated summaries: the Gaussian synthetic likelihood (Wood 2010, Nature 466,
 * 1102) with the mean and variance of each whitened summary regressed on theta by Gaussian processes
 * from single simulations, as GPS-ABC emulates the summaries (Meeds & Welling 2014, UAI, section 3).
 *
 * Why: the zero-threshold limit of the ABC likelihood is the density of the summaries at the observed
 * ones, N(0; m(theta), Sigma(theta)) for Gaussian summaries z in the distance's coordinates (z_obs = 0).
 * A GP of d^2 = ||z||^2 alone cannot give it when Sigma depends on theta: E d^2 = m^T m + tr Sigma(theta),
 * so the noncentral-chi link (chi-link.ts), which takes Sigma = I, reads the growth of tr Sigma as
 * distance and drops ln det Sigma. For the Gaussian signal, Sigma = diag(sigma^2 / s_obs^2, ~(sigma^2 /
 * s_obs^2)^(2/3)), and that link's infinite-simulation target (E d^2 exact) is 0.15-0.36 sd low in
 * sigma^2 and 0.02-0.12 sd low in mu with widths 0.98-1.09 on five observations, while the Gaussian
 * density with the same exact moments is within 0.001 sd (bench/lfi-link.ts).
 *
 * Model, for each summary i (Sigma taken diagonal in the whitened coordinates, as the distance's W is):
 *   z_i = m_i(theta) + sigma_i(theta) e,  e ~ N(0, 1);
 *   m_i: a GP regression of z_i (quadratic mean, fitted noise);
 *   sigma_i^2: a GP regression of the squared residuals r^2, r = z_i - m_i(theta), E r^2 = sigma_i^2 (the
 *   two-stage heteroscedastic GP of Kersting et al. 2007, ICML, on r^2 itself: Var r^2 / sigma^4 = 2
 *   where ln r^2 has pi^2 / 2, so r^2 needs 2.5 times fewer simulations for the same precision);
 *   ln L(theta) = -sum_i [m_i^2 / sigma_i^2 + ln sigma_i^2] / 2 (GP means plugged in; sigma_i^2 floored
 *   at 1% of the residuals' mean square where the regression is unconstrained).
 * The residuals are taken about a fit that includes the point itself, which shrinks E r^2 by the
 * smoother's leverage, about (effective parameters) / (points): a few per cent here, nearly uniform over
 * theta (a shift of ln L's scale that small, not of its location).
 */

import { CosmetaError } from '../../errors.js';
import { GaussianProcess, type KernelName } from '../../math/gp.js';
import { deriveSeed } from '../../math/random.js';


export interface SummaryEmulator {
  means: GaussianProcess[];
  variances: GaussianProcess[];
  /** ln N(0; m(theta), diag sigma^2(theta)) + const at m points [m x d]. */
  logLikelihood(points: ArrayLike<number>, m: number): Float64Array;
}

export interface SummaryEmulatorOptions {
  kernel: KernelName;
  seed: number;
  /** Optimiser restarts per GP besides the first start (default 1, 0 with `warm`) and L-BFGS iterations per start (default 60, 15 with `warm`). */
  restarts?: number;
  maxIter?: number;
  /**
   * Start each GP's optimiser from this emulator's hyperparameters (BOLFI's posterior rounds refit the
   * emulator as simulations arrive; the previous fit is close, so 15 iterations without restarts suffice).
   */
  warm?: SummaryEmulator;
}

/**
 * Fit the emulator to n simulations at X [n x d] with whitened summaries Z [n x k]. Length scales are kept
 * above 10% of the simulated range, as for the discrepancy GP (bolfi.ts): the quadratic mean carries the
 * trend and the kernel only smooth departures from it.
 */
export function fitSummaryEmulator(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, o: SummaryEmulatorOptions): SummaryEmulator {
  if (Z.length !== n * k || X.length !== n * d) throw new CosmetaError(`summary emulator: expected X ${n} x ${d} and Z ${n} x ${k}, got ${X.length} and ${Z.length} values`);
  const lengthScaleBounds: [number, number] = [Math.log(0.1), Math.log(100)];
  const restarts = o.restarts ?? (o.warm ? 0 : 1);
  const maxIter = o.maxIter ?? (o.warm ? 15 : 60);
  const means: GaussianProcess[] = [];
  const variances: GaussianProcess[] = [];
  const floors: number[] = [];
  for (let i = 0; i < k; i++) {
    const z = Float64Array.from({ length: n }, (_, r) => Z[r * k + i]);
    const gm = GaussianProcess.fit(X, z, n, d, { kernel: o.kernel, meanDegree: 2, noise: 'fit', restarts, maxIter, seed: deriveSeed(o.seed, 2 * i), lengthScaleBounds, initial: o.warm?.means[i].hyper });
    const mz = gm.predictMean(X, n);
    const r2 = Float64Array.from({ length: n }, (_, r) => (z[r] - mz[r]) ** 2);
    const gv = GaussianProcess.fit(X, r2, n, d, { kernel: o.kernel, meanDegree: 2, noise: 'fit', restarts, maxIter, seed: deriveSeed(o.seed, 2 * i + 1), lengthScaleBounds, initial: o.warm?.variances[i].hyper });
    means.push(gm);
    variances.push(gv);
    floors.push(0.01 * (r2.reduce((a, b) => a + b, 0) / n));
  }
  return {
    means,
    variances,
    logLikelihood(points, m) {
      const out = new Float64Array(m);
      for (let i = 0; i < k; i++) {
        const mu = means[i].predictMean(points, m);
        const v = variances[i].predictMean(points, m);
        for (let c = 0; c < m; c++) {
          const vc = Math.max(v[c], floors[i]);
          out[c] -= 0.5 * ((mu[c] * mu[c]) / vc + Math.log(vc));
        }
      }
      return out;
    },
  };
}
