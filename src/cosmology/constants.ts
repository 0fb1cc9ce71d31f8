/**
 * Physical constants, with the values CCL 3.3 uses (CODATA 2018 / IAU 2015), so results agree with it
 * to the last digits that matter.
 */

/** Speed of light [m/s]. */
export const CLIGHT = 299792458;
/** Speed of light [km/s]. */
export const CLIGHT_KMS = CLIGHT / 1000;
/** Hubble distance c/H0 for h = 1 [Mpc] (c / 100 km/s/Mpc). */
export const HUBBLE_DISTANCE_H1 = CLIGHT_KMS / 100;
/** Newton's constant [m^3 kg^-1 s^-2] (CODATA 2018, as CCL). */
export const GNEWT = 6.6743e-11;
/** Solar mass [kg] (IAU 2015 nominal, as CCL). */
export const SOLAR_MASS = 1.98847e30;
/** One megaparsec [m]. */
export const MPC_TO_METER = 3.08567758149e22;
/** Stefan-Boltzmann constant [W m^-2 K^-4]. */
export const STBOLTZ = 5.670374419e-8;
/** Critical density for h = 1 [kg m^-3]: 3 (100 km/s/Mpc)^2 / (8 pi G). */
export const RHO_CRIT_H1_SI = (3 * (1e5 / MPC_TO_METER) ** 2) / (8 * Math.PI * GNEWT);
/** Critical density for h = 1 [M_sun Mpc^-3], i.e. rho_crit in h^2 M_sun / Mpc^3. */
export const RHO_CRITICAL = (RHO_CRIT_H1_SI * MPC_TO_METER ** 3) / SOLAR_MASS;
/**
 * Omega_gamma h^2 per K^4 of CMB temperature: 4 sigma_SB T^4 / c^3 / rho_crit(h = 1).
 * At T_CMB = 2.7255 K this is 2.472975e-5, CCL's value.
 */
export const OMEGA_GAMMA_H2_PER_T4 = (4 * STBOLTZ) / CLIGHT ** 3 / RHO_CRIT_H1_SI;
/** Massless-neutrino energy density per effective species relative to photons: (7/8)(4/11)^(4/3). */
export const NU_PER_PHOTON = (7 / 8) * (4 / 11) ** (4 / 3);
/**
 * Intrinsic-alignment normalisation C1 rho_crit (dimensionless) with C1 = 5e-14 h^-2 M_sun^-1 Mpc^3
 * (Brown et al. 2002; Bridle & King 2007), as CCL's NLA amplitude.
 */
export const IA_C1_RHOCRIT = 5e-14 * RHO_CRITICAL;
