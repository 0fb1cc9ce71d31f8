/**
 * Accuracy settings of the Boltzmann solver, each with what it controls and its measured effect on
 * P(k) (scripts/boltzmann-convergence.ts prints the changes; README "Linear P(k) from Cosmeta's
 * Boltzmann solver" records them). One place, recorded with every result.
 */
export interface BoltzmannSettings {
  /** Photon temperature and polarisation hierarchies truncated at l = lMaxPhoton (MB95 eq. 51). */
  lMaxPhoton: number;
  /** Massless-neutrino hierarchy truncated at l = lMaxNeutrino (MB95 eq. 51). */
  lMaxNeutrino: number;
  /** Rodas4 relative tolerance per step. */
  rtol: number;
  /**
   * Component errors are measured against max(|y_i|, errorFloor x max(|eta|, |delta_c|)): radiation
   * multipoles far below the metric/CDM scale (free-streaming at late times) are not resolved.
   */
  errorFloor: number;
  /** Initial time: k tau_ini <= kTauInitial ... */
  kTauInitial: number;
  /** ... and a_ini <= aIniOverAeq a_eq (radiation-era adiabatic initial conditions, MB95 eq. 96). */
  aIniOverAeq: number;
  /** Neutrino fluid approximation (CLASS ufa) from k tau = ufaKTau; Infinity keeps the hierarchy. */
  ufaKTau: number;
  /** Radiation streaming approximation (CLASS rsa) from k tau = rsaKTau, once kappa' tau < rsaKappaTau. */
  rsaKTau: number;
  rsaKappaTau: number;
  /** Step budget per mode; exceeding it throws. */
  maxSteps: number;
  /** RECFAST output spacing in z (RECFAST/CAMB: 1). */
  recfastDz: number;
  /** Nodes per e-fold of a in the x_e, c_s^2 tables. */
  thermoNodesPerEfold: number;
  /**
   * sigma8 = [int dln k Delta^2(k) W^2(k R8)]^(1/2): T(k, 0) is solved on its own log grid, sigma8PerEfold
   * points per e-fold from sigma8kMin to sigma8kBreak (BAO range) and sigma8PerEfoldHigh above it up to
   * sigma8kMax [1/Mpc]; ln T is splined in ln k and the integral done on a fine grid with the exact window.
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
  recfastDz: 5,
  thermoNodesPerEfold: 400,
  sigma8kMin: 5e-4,
  sigma8kBreak: 0.6,
  sigma8kMax: 10,
  sigma8PerEfold: 8,
  sigma8PerEfoldHigh: 2,
});
