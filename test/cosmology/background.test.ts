import { describe, expect, it } from 'vitest';
import { Background } from '../../src/cosmology/background.js';
import { cosmology } from '../../src/cosmology/params.js';
import { referenceTable } from '../helpers/reference.js';

// CCL benchmark cosmologies (test/reference/ccl/README.md section 1): Omega_m = 0.3, h = 0.7.
const MODELS = [
  { w0: -1, wa: 0, Omega_k: 0 },
  { w0: -0.9, wa: 0, Omega_k: 0 },
  { w0: -0.9, wa: 0.1, Omega_k: 0 },
  { w0: -0.9, wa: 0.1, Omega_k: 0.05 },
  { w0: -0.9, wa: 0.1, Omega_k: -0.05 },
];
const base = { Omega_c: 0.25, Omega_b: 0.05, h: 0.7, sigma8: 0.8, n_s: 0.96 };

function noRadiation(m: (typeof MODELS)[number]) {
  return cosmology({ ...base, ...m, radiation: false });
}

describe('distances against CCL benchmarks', () => {
  it('chi(z) for models 1-5, z = 0..5, no radiation (CCL rtol 1e-4)', () => {
    const rows = referenceTable('ccl/chi_model1-5.txt');
    MODELS.forEach((m, j) => {
      const bg = new Background(noRadiation(m), 5);
      for (const r of rows) {
        if (r[0] === 0) continue;
        const chi = bg.comovingRadialDistance(r[0]) * 0.7; // Mpc -> Mpc/h
        expect(Math.abs(chi / r[j + 1] - 1)).toBeLessThan(1e-4);
      }
    });
  });

  it('chi(z) at z = 10..1000 for models 1-3 (CCL rtol 1e-4)', () => {
    const rows = referenceTable('ccl/chi_hiz_model1-3.txt');
    MODELS.slice(0, 3).forEach((m, j) => {
      const bg = new Background(noRadiation(m), 1000);
      for (const r of rows) expect(Math.abs((bg.comovingRadialDistance(r[0]) * 0.7) / r[j + 1] - 1)).toBeLessThan(1e-4);
    });
  });

  it('chi(z) and distance modulus with radiation against CLASS, models 1-5 (CCL rtol 1e-5)', () => {
    const chiRows = referenceTable('ccl/chi_class_allz.txt');
    const dmRows = referenceTable('ccl/dm_class_allz.txt');
    MODELS.forEach((m, j) => {
      const c = cosmology({ ...base, ...m, T_CMB: 2.725, Neff: 3.046 });
      const bg = new Background(c, 1000);
      chiRows.forEach((r, i) => {
        expect(Math.abs(bg.comovingRadialDistance(r[0]) / r[j + 1] - 1)).toBeLessThan(1e-5);
        expect(Math.abs(bg.distanceModulus(r[0]) / dmRows[i][j + 1] - 1)).toBeLessThan(1e-5);
      });
    });
  });

  it('a(chi) inverts chi(a) to 1e-10', () => {
    const bg = new Background(noRadiation(MODELS[2]), 6);
    for (const z of [0.01, 0.5, 1.3, 4.9]) {
      const chi = bg.comovingRadialDistance(z);
      expect(Math.abs(1 / bg.scaleFactorOfChi(chi) - 1 - z)).toBeLessThan(1e-10 * (1 + z));
    }
  });
});

describe('growth against CCL benchmarks', () => {
  it('unnormalised D(z), z = 0..5, models 1-5 (CCL rtol 1e-4)', () => {
    const rows = referenceTable('ccl/growth_model1-5.txt');
    MODELS.forEach((m, j) => {
      const bg = new Background(noRadiation(m), 5);
      for (const r of rows) expect(Math.abs(bg.growthFactorUnnormalised(1 / (1 + r[0])) / r[j + 1] - 1)).toBeLessThan(1e-4);
    });
  });

  it('unnormalised D(z), z = 10..1000, models 1-3 (CCL rtol 6e-6)', () => {
    const rows = referenceTable('ccl/growth_hiz_model1-3.txt');
    MODELS.slice(0, 3).forEach((m, j) => {
      const bg = new Background(noRadiation(m), 5);
      for (const r of rows) expect(Math.abs(bg.growthFactorUnnormalised(1 / (1 + r[0])) / r[j + 1] - 1)).toBeLessThan(6e-6);
    });
  });

  it('unnormalised D(z) against CosmoMAD, z = 0.01..1000 (CCL rtol 1e-4)', () => {
    const rows = referenceTable('ccl/growth_cosmomad_allz.txt');
    MODELS.forEach((m, j) => {
      const bg = new Background(noRadiation(m), 5);
      for (const r of rows) expect(Math.abs(bg.growthFactorUnnormalised(1 / (1 + r[0])) / r[j + 1] - 1)).toBeLessThan(1e-4);
    });
  });

  it('growth rate equals Omega_m(a)^0.55 to 1% in flat LCDM (Linder 2005)', () => {
    const bg = new Background(noRadiation(MODELS[0]), 5);
    for (const a of [0.3, 0.5, 1]) {
      const om = 0.3 / (0.3 + 0.7 * a ** 3);
      expect(Math.abs(bg.growthRate(a) / om ** 0.55 - 1)).toBeLessThan(0.01);
    }
  });
});
