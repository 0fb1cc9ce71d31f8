/**
 * The contract between matter power spectra and the angular spectra: anything that gives P(k, z)
 * [Mpc^3] for a batch of wavenumbers at one redshift. Linear theory, halofit, a tabulated spectrum and
 * (later) an emulator are all implementations, so the Limber code never changes when the model does.
 */
export interface MatterPower {
  /** Stable identifier recorded with results. */
  readonly name: string;
  /** out[i] = P(k_i, z) [Mpc^3] with lnk[i] = ln(k_i [1/Mpc]), for i < n. */
  fill(z: number, lnk: ArrayLike<number>, out: Float64Array, n?: number): void;
}
