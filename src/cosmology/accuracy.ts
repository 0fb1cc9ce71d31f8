/**
 * Every numerical accuracy knob of the theory engine, in one place, with the reason for its default.
 * The values in force are recorded with each result (`config.accuracy` in the CLI's output).
 */

export interface Accuracy {
  /** Background (distance) table: nodes per e-fold of scale factor. Cubic Hermite with exact derivatives: error ~1e-9 at 16. */
  readonly backgroundNodesPerEfold: number;
  /** Growth ODE: classical Runge-Kutta steps per e-fold of scale factor. 40 gives D to ~1e-8. */
  readonly growthStepsPerEfold: number;
  /** Growth ODE starts at this scale factor with D = a, dD/da = 1 (CCL's convention). */
  readonly growthInitialA: number;
  /** Linear P(k) table lower end [1/Mpc]; below it ln P is extended linearly in ln k. */
  readonly kMin: number;
  /** Linear P(k) table upper end [1/Mpc]; above it ln P is extended linearly in ln k. */
  readonly kMax: number;
  /** Linear P(k) table spacing in ln k. 0.02 resolves the BAO wiggles of Eisenstein & Hu to ~1e-6. */
  readonly lnkStep: number;
  /** sigma8 normalisation: integration limits [1/Mpc] (CCL's: 5e-5 to 1e3). */
  readonly sigmaKMin: number;
  readonly sigmaKMax: number;
  /** Halofit sigma(R) table spacing in ln R (cubic Hermite with exact derivatives). */
  readonly halofitLnRStep: number;
  /** Limber integral: Gauss-Legendre nodes per panel, and number of panels in s = ln(1 + z / limberZScale). */
  readonly limberOrder: number;
  readonly limberPanels: number;
  /** Redshift scale of the Limber integration variable s = ln(1 + z / zs): nodes are denser at low z. */
  readonly limberZScale: number;
  /** Lowest redshift of the Limber integral (contributions below are < 1e-7 of C_ell). */
  readonly limberZMin: number;
  /** Lensing kernels: n(z) integrals use Simpson's rule on each n(z) interval split this many times. */
  readonly kernelSubdivisions: number;
}

export const DEFAULT_ACCURACY: Accuracy = Object.freeze({
  backgroundNodesPerEfold: 16,
  growthStepsPerEfold: 40,
  growthInitialA: 1e-6,
  kMin: 1e-5,
  kMax: 1e3,
  lnkStep: 0.02,
  sigmaKMin: 5e-5,
  sigmaKMax: 1e3,
  halofitLnRStep: 0.05,
  limberOrder: 16,
  limberPanels: 8,
  limberZScale: 0.1,
  limberZMin: 1e-5,
  kernelSubdivisions: 2,
});

/** Default accuracy with some knobs changed. */
export function accuracy(overrides: Partial<Accuracy> = {}): Accuracy {
  return Object.freeze({ ...DEFAULT_ACCURACY, ...overrides });
}
