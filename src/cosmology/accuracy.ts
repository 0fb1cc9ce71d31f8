/**
 * Every numerical accuracy knob of the theory engine, in one place, with the reason for its default.
 * The values in force are recorded with each result (`config.accuracy` in the CLI's output).
 */

export interface Accuracy {
  /** Background (distance) table: nodes per e-fold of scale factor. Cubic Hermite with exact derivatives: error ~1e-9 at 16. */
  readonly backgroundNodesPerEfold: number;
  /** Redshift step of the uniform chi(z) table used in hot loops (cubic Hermite; error ~1e-10 at 0.02). */
  readonly chiZStep: number;
  /** Growth ODE: classical Runge-Kutta steps per e-fold of scale factor. 20 gives D to ~1e-7. */
  readonly growthStepsPerEfold: number;
  /** Growth ODE starts at this scale factor with D = a, dD/da = 1 (CCL's convention). */
  readonly growthInitialA: number;
  /** Linear P(k) table lower end [1/Mpc]; below it ln P is extended linearly in ln k. */
  readonly kMin: number;
  /** Linear P(k) table upper end [1/Mpc]; above it ln P is extended linearly in ln k. */
  readonly kMax: number;
  /** Linear P(k) table spacing in ln k where baryon wiggles live: 0.02 resolves them to ~1e-6. */
  readonly lnkStep: number;
  /** Linear P(k) table spacing in ln k outside [kWigglesMin, kWigglesMax], where P(k) is smooth. */
  readonly lnkStepSmooth: number;
  /** The wavenumber range [1/Mpc] tabulated finely (BAO wiggles are Silk-damped to < 1e-6 above 1/Mpc). */
  readonly kWigglesMin: number;
  readonly kWigglesMax: number;
  /** Uniform ln k spacing of the quadratures over the table (sigma8 normalisation, halofit's variance). */
  readonly lnkStepIntegrals: number;
  /** Upper end [1/Mpc] of halofit's variance sums (power-law continued above kMax; Gaussian-filtered). */
  readonly kMaxIntegrals: number;
  /** sigma8 normalisation: integration limits [1/Mpc] (CCL's: 5e-5 to 1e3). */
  readonly sigmaKMin: number;
  readonly sigmaKMax: number;
  /** Limber integral: Gauss-Legendre nodes per panel, and number of panels in s = ln(1 + z / limberZScale). */
  readonly limberOrder: number;
  readonly limberPanels: number;
  /**
   * Redshift scale of the Limber integration variable s = ln(1 + z / zs): nodes are nearly uniform in
   * ln z above zs. Only the baryon wiggles make the integrand hard (without them 64 nodes converge to
   * 1e-6); with them, 80 Gauss-Legendre nodes in s with zs = 0.01 converge to ~2e-5 for the paper's
   * samples, where zs = 0.1 needed more than 200 nodes.
   */
  readonly limberZScale: number;
  /** Lowest redshift of the Limber integral (contributions below are < 1e-7 of C_ell). */
  readonly limberZMin: number;
  /** Lensing kernels: n(z) integrals use Simpson's rule on each n(z) interval split this many times. */
  readonly kernelSubdivisions: number;
}

export const DEFAULT_ACCURACY: Accuracy = Object.freeze({
  backgroundNodesPerEfold: 16,
  chiZStep: 0.02,
  growthStepsPerEfold: 20,
  growthInitialA: 1e-6,
  kMin: 1e-5,
  kMax: 1e3,
  lnkStep: 0.02,
  lnkStepSmooth: 0.1,
  kWigglesMin: 5e-3,
  kWigglesMax: 1,
  lnkStepIntegrals: 0.04,
  kMaxIntegrals: 1e5,
  sigmaKMin: 5e-5,
  sigmaKMax: 1e3,
  limberOrder: 80,
  limberPanels: 1,
  limberZScale: 0.01,
  limberZMin: 1e-5,
  kernelSubdivisions: 2,
});

/** Default accuracy with some knobs changed. */
export function accuracy(overrides: Partial<Accuracy> = {}): Accuracy {
  return Object.freeze({ ...DEFAULT_ACCURACY, ...overrides });
}
