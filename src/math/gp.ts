/**
 * Gaussian-process regression (Rasmussen & Williams 2006, "Gaussian Processes for Machine Learning",
 * hereafter R&W) on n training inputs X [n x d, row-major] with outputs y:
 *
 *   y = h(x)^T beta + f(x) + eps,   f ~ GP(0, k),   eps ~ N(0, sigma_n^2),
 *
 * with an ARD stationary kernel k (squared exponential "rbf", R&W eq. 5.1, or Matern nu = 5/2, R&W eq.
 * 4.17, both with one length scale per input dimension and an amplitude sigma_f^2), and an optional
 * polynomial mean h(x)^T beta of degree 0, 1 or 2 whose coefficients are fitted by generalised least
 * squares and marginalised under a flat prior (R&W section 2.7, eqs. 2.41-2.45; as emuPK does,
 * Mootoovaloo et al. 2021, arXiv:2105.02256, section 3). With K = k(X, X) + (sigma_n^2 + jitter) I,
 * H the [n x p] basis matrix, A = H^T K^-1 H, beta = A^-1 H^T K^-1 y and r = y - H beta:
 *
 *   ln p(y) = -r^T K^-1 r / 2 - ln|K| / 2 - ln|A| / 2 - (n - p) ln(2 pi) / 2        (R&W eq. 2.45)
 *   d ln p / d theta = (alpha^T dK alpha - tr(P dK)) / 2,   alpha = K^-1 r,  P = K^-1 - K^-1 H A^-1 H^T K^-1
 *
 * (the gradient follows from dP = -P dK P and tr(A^-1 dA) = -tr(K^-1 H A^-1 H^T K^-1 dK)). Prediction
 * (R&W eq. 2.42): mean h*^T beta + k*^T alpha, latent variance k** - k*^T K^-1 k* + R^T A^-1 R with
 * R = h* - H^T K^-1 k*. Hyperparameters (ln length scales, ln sigma_f^2 and, when fitted, ln sigma_n^2)
 * maximise ln p(y) by L-BFGS with analytic gradients from seeded restarts. Outputs and hyperparameters
 * are in the units of y and X; no rescaling happens inside. Cost O(n^3) per evaluation: meant for n up
 * to about a thousand.
 */

import { CosmetaError } from '../errors.js';
import { backSubstitute, cholesky, forwardSubstitute, logDetCholesky } from './linalg.js';
import { minimizeLbfgs } from './optimize.js';
import { Random } from './random.js';

export type KernelName = 'rbf' | 'matern52';

export interface GpHyperparameters {
  /** ARD length scales, one per input dimension (units of X). */
  lengthScales: number[];
  /** Kernel amplitude sigma_f^2 (units of y squared). */
  amplitude: number;
  /** Noise variance sigma_n^2 (units of y squared). */
  noise: number;
}

export interface GpOptions {
  kernel?: KernelName;
  /** Degree of the marginalised polynomial mean, or null for a zero mean (default 0: a constant). */
  meanDegree?: 0 | 1 | 2 | null;
  /** A fixed noise variance, or 'fit' to fit it with the other hyperparameters (default 'fit'). */
  noise?: number | 'fit';
  /** Added to the kernel diagonal as jitter x sigma_f^2 for numerical stability (default 1e-8). */
  jitter?: number;
  /** Optimiser restarts besides the first start (default 4); restart i draws from deriveSeed(seed, i). */
  restarts?: number;
  seed?: number;
  /** Starting hyperparameters for the first start (default: from the spread of X and y). */
  initial?: Partial<GpHyperparameters>;
  /** L-BFGS iterations per start (default 200). */
  maxIter?: number;
  /** Bounds on ln length scale relative to each input's range (default [ln 1e-3, ln 1e2]). */
  lengthScaleBounds?: [number, number];
  /** Bounds on a fitted noise variance (default [1e-12, 10] x the variance of y). */
  noiseBounds?: [number, number];
  /**
   * Heteroscedastic noise of a known shape: point i has noise variance sigma_n^2 w_i (w_i > 0), with
   * sigma_n^2 fitted or fixed as above (default w_i = 1). The most-likely heteroscedastic GP of Kersting
   * et al. 2007 (ICML) sets w from a second GP of the squared residuals.
   */
  noiseShape?: ArrayLike<number>;
}

