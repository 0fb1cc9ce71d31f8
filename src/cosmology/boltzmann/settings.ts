/**
 * Accuracy settings of the Boltzmann solver, each with what it controls and its measured effect on
 * P(k) (scripts/boltzmann-convergence.ts prints the changes; README "Linear P(k) from Cosmeta's
 * Boltzmann solver" records them). One place, recorded with every result.
 */
export interface BoltzmannSettings {
  /** Photon temperature and polarisation hierarchies truncated at l = lMaxPhoton (MB95 eq. 51). 10 instead of 16: up to 7e-4 at BAO k. */
  lMaxPhoton: number;
  /**
   * Massless-neutrino hierarchy truncated at l = lMaxNeutrino (MB95 eq. 51). Doubling both l_max changes P by
   * 5-6e-4 (the truncation and the fluid switch below are the largest systematic); 12 instead of 17: 1-4%.
   * Against a converged reference (l = 300, fluid from k tau = 250, photons l = 32, rtol / 10) the defaults
   * are 1.7-5.5e-4 off; l = 150 with the fluid from 130, photons l = 24 and rtol / 3 are within 1e-4 and pass
   * the doubling test, at 2.8x the time (scripts/boltzmann-convergence.ts; README).
   */
  lMaxNeutrino: number;
  /**
   * Optional: grow the neutrino hierarchy with the mode instead of carrying lMaxNeutrino multipoles from the
   * start. With margin M, the hierarchy starts at l = 2M and doubles (up to lMaxNeutrino) whenever k tau reaches
   * l - M; the new multipoles start at zero (free streaming has not reached them: F_l ~ j_l(k tau) is tiny for
   * l > k tau + M). Unset: the full hierarchy throughout (the default, so results recorded without it keep
   * their bytes).
   */
  neutrinoLMargin?: number;
  /** Rodas4 relative tolerance per step. rtol / 10 changes P by 0.9-2.6e-4 at 2x the steps; 1e-4: up to 3.6e-3. */
  rtol: number;
  /**
   * Component errors are measured against max(|y_i|, errorFloor x max(|eta|, |delta_c|)): radiation
   * multipoles far below the metric/CDM scale (free-streaming at late times) are not resolved.
   * errorFloor / 10: P changes 0.8-2.4e-4 at 1.7x the steps; 1: up to 3e-3.
   */
  errorFloor: number;
  /** Initial time: k tau_ini <= kTauInitial ... (both 10x smaller: 1e-5 to 6e-5) */
  kTauInitial: number;
  /** ... and a_ini <= aIniOverAeq a_eq (radiation-era adiabatic initial conditions, MB95 eq. 96). */
  aIniOverAeq: number;
  /** Neutrino fluid approximation (CLASS ufa) from k tau = ufaKTau; Infinity keeps the hierarchy. 60: P moves 5e-3 (reflections at l_max 17). */
  ufaKTau: number;
  /** Radiation streaming approximation (CLASS rsa) from k tau = rsaKTau, once kappa' tau < rsaKappaTau. 90 and 0.1: 1-1.7e-4. */
  rsaKTau: number;
  rsaKappaTau: number;
  /** Step budget per mode; exceeding it throws. */
  maxSteps: number;
  /**
   * k sampling: requested k <= kDirectMax [1/Mpc] are solved directly; above it T is solved on a log grid
   * with highKPerEfold points per e-fold and ln T splined in ln k (T is smooth there: no BAO left).
   * Twice the nodes: P changes < 1e-4; all k solved directly: < 3.2e-4 (per-mode step-control noise).
   */
  kDirectMax: number;
  highKPerEfold: number;
  /** RECFAST output spacing in z (RECFAST/CAMB: 1). dz = 1 with tables x2: P changes < 2e-6; z_star, r_drag within 3e-6 of CAMB. */
  recfastDz: number;
  /** Nodes per e-fold of a in the x_e, c_s^2 tables. */
  thermoNodesPerEfold: number;
  /**
   * sigma8 = [int dln k Delta^2(k) W^2(k R8)]^(1/2): T(k, 0) is solved on its own log grid, sigma8PerEfold
   * points per e-fold from sigma8kMin to sigma8kBreak (BAO range) and sigma8PerEfoldHigh above it up to
   * sigma8kMax [1/Mpc]; ln T is splined in ln k and the integral done on a fine grid with the exact window.
   * Doubling the densities and widening the range to [1e-4, 20]: sigma8 changes by 2.6-7.3e-5.
   */
  sigma8kMin: number;
  sigma8kBreak: number;
  sigma8kMax: number;
  sigma8PerEfold: number;
  sigma8PerEfoldHigh: number;
}

export const DEFAULT_BOLTZMANN: Readonly<BoltzmannSettings> = Object.freeze({
  lMaxPhoton: 16,
  lMaxNeutrino: 17,
  rtol: 1e-5,
  errorFloor: 0.1,
  kTauInitial: 1e-2,
  aIniOverAeq: 1e-3,
  ufaKTau: 30,
  rsaKTau: 45,
  rsaKappaTau: 0.2,
  maxSteps: 200000,
  kDirectMax: 1,
  highKPerEfold: 3,
  recfastDz: 5,
  thermoNodesPerEfold: 400,
  sigma8kMin: 5e-4,
  sigma8kBreak: 0.6,
  sigma8kMax: 10,
  sigma8PerEfold: 8,
  sigma8PerEfoldHigh: 2,
});
