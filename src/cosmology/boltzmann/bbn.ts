/**
 * Primordial helium mass fraction Y_He(omega_b) from the PRIMAT BBN predictions (Pitrou et al. 2018,
 * arXiv:1801.08023; 2021 update arXiv:2011.11320), the table CAMB ships as
 * `camb/PRIMAT_Yp_DH_ErrorMC_2021.dat` (CAMB 1.6.6) and uses by default through `camb.bbn.get_predictor()`.
 *
 * The column used is the BBN nucleon fraction Yp^BBN at DeltaN = 0 (N_eff = 3.044), converted to the
 * mass fraction as CAMB's `ypBBN_to_yhe`: Y_He = Y m_He4 / (Y m_He4 - 4 Y m_H + 4 m_H), with CAMB's
 * atomic masses m_H = 1.673575e-27 kg and m_He4 = 6.646479073e-27 kg. Interpolation is a cubic spline in
 * omega_b (CAMB: scipy's interpolating RectBivariateSpline, which at DeltaN = 0 reduces to a 1-D cubic;
 * a natural spline differs by < 1e-5 in Y_He, which moves P(k) by < 1e-5). Outside the table's range
 * [0.005, 0.040] the edge value is used, as CAMB/scipy evaluation does (Y_He = 0.22728 below, 0.25122 above).
 */

import { CubicSpline } from '../../math/spline.js';

const OMBH2 = [
  0.005, 0.006, 0.007, 0.008, 0.009, 0.01, 0.011, 0.012, 0.013, 0.014, 0.015, 0.016, 0.017, 0.018, 0.019, 0.02, 0.0202,
  0.0204, 0.0206, 0.0208, 0.021, 0.0212, 0.0214, 0.0216, 0.0218, 0.022, 0.0222, 0.0224, 0.0226, 0.0228, 0.023, 0.0232,
  0.0234, 0.0236, 0.0238, 0.024, 0.025, 0.026, 0.027, 0.028, 0.029, 0.03, 0.031, 0.032, 0.033, 0.034, 0.035, 0.036,
  0.037, 0.038, 0.039, 0.04,
];
const YP_BBN = [
  0.228544, 0.231645, 0.233975, 0.235825, 0.237351, 0.238646, 0.23977, 0.240761, 0.241648, 0.242449, 0.243179, 0.243851,
  0.244472, 0.24505, 0.24559, 0.246097, 0.246195, 0.246292, 0.246387, 0.246481, 0.246575, 0.246667, 0.246758, 0.246849,
  0.246938, 0.247026, 0.247114, 0.2472, 0.247286, 0.247371, 0.247454, 0.247537, 0.24762, 0.247701, 0.247782, 0.247861,
  0.248249, 0.24862, 0.248974, 0.249314, 0.249641, 0.249955, 0.250257, 0.250549, 0.250831, 0.251103, 0.251367, 0.251623,
  0.251871, 0.252111, 0.252345, 0.252572,
];
/** CAMB's atomic masses [kg] (constants.py). */
const M_H = 1.673575e-27;
const M_HE4 = 6.646479073e-27;

let spline: CubicSpline | null = null;

/** BBN nucleon fraction to helium mass fraction (CAMB's ypBBN_to_yhe). */
function ypBbnToYhe(y: number): number {
  return (y * M_HE4) / (y * M_HE4 - 4 * y * M_H + 4 * M_H);
}

/**
 * Y_He at physical baryon density omega_b = Omega_b h^2, evaluated (as CAMB) at omega_b (2.7255/T_CMB)^3,
 * clamped to the table's omega_b range. Valid for N_eff = 3.044 (DeltaN = 0).
 */
export function heliumFractionBbn(ombh2: number, T_CMB = 2.7255): number {
  spline ??= new CubicSpline(OMBH2, YP_BBN);
  const x = ombh2 * (2.7255 / T_CMB) ** 3;
  const xc = Math.min(OMBH2[OMBH2.length - 1], Math.max(OMBH2[0], x));
  return ypBbnToYhe(spline.evaluate(xc));
}

/** The omega_b range of the table; outside it Y_He is the edge value. */
export const BBN_OMBH2_RANGE: readonly [number, number] = [OMBH2[0], OMBH2[OMBH2.length - 1]];
