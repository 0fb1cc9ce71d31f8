/**
 * The `boltzmann` linear model: the Boltzmann solver run at each cosmology (~0.3-1 s each), as an
 * absolute shape P(k, z = 0) / A_s [Mpc^3] on the solver's k grid (BOLTZMANN_K, 1e-5 to 1e3 / Mpc),
 * interpolated by a natural cubic spline in ln(P / P_EH,nw) against ln k (held at its end values beyond
 * the grid). sigma8 or A_s then normalise it exactly (the solver's P is linear in A_s).
 */

import { CosmetaError } from '../../errors.js';
import { CubicSpline } from '../../math/spline.js';
import type { NamedSolver } from '../boltzmann/solver-api.js';
import type { Cosmology } from '../params.js';
import { eisensteinHuNoWiggles } from './eisenstein_hu.js';
import type { LinearShape } from './model.js';

/**
 * The solver's wavenumbers for the `boltzmann` model [1/Mpc], 1e-5 to 1e3: 30 per e-fold over the
 * baryon wiggles (5e-3 to 1 / Mpc: >= 4 per BAO period), 10 per e-fold from 1e-3 to 5e-3 and 6 per
 * e-fold elsewhere, 240 in all (the solver's cost grows with the number of modes). What is splined is
 * ln(P / P_EH,nw), smooth outside the wiggles.
 */
export const BOLTZMANN_K: Float64Array = (() => {
  const out: number[] = [];
  const seg = (a: number, b: number, perEfold: number) => {
    const n = Math.ceil(Math.log(b / a) * perEfold);
    for (let i = 0; i < n; i++) out.push(a * (b / a) ** (i / n));
  };
  seg(1e-5, 1e-3, 6);
  seg(1e-3, 5e-3, 10);
  seg(5e-3, 1, 30);
  seg(1, 1e3, 6);
  out.push(1e3);
  return Float64Array.from(out);
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
      const ref = eisensteinHuNoWiggles.prepare(c);
      const spline = new CubicSpline(lnk, Float64Array.from(r.pk[0], (p, i) => Math.log(p / A_S_RUN / ref(r.k[i]))));
      const lo = lnk[0];
      const hi = lnk[lnk.length - 1];
      return (k: number): number => {
        const x = Math.log(k);
        const t = x < lo ? lo : x > hi ? hi : x;
        return ref(k) * Math.exp(spline.evaluate(t));
      };
    },
  };
}
