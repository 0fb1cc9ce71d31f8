import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Background } from '../../src/cosmology/background.js';
import { iaAmplitude, pairOrder, ShearSpectra, spin2Prefactor } from '../../src/cosmology/limber.js';
import { cosmology } from '../../src/cosmology/params.js';
import { LinearPower } from '../../src/cosmology/power/linear.js';
import { TabulatedPower } from '../../src/cosmology/power/tabulated.js';
import { ShearTheory } from '../../src/cosmology/theory.js';
import { bartlett23 } from '../../src/cosmology/transfer/bartlett23.js';
import { bbks } from '../../src/cosmology/transfer/bbks.js';
import { eisensteinHu } from '../../src/cosmology/transfer/eisenstein_hu.js';
import { parseNpz } from '../../src/io/npy.js';
import { REFERENCE, referenceJson, referenceTable } from '../helpers/reference.js';

interface ShearCase {
  cosmology: { Omega_c: number; Omega_b: number; h: number; sigma8: number; n_s: number };
  z: number[];
  nz: number[][];
  ell: number[];
  pairs: Array<[number, number]>;
  cl: Record<'eisenstein_hu' | 'bbks' | 'boltzmann_camb', number[][]>;
}
const cases = referenceJson<{ cases: ShearCase[] }>('ccl-shear/cases.json').cases;

function relErrors(cl: Float64Array, ref: number[][]): number[] {
  const nEll = ref[0].length;
  return ref.flatMap((row, p) => row.map((v, l) => Math.abs(cl[p * nEll + l] / v - 1)));
}

describe('pair order and multipole factors', () => {
  it('orders pairs (0,0),(0,1),...,(0,N-1),(1,1),... as cases.json does', () => {
    expect(pairOrder(5)).toEqual(cases[0].pairs);
    expect(pairOrder(3)).toEqual([[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]]);
  });

  it("CCL's spin-2 prefactor: 0.614 at ell = 2, 0.977 at 10, 0.99975 at 100", () => {
    expect(spin2Prefactor(2)).toBeCloseTo(24 / 2.5 ** 4, 12);
    expect(spin2Prefactor(10)).toBeCloseTo(0.977, 3);
    expect(spin2Prefactor(100)).toBeCloseTo(0.99975, 5);
  });
});

describe('shear C_ell against CCL 3.3.3 (cases.json: 6 cosmologies x 5 bins x 15 pairs x 50 ell)', () => {
  // Tolerance: the accuracy target of 1e-3 on every number. Measured: <= 7.5e-5 everywhere except one point (case 3,
  // pair (1,1), ell = 18.7: 5.2e-4) where CCL's own value is off its neighbours' smooth trend while ours
  // is converged to 1e-6 under node refinement; so we also require at most one point above 1e-4.
  for (const [name, model] of [['eisenstein_hu', eisensteinHu], ['bbks', bbks]] as const) {
    it(`${name} linear power + halofit`, () => {
      const all: number[] = [];
      for (const c of cases) {
        const cl = new ShearTheory({ z: c.z, nz: c.nz }, c.ell, { linear: model }).compute(c.cosmology);
        all.push(...relErrors(cl, c.cl[name]));
      }
      expect(Math.max(...all)).toBeLessThan(1e-3);
      expect(all.filter((e) => e > 1e-4).length).toBeLessThanOrEqual(1);
    });
  }

  it("symbolic linear power (Bartlett et al.) + halofit against CCL's CAMB", () => {
    // The symbolic P(k) reproduces CAMB to ~0.1-0.2% (its stated accuracy); halofit amplifies that at
    // ell ~ 5000. Measured: max 0.50% / mean 0.035% for the fiducial case inside the fit's validity,
    // max 0.52% and mean <= 0.13% over all six (five lie outside the fit's Omega_b or h range).
    const model = bartlett23({ allowExtrapolation: true });
    let worstMax = 0;
    for (const c of cases) {
      const cl = new ShearTheory({ z: c.z, nz: c.nz }, c.ell, { linear: model }).compute(c.cosmology);
      const e = relErrors(cl, c.cl.boltzmann_camb);
      worstMax = Math.max(worstMax, ...e);
      expect(e.reduce((a, b) => a + b, 0) / e.length).toBeLessThan(2e-3);
    }
    expect(worstMax).toBeLessThan(6e-3);
  });
});

