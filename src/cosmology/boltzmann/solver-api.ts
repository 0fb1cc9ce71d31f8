/**
 * The Boltzmann solver as the linear models and the emulator's training see it: a function with the
 * signature of `solveBoltzmann` (./index.ts), taken as a value so that the emulator, its training and the
 * `boltzmann` model run the real solver or, in tests of the pipeline, a stand-in. The types are the
 * solver's own (type-only imports, so nothing here loads the solver).
 */

import type { BoltzmannInput, BoltzmannResult, BoltzmannSettings } from './index.js';

/** Exactly one of A_s (pivot 0.05/Mpc) and sigma8; see BoltzmannInput. */
export type SolverInput = BoltzmannInput;

/** What callers use of a solution: P(k, z) [Mpc^3] as pk[iz][ik], the transfer function, amplitudes. */
export type SolverResult = Pick<BoltzmannResult, 'k' | 'z' | 'pk' | 'transfer' | 'A_s' | 'sigma8' | 'YHe'>;

export type SolveBoltzmann = (input: SolverInput, k: ArrayLike<number>, z: ArrayLike<number>, settings?: Partial<BoltzmannSettings>) => SolverResult;

/** The name a solver goes by in records (`solver` in emulator files): "boltzmann" or a stand-in's name. */
export interface NamedSolver {
  readonly name: string;
  readonly solve: SolveBoltzmann;
}
