/**
 * The 3-D BORG data model: Zel'dovich displacement against its closed form for a plane wave, CIC mass
 * conservation, and the gradient of the whole chain (ln p of the counts with respect to the initial
 * white-noise field and ln A) against finite differences (1e-6 relative, see adjoints.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { gridSpectrum } from '../../src/field/gaussian-field.js';
import { ZeldovichModel } from '../../src/field/zeldovich.js';
import { FourierGrid } from '../../src/math/fft.js';
import { Random } from '../../src/math/random.js';
import { directionalCheck } from '../helpers/finite-difference.js';

function model(n: number, extra: { selection?: Float64Array; amplitude?: { lnAMin: number; lnAMax: number } } = {}) {
  const grid = new FourierGrid([n, n, n]);
  const side = 20 * n; // 20 Mpc cells
  const spectrum = gridSpectrum(grid, side, (k) => 2e4 * (k / 0.02) / (1 + (k / 0.02) ** 2.5));
  return new ZeldovichModel({ grid, side, spectrum, meanCount: 3, bias: 1.3, ...extra });
}

describe("Zel'dovich displacement and cloud-in-cell", () => {
  it('a plane wave delta = cos(2 pi m.q / n) is displaced by u = -(m / |m|^2) (n / 2 pi) sin(2 pi m.q / n) cells', () => {
    const n = 8;
    const z = model(n);
    const m = [1, -2, 3];
    const phase = (p: number) => (2 * Math.PI * (m[0] * Math.floor(p / (n * n)) + m[1] * (Math.floor(p / n) % n) + m[2] * (p % n))) / n;
    const delta = Float64Array.from({ length: n ** 3 }, (_, p) => Math.cos(phase(p)));
    const u = z.displacementOfDensity(delta);
    const m2 = m[0] ** 2 + m[1] ** 2 + m[2] ** 2;
    for (let d = 0; d < 3; d++) {
      for (let p = 0; p < n ** 3; p++) expect(u[d][p]).toBeCloseTo((-(m[d] / m2) * n * Math.sin(phase(p))) / (2 * Math.PI), 12);
    }
  });

  it('CIC conserves mass, and an undisplaced lattice gives rho = 1 in every cell', () => {
    const n = 8;
    const z = model(n);
    const zero = [0, 1, 2].map(() => new Float64Array(n ** 3));
    for (const r of z.density(zero)) expect(r).toBeCloseTo(1, 14);
    const rng = new Random(2);
    const u = [0, 1, 2].map(() => Float64Array.from({ length: n ** 3 }, () => 3 * rng.normal()));
    const rho = z.density(u);
    expect(rho.reduce((a, b) => a + b, 0)).toBeCloseTo(n ** 3, 9);
  });
});

describe("gradient of the Zel'dovich-CIC-Poisson posterior equals finite differences (1e-6 relative)", () => {
  for (const [name, extra] of [
    ['all cells selected, fixed amplitude', {}],
    ['selection mask and sampled amplitude', { selection: Float64Array.from({ length: 512 }, (_, i) => (i % 8 < 3 ? 0 : 0.5 + 0.5 * Math.cos(i))), amplitude: { lnAMin: -2, lnAMax: 2 } }],
  ] as const) {
    it(name, () => {
      const z = model(8, extra);
      const rng = new Random(9);
      const truth = Float64Array.from({ length: z.dim }, () => rng.normal());
      if (z.sampleAmplitude) truth[z.size] = 0;
      z.simulate(truth, rng);
      const x = Float64Array.from({ length: z.dim }, () => 0.5 * rng.normal());
      if (z.sampleAmplitude) x[z.size] = 0.2;
      expect(Number.isFinite(z.logProb(x))).toBe(true);
      // h = 1e-6: a CIC weight has a kink where a particle crosses a node; a step of 1e-6 cells crosses
      // one with probability ~1e-4 over the 512 particles and 3 axes.
      expect(directionalCheck((p, g) => z.logProb(p, g), x, rng, 1e-6)).toBeLessThan(1e-6);
    });
  }
});
