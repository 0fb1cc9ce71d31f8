/**
 * Atomic and physical constants of the recombination and perturbation codes, with the values CAMB 1.6.6
 * uses (fortran/constants.f90: CODATA 2018 and the atomic data in fortran/recfast.f90), so that the
 * ionisation history matches CAMB's RECFAST to the digits that matter.
 */

/** Speed of light [m/s]. */
export const C_LIGHT = 2.99792458e8;
/** Planck constant [J s]. */
export const H_PLANCK = 6.62607015e-34;
/** Boltzmann constant [J/K]. */
export const K_BOLTZMANN = 1.380649e-23;
/** Newton's constant [m^3 kg^-1 s^-2]. */
export const G_NEWTON = 6.6743e-11;
/** Thomson cross-section [m^2]. */
export const SIGMA_THOMSON = 6.6524587321e-29;
/** Stefan-Boltzmann constant [W m^-2 K^-4]. */
export const SIGMA_BOLTZMANN = 5.670374419e-8;
/** Electron mass [kg]. */
export const M_ELECTRON = 9.1093837015e-31;
/** Proton mass [kg]. */
export const M_PROTON = 1.67262192369e-27;
/** Mean hydrogen-atom mass for D/H = 2.527e-5 [kg] (CAMB's m_H). */
export const M_HYDROGEN = 1.673575e-27;
/** Helium-4 atom mass [kg]. */
export const M_HELIUM4 = 6.646479073e-27;
/** One megaparsec [m] (CAMB's value). */
export const MPC_M = 3.085677581e22;
/** Radiation constant a_rad = 8 pi^5 k_B^4 / (15 c^3 h^3) [J m^-3 K^-4]. */
export const A_RAD = (8 * Math.PI ** 5 * K_BOLTZMANN ** 4) / 15 / C_LIGHT ** 3 / H_PLANCK ** 3;
/** CMB temperature that RECFAST's redshift switches are defined at [K] (COBE/FIRAS, Fixsen 2009). */
export const T_COBE = 2.7255;
