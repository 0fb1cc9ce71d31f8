/**
 * The `boltzmann` linear model: the Boltzmann solver run at each cosmology (~0.3-1 s each), as an
 * absolute shape P(k, z = 0) / A_s [Mpc^3] on the solver's k grid, interpolated by a natural cubic spline
 * in ln P against ln k (grid: BOLTZMANN_K, 1e-5 to 1e3 / Mpc). sigma8 or A_s then normalise it exactly
 * (the solver's P is linear in A_s).
 */

import { CosmetaError } from '../../errors.js';
import { CubicSpline } from '../../math/spline.js';
import type { NamedSolver } from '../boltzmann/solver-api.js';
import type { Cosmology } from '../params.js';
import type { LinearShape } from './model.js';

/** The solver's wavenumbers for the `boltzmann` model [1/Mpc]: 40 per e-fold in ln k, 1e-5 to 1e3. */
export const BOLTZMANN_K: Float64Array = (() => {
  const a = Math.log(1e-5);
  const b = Math.log(1e3);
  const n = Math.ceil((b - a) * 40);
  return Float64Array.from({ length: n + 1 }, (_, i) => Math.exp(a + ((b - a) * i) / n));
})();

/** The reference amplitude the solver is run at (its P is proportional to A_s). */
const A_S_RUN = 2e-9;

/** Only flat Lambda-CDM with massless neutrinos: the solver's physics. */
export function checkSolverCosmology(c: Cosmology, model: string): void {
  const bad: string[] = [];
  if (c.w0 !== -1 || c.wa !== 0) bad.push(`w0=${c.w0}, wa=${c.wa} (must be -1, 0)`);
  if (c.Omega_k !== 0) bad.push(`Omega_k=${c.Omega_k} (must be 0)`);
  if (!c.radiation) bad.push('radiation=false (the solver always has radiation)');
  if (bad.length > 0) throw new CosmetaError(`linear model ${model} is flat Lambda-CDM with radiation only: ${bad.join('; ')}`);
}

export function boltzmannShape(solver: NamedSolver): LinearShape {
  return {
    name: solver.name === 'boltzmann' ? 'boltzmann' : `boltzmann(${solver.name})`,
    absolute: true,
    check: (c) => checkSolverCosmology(c, 'boltzmann'),
    prepare(c: Cosmology) {
      const r = solver.solve({ Omega_c: c.Omega_c, Omega_b: c.Omega_b, h: c.h, n_s: c.n_s, A_s: A_S_RUN, T_CMB: c.T_CMB, Neff: c.Neff }, BOLTZMANN_K, [0]);
      const lnk = Float64Array.from(r.k, Math.log);
      const spline = new CubicSpline(lnk, Float64Array.from(r.pk[0], (p) => Math.log(p / A_S_RUN)));
      const lo = lnk[0];
      const hi = lnk[lnk.length - 1];
      return (k: number): number => {
        const x = Math.log(k);
        const t = x < lo ? lo : x > hi ? hi : x;
        return Math.exp(spline.evaluate(t) + (x - t) * spline.derivative(t));
      };
    },
  };
}
