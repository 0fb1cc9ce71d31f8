/**
 * The contract between matter power spectra and the angular spectra: anything that gives P(k, z)
 * [Mpc^3] for a batch of wavenumbers at one redshift. Linear theory, halofit, a tabulated spectrum and
 * (later) an emulator are all implementations, so the Limber code never changes when the model does.
 */
export interface MatterPower {
  /** Stable identifier recorded with results. */
  readonly name: string;
  /**
   * out[i] = P(k[i], z) [Mpc^3] for wavenumbers k[i] [1/Mpc], i < n; lnk[i] = ln k[i] is passed too
   * because callers have it for free and the models need both.
   */
  fill(z: number, k: ArrayLike<number>, lnk: ArrayLike<number>, out: Float64Array, n?: number): void;
}
