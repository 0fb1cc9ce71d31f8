import { describe, expect, it } from 'vitest';
import { prepareCosmology } from '../../src/cosmology/boltzmann/params.js';
import { BoltzmannBackground } from '../../src/cosmology/boltzmann/background.js';
import { ThermalHistory } from '../../src/cosmology/boltzmann/thermo.js';
import { evolveMode } from '../../src/cosmology/boltzmann/perturbations.js';
import { DEFAULT_BOLTZMANN } from '../../src/cosmology/boltzmann/settings.js';

describe('Boltzmann perturbation Jacobian', () => {
  it('the hand-written Jacobian equals the columns f(e_j) of the linear right-hand side (exact up to roundoff)', () => {
    const c = prepareCosmology({ Omega_c: 0.27, Omega_b: 0.045, h: 0.67, n_s: 0.96 });
    const bg = new BoltzmannBackground(c);
    const th = new ThermalHistory(bg, 5);
    const checked: string[] = [];
    // k = 3/Mpc runs the full and neutrino-fluid stages; check at early (tight coupling), recombination and late times
    evolveMode(bg, th, 3, [0], DEFAULT_BOLTZMANN, undefined, (stage, n, byColumns, analytic) => {
      const a = new Float64Array(n * n);
      const b = new Float64Array(n * n);
      for (const x of [-14, -7, -6.5]) {
        byColumns(x, a);
        analytic(x, b);
        let scale = 0;
        for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
        for (let i = 0; i < n * n; i++) {
          // same formulas, different association of products: differences of a few ulp of the largest entry
          expect(Math.abs(a[i] - b[i]), `${stage} x=${x} entry ${Math.floor(i / n)},${i % n}`).toBeLessThan(1e-12 * scale + 1e-14 * Math.abs(a[i]));
        }
      }
      checked.push(stage);
    });
    expect(checked).toContain('full');
    expect(checked).toContain('nuFluid');
  });
});