describe('Limber C_ell against CCL benchmark codes', () => {
  // test/reference/ccl/README.md section 4: CosmoLSS spectra, linear BBKS, plain Limber.
  const c = cosmology({ Omega_c: 0.3, Omega_b: 0, h: 0.7, sigma8: 0.8, n_s: 0.96, T_CMB: 2.7, radiation: false });
  const pairs = [[1, 1], [1, 2], [2, 2]] as const;
  const ells = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

  function compare(kind: 'analytic' | 'histo', distributions: { z: Float64Array; nz: Float64Array[] }): number {
    const spectra = new ShearSpectra(distributions, ells, { spin2: false });
    const bg = new Background(c, spectra.zMax() + 1e-6);
    const cl = spectra.compute(bg, new LinearPower(bg, bbks));
    let worst = 0;
    pairs.forEach(([i, j], p) => {
      const ref = referenceTable(`ccl/cells/run_b${i}b${j}${kind}_log_cl_ll.txt`);
      ells.forEach((ell, l) => (worst = Math.max(worst, Math.abs(cl[p * ells.length + l] / ref[ell][1] - 1))));
    });
    return worst;
  }

  it('analytic Gaussian n(z), bins at z = 1.0 and 1.5 (tolerance 5e-4; the files agree to ~3e-4)', () => {
    const grids = [1, 2].map((b) => referenceTable(`ccl/ia_amp_analytic_${b}.txt`).map((r) => r[0]));
    // Both bins must share one grid: sample each on the union of the two grids.
    const z = Float64Array.from([...new Set([...grids[0], ...grids[1]])].sort((a, b) => a - b));
    const nz = [1.0, 1.5].map((zbar, b) =>
      Float64Array.from(z, (zz) => (zz >= grids[b][0] && zz <= grids[b][grids[b].length - 1] ? Math.exp(-0.5 * ((zz - zbar) / 0.15) ** 2) : 0)),
    );
    expect(compare('analytic', { z, nz })).toBeLessThan(5e-4);
  });

  it('histogram n(z) (tolerance 1e-3)', () => {
    const rows = [1, 2].map((b) => referenceTable(`ccl/bin${b}_histo.txt`).slice(1));
    const z = Float64Array.from(rows[0], (r) => r[0]);
    expect(compare('histo', { z, nz: rows.map((r) => Float64Array.from(r, (x) => x[1])) })).toBeLessThan(1e-3);
  });

  it("N5K 5-bin shear from N5K's non-linear P(k), ell >= 300 (tolerance 1e-3; Limber vs exact ~3e-4)", () => {
    const read = (f: string) => parseNpz(readFileSync(join(REFERENCE, 'ccl/nonlimber', f)));
    const pk = read('pk.npz');
    const dndz = read('dNdzs_fullwidth.npz');
    const bench = read('benchmarks_nl_full_clss.npz');
    const nzPts = dndz.z_sh.data.length;
    const nz = Array.from({ length: 5 }, (_, b) => Float64Array.from({ length: nzPts }, (_, j) => dndz.dNdz_sh.data[j * 5 + b]));
    const ls = bench.ls.data;
    const use = Array.from(ls).map((l, i) => [l, i] as const).filter(([l]) => l >= 300);
    const spectra = new ShearSpectra({ z: dndz.z_sh.data, nz }, use.map(([l]) => l));
    const n5k = cosmology({ Omega_c: 0.2664, Omega_b: 0.0492, h: 0.6727, sigma8: 0.81, n_s: 0.9645, T_CMB: 2.725, Neff: 3.046 });
    const bg = new Background(n5k, spectra.zMax() + 1e-6);
    const nk = pk.k.data.length;
    const rows = Array.from({ length: pk.z.data.length }, (_, i) => pk.pk_nl.data.subarray(i * nk, (i + 1) * nk));
    const cl = spectra.compute(bg, new TabulatedPower(pk.k.data, pk.z.data, rows));
    let worst = 0;
    for (let p = 0; p < 15; p++) {
      use.forEach(([, i], l) => (worst = Math.max(worst, Math.abs(cl[p * use.length + l] / bench.cls.data[p * ls.length + i] - 1))));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('NLA amplitude -C1 rho_crit Omega_m / D(z) matches the CCL benchmark files (tolerance 2e-4)', () => {
    // The files' growth factor differs from CCL's ODE by a smooth -1.3e-4 ... +5e-5 over z = 0.25-1.75;
    // a wrong constant (C1, rho_crit, Omega_m) or normalisation would be off by >= 1e-3.
    const bg = new Background(c, 2);
    for (const b of [1, 2]) {
      for (const [z, amp] of referenceTable(`ccl/ia_amp_analytic_${b}.txt`)) {
        expect(Math.abs(iaAmplitude(bg, { A_IA: 1, eta_IA: 0 }, z) / amp - 1)).toBeLessThan(2e-4);
      }
    }
  });
});

describe('nuisance parameters', () => {
  const c0 = cases[0];
  const ell = c0.ell;
  const theory = new ShearTheory({ z: c0.z, nz: c0.nz }, ell, { linear: eisensteinHu, shiftConvention: 'additive' });

  it('an additive photo-z shift equals moving the n(z) grid (to the integration accuracy, 1e-4)', () => {
    // Every bin shifted by its own dz; each auto-spectrum is compared with a one-bin calculation on the
    // moved grid z + dz (the same Akima interpolant, so only the Limber quadrature differs).
    const dz = [0.01, 0.02, -0.005, 0.03, 0.015];
    const shifted = theory.compute(c0.cosmology, { dz });
    const autos = pairOrder(5).map(([i, j], p) => [i, j, p] as const).filter(([i, j]) => i === j);
    for (const [i, , p] of autos) {
      const keep = c0.z.map((_, k) => k).filter((k) => c0.z[k] + dz[i] >= 0);
      const z = Float64Array.from(keep, (k) => c0.z[k] + dz[i]);
      const nz = [Float64Array.from(keep, (k) => c0.nz[i][k])];
      const one = new ShearTheory({ z, nz }, ell, { linear: eisensteinHu }).compute(c0.cosmology);
      for (let l = 0; l < ell.length; l++) expect(Math.abs(shifted[p * ell.length + l] / one[l] - 1)).toBeLessThan(1e-4);
    }
  });

  it('shifting a bin with n(0) > 0 below z = 0 keeps C_ell positive and smooth in dz', () => {
    // Regression: dropping quadrature points as they crossed z = 0, and integrating n/chi' through the
    // 1/z singularity there, once made spectra jump and even turn negative.
    const zg = Float64Array.from({ length: 150 }, (_, j) => (2 * j) / 149);
    const nz = [Float64Array.from(zg, (x) => Math.exp(-0.5 * ((x - 0.1) / 0.1) ** 2)), Float64Array.from(zg, (x) => Math.exp(-0.5 * ((x - 0.8) / 0.2) ** 2))];
    const th = new ShearTheory({ z: zg, nz }, [10, 100, 1000], { linear: eisensteinHu, shiftConvention: 'additive' });
    let prev: Float64Array | null = null;
    let worstStep = 0;
    for (let k = 0; k <= 200; k++) {
      const cl = th.compute(c0.cosmology, { dz: [-0.02 + k * 1e-4, 0] });
      for (const v of cl) expect(v).toBeGreaterThan(0);
      if (prev) for (let i = 0; i < cl.length; i++) worstStep = Math.max(worstStep, Math.abs(cl[i] / prev[i] - 1));
      prev = cl;
    }
    // A smooth response: the auto-spectrum of the low bin changes by ~5% over the 0.02 scanned, so
    // steps of 1e-4 move it by ~3e-4; a jump would be ~1e-2.
    expect(worstStep).toBeLessThan(2e-3);
  });

  it('multiplicative bias scales C_ij by (1 + m_i)(1 + m_j) exactly', () => {
    const m = [0.01, -0.02, 0.03, 0, 0.05];
    const base = theory.compute(c0.cosmology);
    const biased = theory.compute(c0.cosmology, { m });
    pairOrder(5).forEach(([i, j], p) => {
      for (let l = 0; l < ell.length; l++) {
        expect(biased[p * ell.length + l] / base[p * ell.length + l]).toBeCloseTo((1 + m[i]) * (1 + m[j]), 12);
      }
    });
  });

  it('the paper convention shifts by dz (1 + <z>)', () => {
    const paper = new ShearTheory({ z: c0.z, nz: c0.nz }, ell, { linear: eisensteinHu });
    const meanZ = paper.spectra.bins.map((b) => b.meanZ);
    const dz = [0.002, 0, 0, 0, 0];
    const viaPaper = paper.compute(c0.cosmology, { dz });
    const viaAdditive = theory.compute(c0.cosmology, { dz: [dz[0] * (1 + meanZ[0]), 0, 0, 0, 0] });
    for (let k = 0; k < viaPaper.length; k++) expect(viaPaper[k]).toBe(viaAdditive[k]);
  });

  it('NLA: C(A_IA) = GG + A GI + A^2 II exactly, with GI < 0 and II > 0', () => {
    const at = (A: number) => theory.compute(c0.cosmology, { ia: { A_IA: A, eta_IA: 1.5 } });
    const [cm, c0v, c1, c2] = [-1, 0, 1, 2].map(at);
    for (let k = 0; k < c0v.length; k++) {
      // Third finite difference of a quadratic vanishes.
      expect(Math.abs(c2[k] - 3 * c1[k] + 3 * c0v[k] - cm[k]) / c0v[k]).toBeLessThan(1e-9);
      expect(c1[k] - cm[k]).toBeLessThan(0); // 2 GI: alignments anti-correlate with shear
      if (k < 50) expect(c1[k] + cm[k] - 2 * c0v[k]).toBeGreaterThan(0); // 2 II on the (0,0) auto-spectrum
    }
  });
});