export interface GpJSON {
  kind: 'cosmeta-gp';
  version: 1;
  kernel: KernelName;
  meanDegree: 0 | 1 | 2 | null;
  jitter: number;
  n: number;
  d: number;
  X: number[];
  y: number[];
  hyperparameters: GpHyperparameters;
  noiseFitted: boolean;
  /** Relative noise per point (absent: homoscedastic). */
  noiseShape?: number[];
}

interface Config {
  kernel: KernelName;
  meanDegree: 0 | 1 | 2 | null;
  jitter: number;
  fixedNoise: number | null;
  noiseShape: Float64Array | null;
}

const SQRT5 = Math.sqrt(5);
const LN2PI = Math.log(2 * Math.PI);

/** Kernel value over sigma_f^2 and the factor g with dk/d ln l_j = sigma_f^2 g (Delta_j / l_j)^2. */
function kernelParts(kernel: KernelName, r2: number): [number, number] {
  if (kernel === 'rbf') {
    const e = Math.exp(-0.5 * r2);
    return [e, e];
  }
  const r = Math.sqrt(r2);
  const e = Math.exp(-SQRT5 * r);
  return [(1 + SQRT5 * r + (5 / 3) * r2) * e, (5 / 3) * (1 + SQRT5 * r) * e];
}

/** Number of polynomial basis functions of a degree in d dimensions. */
function basisSize(degree: 0 | 1 | 2 | null, d: number): number {
  if (degree === null) return 0;
  return degree === 0 ? 1 : degree === 1 ? 1 + d : 1 + d + (d * (d + 1)) / 2;
}

export class GaussianProcess {
  private readonly p: number;
  private readonly center: Float64Array;
  private readonly scale: Float64Array;
  private chol!: Float64Array;
  private alpha!: Float64Array;
  private beta!: Float64Array;
  /** K^-1 H [n x p] and A^-1 [p x p]. */
  private kinvH!: Float64Array;
  private aInv!: Float64Array;
  private lml = Number.NaN;
  hyper!: GpHyperparameters;

