/**
 * The Boltzmann solver as the linear models and the emulator's training see it: a function with the
 * solver's signature (`solveBoltzmann` in ./index.ts). Typed structurally here so that the emulator, its
 * training and the `boltzmann` model take the solver as a value (the real one, or a stand-in in tests).
 */

export interface SolverInput {
  Omega_c: number;
  Omega_b: number;
  h: number;
  n_s: number;
  /** Exactly one of A_s (pivot 0.05/Mpc) and sigma8. */
  A_s?: number;
  sigma8?: number;
  T_CMB?: number;
  Neff?: number;
  YHe?: number;
}

export interface SolverResult {
  /** Wavenumbers [1/Mpc]. */
  k: Float64Array;
  z: Float64Array;
  /** Linear total-matter P(k, z) [Mpc^3], pk[iz][ik]. */
  pk: Float64Array[];
  /** T with P = 2 pi^2 / k^3 A_s (k / 0.05)^(n_s - 1) T^2, transfer[iz][ik]. */
  transfer: Float64Array[];
  A_s: number;
  sigma8: number;
  YHe: number;
}

export type SolveBoltzmann = (input: SolverInput, k: ArrayLike<number>, z: ArrayLike<number>, settings?: Record<string, unknown>) => SolverResult;

/** The name a solver goes by in records (`solver` in emulator files): "boltzmann" or a stand-in's name. */
export interface NamedSolver {
  readonly name: string;
  readonly solve: SolveBoltzmann;
}
