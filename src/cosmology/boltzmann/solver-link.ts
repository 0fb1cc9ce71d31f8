/**
 * The Boltzmann solver this build links for the `boltzmann` model and for training the emulator, or null
 * when the solver is not in the build (the `boltzmann` model then says so).
 */

import type { NamedSolver } from './solver-api.js';

export const LINKED_SOLVER: NamedSolver | null = null;