  private constructor(
    readonly X: Float64Array,
    readonly y: Float64Array,
    readonly n: number,
    readonly d: number,
    private readonly config: Config,
  ) {
    this.p = basisSize(config.meanDegree, d);
    this.center = new Float64Array(d);
    this.scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, X[i * d + j]);
        hi = Math.max(hi, X[i * d + j]);
      }
      this.center[j] = 0.5 * (lo + hi);
      this.scale[j] = hi > lo ? 0.5 * (hi - lo) : 1;
    }
  }

  /** Fit hyperparameters by maximum marginal likelihood (with restarts) and condition on the data. */
  static fit(X: Float64Array, y: Float64Array, n: number, d: number, options: GpOptions = {}): GaussianProcess {
    const gp = GaussianProcess.create(X, y, n, d, options);
    const init = gp.initialTheta(options.initial);
    const [lo, hi] = gp.bounds(options.lengthScaleBounds, options.noiseBounds);
    const objective = (theta: Float64Array) => {
      const r = gp.evaluate(theta, true);
      const grad = new Float64Array(theta.length);
      let value = -r.value;
      for (let i = 0; i < theta.length; i++) {
        grad[i] = -r.grad[i];
        const ex = theta[i] > hi[i] ? theta[i] - hi[i] : theta[i] < lo[i] ? theta[i] - lo[i] : 0;
        value += 50 * ex * ex;
        grad[i] += 100 * ex;
      }
      return { value: Number.isFinite(value) ? value : Infinity, grad };
    };
    const restarts = options.restarts ?? 4;
    const rng = new Random(options.seed ?? 0);
    let best: { x: Float64Array; value: number } | null = null;
    for (let s = 0; s <= restarts; s++) {
      const start = s === 0 ? init : gp.randomTheta(init, rng);
      const res = minimizeLbfgs(objective, start, { maxIter: options.maxIter ?? 200 });
      if (Number.isFinite(res.value) && (best === null || res.value < best.value)) best = res;
    }
    if (best === null) throw new CosmetaError('GP fit: the marginal likelihood was not finite at any start; check X and y for NaN or duplicates with noise fixed at 0');
    const theta = best.x.map((t, i) => Math.min(hi[i], Math.max(lo[i], t)));
    gp.condition(gp.unpack(theta));
    return gp;
  }

  /** Condition on the data with given hyperparameters (no optimisation). */
  static withHyperparameters(X: Float64Array, y: Float64Array, n: number, d: number, hyper: GpHyperparameters, options: GpOptions = {}): GaussianProcess {
    const gp = GaussianProcess.create(X, y, n, d, { ...options, noise: options.noise ?? hyper.noise });
    gp.condition(hyper);
    return gp;
  }

  static fromJSON(json: GpJSON): GaussianProcess {
    if (json.kind !== 'cosmeta-gp' || json.version !== 1) throw new CosmetaError(`not a cosmeta-gp version 1 record (kind ${json.kind}, version ${json.version})`);
    return GaussianProcess.withHyperparameters(Float64Array.from(json.X), Float64Array.from(json.y), json.n, json.d, json.hyperparameters, {
      kernel: json.kernel,
      meanDegree: json.meanDegree,
      jitter: json.jitter,
      noise: json.noiseFitted ? 'fit' : json.hyperparameters.noise,
      noiseShape: json.noiseShape,
    });
  }

  private static create(X: Float64Array, y: Float64Array, n: number, d: number, options: GpOptions): GaussianProcess {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw new CosmetaError(`GP: n and d must be positive integers, got n = ${n}, d = ${d}`);
    if (X.length !== n * d) throw new CosmetaError(`GP: X must hold n x d = ${n * d} values, got ${X.length}`);
    if (y.length !== n) throw new CosmetaError(`GP: y must hold n = ${n} values, got ${y.length}`);
    for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) throw new CosmetaError(`GP: X[${i}] = ${X[i]} is not finite`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new CosmetaError(`GP: y[${i}] = ${y[i]} is not finite`);
    const kernel = options.kernel ?? 'rbf';
    if (kernel !== 'rbf' && kernel !== 'matern52') throw new CosmetaError(`GP kernel must be 'rbf' or 'matern52', got '${kernel}'`);
    const meanDegree = options.meanDegree === undefined ? 0 : options.meanDegree;
    if (meanDegree !== null && meanDegree !== 0 && meanDegree !== 1 && meanDegree !== 2) throw new CosmetaError(`GP meanDegree must be null, 0, 1 or 2, got ${meanDegree}`);
    const noise = options.noise ?? 'fit';
    if (noise !== 'fit' && !(noise >= 0)) throw new CosmetaError(`GP noise must be a variance >= 0 or 'fit', got ${noise}`);
    const jitter = options.jitter ?? 1e-8;
    if (!(jitter >= 0)) throw new CosmetaError(`GP jitter must be >= 0, got ${jitter}`);
    const shape = options.noiseShape;
    if (shape !== undefined) {
      if (shape.length !== n) throw new CosmetaError(`GP: noiseShape must hold n = ${n} values, got ${shape.length}`);
      for (let i = 0; i < n; i++) if (!(shape[i] > 0 && Number.isFinite(shape[i]))) throw new CosmetaError(`GP: noiseShape[${i}] = ${shape[i]} must be a finite number > 0`);
    }
    if (n <= basisSize(meanDegree, d)) throw new CosmetaError(`GP: a degree-${meanDegree} mean in ${d} dimensions needs more than ${basisSize(meanDegree, d)} points, got ${n}`);
    return new GaussianProcess(Float64Array.from(X), Float64Array.from(y), n, d, {
      kernel,
      meanDegree,
      jitter,
      fixedNoise: noise === 'fit' ? null : noise,
      noiseShape: shape === undefined ? null : Float64Array.from(shape),
    });
  }

  /** Polynomial basis at x (inputs centred and scaled by the training box, which spans the same space). */
  private basis(x: ArrayLike<number>, off: number, out: Float64Array, o: number): void {
    const { meanDegree } = this.config;
    if (meanDegree === null) return;
    const d = this.d;
    out[o++] = 1;
    if (meanDegree === 0) return;
    const u = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      u[j] = (x[off + j] - this.center[j]) / this.scale[j];
      out[o++] = u[j];
    }
    if (meanDegree === 1) return;
    for (let j = 0; j < d; j++) for (let k = j; k < d; k++) out[o++] = u[j] * u[k];
  }

  private spread(): { ranges: Float64Array; varY: number } {
    const ranges = this.scale.map((s) => 2 * s);
    let m = 0;
    for (let i = 0; i < this.n; i++) m += this.y[i];
    m /= this.n;
    let v = 0;
    for (let i = 0; i < this.n; i++) v += (this.y[i] - m) ** 2;
    v /= this.n;
    return { ranges, varY: v > 0 ? v : 1 };
  }

  private get nTheta(): number {
    return this.d + 1 + (this.config.fixedNoise === null ? 1 : 0);
  }

  private initialTheta(init?: Partial<GpHyperparameters>): Float64Array {
    const { ranges, varY } = this.spread();
    const t = new Float64Array(this.nTheta);
    for (let j = 0; j < this.d; j++) t[j] = Math.log(init?.lengthScales?.[j] ?? 0.3 * ranges[j]);
    t[this.d] = Math.log(init?.amplitude ?? varY);
    if (this.config.fixedNoise === null) t[this.d + 1] = Math.log(Math.max(init?.noise ?? 1e-2 * varY, 1e-12 * varY));
    return t;
  }

  private randomTheta(init: Float64Array, rng: Random): Float64Array {
    const { ranges, varY } = this.spread();
    const t = Float64Array.from(init);
    for (let j = 0; j < this.d; j++) t[j] = Math.log(ranges[j]) + rng.between(Math.log(0.03), Math.log(2));
    t[this.d] = Math.log(varY) + rng.between(Math.log(0.1), Math.log(10));
    if (this.config.fixedNoise === null) t[this.d + 1] = Math.log(varY) + rng.between(Math.log(1e-6), Math.log(0.3));
    return t;
  }

  private bounds(ls?: [number, number], noise?: [number, number]): [Float64Array, Float64Array] {
    const { ranges, varY } = this.spread();
    const [l0, l1] = ls ?? [Math.log(1e-3), Math.log(1e2)];
    const lo = new Float64Array(this.nTheta);
    const hi = new Float64Array(this.nTheta);
    for (let j = 0; j < this.d; j++) {
      lo[j] = Math.log(ranges[j]) + l0;
      hi[j] = Math.log(ranges[j]) + l1;
    }
    lo[this.d] = Math.log(varY * 1e-6);
    hi[this.d] = Math.log(varY * 1e6);
    if (this.config.fixedNoise === null) {
      lo[this.d + 1] = Math.log(noise?.[0] ?? varY * 1e-12);
      hi[this.d + 1] = Math.log(noise?.[1] ?? varY * 10);
    }
    return [lo, hi];
  }

  private unpack(theta: ArrayLike<number>): GpHyperparameters {
    const lengthScales = Array.from({ length: this.d }, (_, j) => Math.exp(theta[j]));
    const amplitude = Math.exp(theta[this.d]);
    const noise = this.config.fixedNoise ?? Math.exp(theta[this.d + 1]);
    return { lengthScales, amplitude, noise };
  }

  /** ln hyperparameters in the order the gradient uses: ln l_1..ln l_d, ln sigma_f^2, [ln sigma_n^2]. */
  logHyperparameters(): Float64Array {
    const t = new Float64Array(this.nTheta);
    this.hyper.lengthScales.forEach((l, j) => (t[j] = Math.log(l)));
    t[this.d] = Math.log(this.hyper.amplitude);
    if (this.config.fixedNoise === null) t[this.d + 1] = Math.log(this.hyper.noise);
    return t;
  }

  /**
   * ln p(y | theta) and its gradient with respect to the ln hyperparameters (order as
   * logHyperparameters()); value -Infinity when K is not positive definite.
   */
  logMarginalLikelihoodAt(logHyper: ArrayLike<number>): { value: number; grad: Float64Array } {
    if (logHyper.length !== this.nTheta) throw new CosmetaError(`GP: expected ${this.nTheta} ln hyperparameters, got ${logHyper.length}`);
    return this.evaluate(logHyper, true);
  }

  /** ln p(y) at the fitted hyperparameters (R&W eq. 2.45). */
  logMarginalLikelihood(): number {
    return this.lml;
  }

  /** The factorisation, alpha, beta and (optionally) the gradient of ln p(y) at theta. */
  private evaluate(theta: ArrayLike<number>, withGrad: boolean, keep = false): { value: number; grad: Float64Array } {
    const { n, d, p, X, y } = this;
    const hp = this.unpack(theta);
    const inv2 = hp.lengthScales.map((l) => 1 / (l * l));
    const sf2 = hp.amplitude;
    const K = new Float64Array(n * n);
    const shape = this.config.noiseShape;
    for (let i = 0; i < n; i++) {
      K[i * n + i] = sf2 * (1 + this.config.jitter) + hp.noise * (shape ? shape[i] : 1);
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = X[i * d + k] - X[j * d + k];
          r2 += t * t * inv2[k];
        }
        K[i * n + j] = sf2 * kernelParts(this.config.kernel, r2)[0];
      }
    }
    const grad = new Float64Array(this.nTheta);
    let L: Float64Array;
    try {
      L = cholesky(K, n, 'GP covariance');
    } catch {
      return { value: Number.NEGATIVE_INFINITY, grad };
    }
    const H = new Float64Array(n * p);
    for (let i = 0; i < n; i++) this.basis(X, i * d, H, i * p);
    // W = L^-1 H and K^-1 H = L^-T W column by column (O(n^2 p)); A = W^T W; beta = A^-1 W^T L^-1 y
    const W = new Float64Array(n * p);
    const kinvH = new Float64Array(n * p);
    const col = new Float64Array(n);
    for (let c = 0; c < p; c++) {
      for (let i = 0; i < n; i++) col[i] = H[i * p + c];
      forwardSubstitute(L, n, col);
      for (let i = 0; i < n; i++) W[i * p + c] = col[i];
      backSubstitute(L, n, col);
      for (let i = 0; i < n; i++) kinvH[i * p + c] = col[i];
    }
    const z = Float64Array.from(y);
    forwardSubstitute(L, n, z);
    let beta = new Float64Array(p);
    const aInv = new Float64Array(p * p);
    let logDetA = 0;
    if (p > 0) {
      const A = new Float64Array(p * p);
      const b = new Float64Array(p);
      for (let a = 0; a < p; a++) {
        for (let c = 0; c <= a; c++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += W[i * p + a] * W[i * p + c];
          A[a * p + c] = A[c * p + a] = s;
        }
        let s = 0;
        for (let i = 0; i < n; i++) s += W[i * p + a] * z[i];
        b[a] = s;
      }
      let LA: Float64Array;
      try {
        LA = cholesky(A, p, 'GP mean-basis matrix H^T K^-1 H');
      } catch {
        return { value: Number.NEGATIVE_INFINITY, grad };
      }
      logDetA = logDetCholesky(LA, p);
      for (let c = 0; c < p; c++) {
        const e = new Float64Array(p);
        e[c] = 1;
        forwardSubstitute(LA, p, e);
        backSubstitute(LA, p, e);
        for (let i = 0; i < p; i++) aInv[i * p + c] = e[i];
      }
      beta = new Float64Array(p);
      for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) beta[a] += aInv[a * p + c] * b[c];
    }
    // r = y - H beta, alpha = K^-1 r
    const r = Float64Array.from(y);
    for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) r[i] -= H[i * p + c] * beta[c];
    const alpha = Float64Array.from(r);
    forwardSubstitute(L, n, alpha);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += alpha[i] * alpha[i];
    backSubstitute(L, n, alpha);
    const value = -0.5 * quad - 0.5 * logDetCholesky(L, n) - 0.5 * logDetA - 0.5 * (n - p) * LN2PI;
    if (keep) {
      this.chol = L;
      this.alpha = alpha;
      this.beta = beta;
      this.kinvH = kinvH;
      this.aInv = aInv;
      this.lml = value;
      this.hyper = hp;
    }
    if (!withGrad) return { value, grad };
    // Linv = L^-1 (lower); P = Linv^T Linv - K^-1 H A^-1 H^T K^-1 (lower triangle);
    // then grad = (alpha^T dK alpha - tr(P dK)) / 2
    // (row-wise loops, so the inner index runs along contiguous memory)
    const Linv = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let k = 0; k < i; k++) {
        const lik = L[ri + k];
        const rk = k * n;
        for (let j = 0; j <= k; j++) Linv[ri + j] -= lik * Linv[rk + j];
      }
      const inv = 1 / L[ri + i];
      for (let j = 0; j < i; j++) Linv[ri + j] *= inv;
      Linv[ri + i] = inv;
    }
    const P = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      const rk = k * n;
      for (let i = 0; i <= k; i++) {
        const a = Linv[rk + i];
        if (a === 0) continue;
        const ri = i * n;
        for (let j = 0; j <= i; j++) P[ri + j] += a * Linv[rk + j];
      }
    }
    if (p > 0) {
      const G = new Float64Array(n * p); // K^-1 H A^-1
      for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) {
        let s = 0;
        for (let c = 0; c < p; c++) s += kinvH[i * p + c] * aInv[c * p + a];
        G[i * p + a] = s;
      }
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let a = 0; a < p; a++) s += G[i * p + a] * kinvH[j * p + a];
        P[i * n + j] -= s;
      }
    }
    const iAmp = d;
    const iNoise = d + 1;
    for (let i = 0; i < n; i++) {
      // diagonal: dK_ii / d ln sf2 = sf2 (1 + jitter), / d ln sn2 = sn2 w_i
      const wii = alpha[i] * alpha[i] - P[i * n + i];
      grad[iAmp] += 0.5 * wii * sf2 * (1 + this.config.jitter);
      if (this.config.fixedNoise === null) grad[iNoise] += 0.5 * wii * hp.noise * (shape ? shape[i] : 1);
      for (let j = 0; j < i; j++) {
        const w = alpha[i] * alpha[j] - P[i * n + j]; // off-diagonal pairs count twice
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = X[i * d + k] - X[j * d + k];
          r2 += t * t * inv2[k];
        }
        const [kv, g] = kernelParts(this.config.kernel, r2);
        grad[iAmp] += w * sf2 * kv;
        const wg = w * sf2 * g;
        for (let k = 0; k < d; k++) {
          const t = X[i * d + k] - X[j * d + k];
          grad[k] += wg * t * t * inv2[k];
        }
      }
    }
    return { value, grad };
  }

  private condition(hyper: GpHyperparameters): void {
    const t = new Float64Array(this.nTheta);
    hyper.lengthScales.forEach((l, j) => (t[j] = Math.log(l)));
    t[this.d] = Math.log(hyper.amplitude);
    if (this.config.fixedNoise === null) t[this.d + 1] = Math.log(hyper.noise);
    if (hyper.lengthScales.length !== this.d) throw new CosmetaError(`GP: ${hyper.lengthScales.length} length scales for ${this.d} input dimensions`);
    const r = this.evaluate(t, false, true);
    if (!Number.isFinite(r.value)) throw new CosmetaError('GP: the covariance is not positive definite at these hyperparameters; raise the noise or jitter');
  }

  private crossKernel(x: ArrayLike<number>, off: number, out: Float64Array): void {
    const { n, d, X } = this;
    const sf2 = this.hyper.amplitude;
    const inv2 = this.hyper.lengthScales.map((l) => 1 / (l * l));
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = X[i * d + k] - x[off + k];
        r2 += t * t * inv2[k];
      }
      out[i] = sf2 * kernelParts(this.config.kernel, r2)[0];
    }
  }

  /** Predictive mean and latent-function variance (without the noise sigma_n^2) at one point x [d]. */
  predict(x: ArrayLike<number>): { mean: number; variance: number } {
    const r = this.predictMany(x, 1);
    return { mean: r.mean[0], variance: r.variance[0] };
  }

  /** Predictive means and latent variances at m points Xs [m x d]. */
  predictMany(Xs: ArrayLike<number>, m: number): { mean: Float64Array; variance: Float64Array } {
    this.checkPoints(Xs, m);
    const { n, d, p } = this;
    const mean = new Float64Array(m);
    const variance = new Float64Array(m);
    const ks = new Float64Array(n);
    const h = new Float64Array(p);
    for (let q = 0; q < m; q++) {
      this.crossKernel(Xs, q * d, ks);
      this.basis(Xs, q * d, h, 0);
      let mu = 0;
      for (let c = 0; c < p; c++) mu += h[c] * this.beta[c];
      for (let i = 0; i < n; i++) mu += ks[i] * this.alpha[i];
      mean[q] = mu;
      // R = h - (K^-1 H)^T k*
      const R = Float64Array.from(h);
      for (let c = 0; c < p; c++) for (let i = 0; i < n; i++) R[c] -= this.kinvH[i * p + c] * ks[i];
      forwardSubstitute(this.chol, n, ks);
      let v = this.hyper.amplitude * (1 + this.config.jitter);
      for (let i = 0; i < n; i++) v -= ks[i] * ks[i];
      for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) v += R[a] * this.aInv[a * p + c] * R[c];
      variance[q] = Math.max(v, 0);
    }
    return { mean, variance };
  }

  /** L^-1 k(X, x_q) and R_q = h(x_q) - H^T K^-1 k(X, x_q) for m points: the pieces of covariances. */
  private whitened(Xs: ArrayLike<number>, m: number): { w: Float64Array; R: Float64Array } {
    const { n, d, p } = this;
    const w = new Float64Array(m * n);
    const R = new Float64Array(m * p);
    const ks = new Float64Array(n);
    for (let q = 0; q < m; q++) {
      this.crossKernel(Xs, q * d, ks);
      this.basis(Xs, q * d, R, q * p);
      for (let c = 0; c < p; c++) for (let i = 0; i < n; i++) R[q * p + c] -= this.kinvH[i * p + c] * ks[i];
      forwardSubstitute(this.chol, n, ks);
      w.set(ks, q * n);
    }
    return { w, R };
  }

  /**
   * Posterior covariance of the latent function between points Xa [ma x d] and Xb [mb x d], row-major
   * [ma x mb]: k(a, b) - k_a^T K^-1 k_b + R_a^T A^-1 R_b (R&W eq. 2.41-2.42).
   */
  posteriorCovariance(Xa: ArrayLike<number>, ma: number, Xb: ArrayLike<number>, mb: number): Float64Array {
    this.checkPoints(Xa, ma);
    this.checkPoints(Xb, mb);
    const { n, d, p } = this;
    const A = this.whitened(Xa, ma);
    const B = this.whitened(Xb, mb);
    const sf2 = this.hyper.amplitude;
    const inv2 = this.hyper.lengthScales.map((l) => 1 / (l * l));
    const out = new Float64Array(ma * mb);
    for (let a = 0; a < ma; a++) {
      for (let b = 0; b < mb; b++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = Xa[a * d + k] - Xb[b * d + k];
          r2 += t * t * inv2[k];
        }
        let c = sf2 * (kernelParts(this.config.kernel, r2)[0] + (r2 === 0 ? this.config.jitter : 0));
        for (let i = 0; i < n; i++) c -= A.w[a * n + i] * B.w[b * n + i];
        for (let u = 0; u < p; u++) for (let v = 0; v < p; v++) c += A.R[a * p + u] * this.aInv[u * p + v] * B.R[b * p + v];
        out[a * mb + b] = c;
      }
    }
    return out;
  }

  /** The noise variance sigma_n^2 in force (fitted or fixed). */
  get noiseVariance(): number {
    return this.hyper.noise;
  }

  /** Predictive means only at m points Xs [m x d]: O(n d) per point. */
  predictMean(Xs: ArrayLike<number>, m: number): Float64Array {
    this.checkPoints(Xs, m);
    const { n, d, p } = this;
    const out = new Float64Array(m);
    const ks = new Float64Array(n);
    const h = new Float64Array(p);
    for (let q = 0; q < m; q++) {
      this.crossKernel(Xs, q * d, ks);
      this.basis(Xs, q * d, h, 0);
      let mu = 0;
      for (let c = 0; c < p; c++) mu += h[c] * this.beta[c];
      for (let i = 0; i < n; i++) mu += ks[i] * this.alpha[i];
      out[q] = mu;
    }
    return out;
  }

  private checkPoints(Xs: ArrayLike<number>, m: number): void {
    if (Xs.length !== m * this.d) throw new CosmetaError(`GP predict: expected ${m} x ${this.d} = ${m * this.d} values, got ${Xs.length}`);
  }

  /** The fitted mean-basis coefficients beta (GLS estimate, R&W eq. 2.42). */
  meanCoefficients(): Float64Array {
    return Float64Array.from(this.beta);
  }

  toJSON(): GpJSON {
    return {
      kind: 'cosmeta-gp',
      version: 1,
      kernel: this.config.kernel,
      meanDegree: this.config.meanDegree,
      jitter: this.config.jitter,
      n: this.n,
      d: this.d,
      X: Array.from(this.X),
      y: Array.from(this.y),
      hyperparameters: { ...this.hyper, lengthScales: [...this.hyper.lengthScales] },
      noiseFitted: this.config.fixedNoise === null,
      ...(this.config.noiseShape ? { noiseShape: Array.from(this.config.noiseShape) } : {}),
    };
  }
}
