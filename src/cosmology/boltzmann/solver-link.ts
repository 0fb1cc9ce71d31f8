/**
 * The Boltzmann solver this build links for the `boltzmann` model and for training the emulator
 * (solveBoltzmann in ./index.ts, wrapped to the structural interface of solver-api.ts).
 */

import { solveBoltzmann } from './index.js';
import type { NamedSolver } from './solver-api.js';

const linked: NamedSolver = {
  name: 'boltzmann',
  solve: (input, k, z, settings) => solveBoltzmann(input, k, z, settings as Parameters<typeof solveBoltzmann>[3]),
};

export const LINKED_SOLVER: NamedSolver | null = Object.freeze(linked);
