/**
 * STAND-IN FOR TESTS ONLY, NOT A BOLTZMANN SOLVER. It has the solver's signature and returns the
 * Eisenstein & Hu (1998) spectrum with baryon wiggles, normalised to A_s by the Poisson equation
 * (power/normalisation.ts), with growth from the background ODE, evaluated at a perturbed cosmology
 * (Omega_b x 1.02 and Theta_2.7 x 1.003 inside the transfer function) so that it differs from the
 * emulator's EH reference by a few per cent in the wiggles and the turnover, as a real solver does. It lets the emulator's pipeline be
 * built and tested without the solver; its name ("standin_eisenstein_hu") is recorded in every file
 * trained on it, and such files are refused as the shipped `boltzmann_emulated` model.
 */

import { Background } from '../background.js';
import { cosmology } from '../params.js';
import { poissonFactor, K_PIVOT } from '../power/normalisation.js';
import { eisensteinHu } from '../transfer/eisenstein_hu.js';
import type { NamedSolver, SolverInput, SolverResult } from './solver-api.js';
import { topHatWindow } from '../power/linear.js';
import { integrate } from '../../math/quadrature.js';

export const STANDIN_SOLVER_NAME = 'standin_eisenstein_hu';

function solveStandIn(input: SolverInput, k: ArrayLike<number>, z: ArrayLike<number>): SolverResult {
  const c = cosmology({ Omega_c: input.Omega_c, Omega_b: input.Omega_b, h: input.h, n_s: input.n_s, A_s: 1e-9, T_CMB: input.T_CMB, Neff: input.Neff });
  const shape = eisensteinHu.prepare(cosmology({ Omega_c: input.Omega_c - 0.02 * input.Omega_b, Omega_b: 1.02 * input.Omega_b, h: input.h, n_s: input.n_s, A_s: 1e-9, T_CMB: 1.003 * (input.T_CMB ?? 2.7255), Neff: input.Neff }));
  const perAs = poissonFactor(c);
  const sigma2PerAs = (integrate((lnk) => {
    const kk = Math.exp(lnk);
    const w = topHatWindow((kk * 8) / c.h);
    return perAs * shape(kk) * kk * kk * kk * w * w;
  }, Math.log(5e-5), Math.log(1e3), 1e-10) / (2 * Math.PI * Math.PI));
  const A_s = input.A_s ?? (input.sigma8 as number) ** 2 / sigma2PerAs;
  const zMax = Math.max(1e-3, ...Array.from(z));
  const bg = new Background(c, zMax);
  const kk = Float64Array.from(k);
  const pk: Float64Array[] = [];
  const transfer: Float64Array[] = [];
  for (let iz = 0; iz < z.length; iz++) {
    const d = bg.growthFactor(1 / (1 + z[iz]));
    const p = Float64Array.from(kk, (q) => A_s * perAs * shape(q) * d * d);
    pk.push(p);
    transfer.push(Float64Array.from(kk, (q, i) => Math.sqrt((p[i] * q * q * q) / (2 * Math.PI * Math.PI * A_s * Math.pow(q / K_PIVOT, input.n_s - 1)))));
  }
  return { k: kk, z: Float64Array.from(z), pk, transfer, A_s, sigma8: Math.sqrt(A_s * sigma2PerAs), YHe: input.YHe ?? 0.24 };
}

/** The stand-in (tests and pipeline checks only; see the header). */
export const standInSolver: NamedSolver = Object.freeze({ name: STANDIN_SOLVER_NAME, solve: solveStandIn });
