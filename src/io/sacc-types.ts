/**
 * The content of a two-point data file (SACC 2 in HDF5 or FITS, or DES/CosmoSIS 2pt-FITS) as Cosmeta
 * holds it: tracers with their own n(z) grids, data points in covariance order, a dense covariance and
 * optional bandpower windows. Readers produce it, writers take it, and the analysis problem is built
 * from it; no reader-specific layout leaks past this type.
 *
 * Conventions: angles in arcmin (SACC and 2pt-FITS store xi at theta in arcmin), multipoles as numbers,
 * the covariance row-major [n][n] with n = points.length, points in the order of the covariance.
 */

/** A tomographic bin: n(z) tabulated on its own grid (not necessarily normalised). */
export interface NzTracer {
  /** SACC tracer name, e.g. `src0`. */
  readonly name: string;
  /** SACC quantity, e.g. `galaxy_shear` or `galaxy_density` (empty when the file gives none). */
  readonly quantity: string;
  readonly z: Float64Array;
  readonly nz: Float64Array;
}

/** SACC data-type names Cosmeta models. Others may be read, kept and written, but not analysed. */
export const SHEAR_DATA_TYPES = ['galaxy_shear_xi_plus', 'galaxy_shear_xi_minus', 'galaxy_shear_cl_ee'] as const;

/** One measured value of a two-point statistic between two tracers. */
export interface DataPoint {
  /** SACC data type, e.g. `galaxy_shear_xi_plus`. */
  readonly dataType: string;
  readonly tracers: readonly [string, string];
  readonly value: number;
  /** Angle [arcmin] for correlation functions. */
  readonly theta?: number;
  /** Multipole for spectra (the bandpower's effective ell when a window is given). */
  readonly ell?: number;
  /** Index into `TwoPointData.windows`, and the band's row in that window. */
  readonly window?: { readonly index: number; readonly band: number };
  /** Any other tags the file gives (e.g. `theta_min`, `theta_max`, `bin`), by name. */
  readonly tags: Readonly<Record<string, number | string>>;
}

/** Bandpower windows: weight[band][i] at multipole ell[i]. */
export interface BandpowerWindow {
  readonly ell: Float64Array;
  readonly weight: readonly Float64Array[];
}

export interface TwoPointData {
  readonly tracers: readonly NzTracer[];
  readonly points: readonly DataPoint[];
  /** Dense covariance [n][n], row-major, n = points.length, in the order of `points`. */
  readonly covariance: Float64Array;
  readonly windows: readonly BandpowerWindow[];
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}
