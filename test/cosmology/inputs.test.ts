import { describe, expect, it } from 'vitest';
import { Background } from '../../src/cosmology/background.js';
import { ShearSpectra } from '../../src/cosmology/limber.js';
import { cosmology } from '../../src/cosmology/params.js';
import { LinearPower } from '../../src/cosmology/power/linear.js';
import { ShearTheory } from '../../src/cosmology/theory.js';
import { bartlett23 } from '../../src/cosmology/transfer/bartlett23.js';
import { eisensteinHu } from '../../src/cosmology/transfer/eisenstein_hu.js';
import { CosmetaError } from '../../src/errors.js';
import { FIDUCIAL, paperEll, targetSample } from '../../src/tasks/target.js';
import { referenceJson } from '../helpers/reference.js';

const z = Float64Array.from({ length: 50 }, (_, i) => i * 0.05);
const bump = (m: number) => Float64Array.from(z, (x) => Math.exp(-0.5 * ((x - m) / 0.2) ** 2));

describe('parameter validation', () => {
  it('derives Omega_gamma h^2 = 2.472975e-5 at T_CMB = 2.7255 (CCL) and closes the budget', () => {
    const c = cosmology(FIDUCIAL);
    expect(c.Omega_g * c.h * c.h).toBeCloseTo(2.472975e-5, 10);
    expect(c.Omega_m + c.Omega_g + c.Omega_nu_rel + c.Omega_l + c.Omega_k).toBeCloseTo(1, 14);
    expect(c.S8).toBeCloseTo(0.83 * Math.sqrt(0.315 / 0.3), 12);
  });

  it('rejects bad values with the parameter, the value and the valid range', () => {
    expect(() => cosmology({ ...FIDUCIAL, h: -0.7 })).toThrow(/h=-0.7 is outside the valid range \[0.1, 2\]/);
    expect(() => cosmology({ ...FIDUCIAL, sigma8: Number.NaN })).toThrow(/sigma8 must be a finite number/);
    expect(() => cosmology({ ...FIDUCIAL, m_nu: 0.06 })).toThrow(/massive neutrinos are not supported yet/);
    expect(() => cosmology({ ...FIDUCIAL, Omega_cdm: 0.2 } as never)).toThrow(/unknown cosmological parameter "Omega_cdm"/);
    expect(() => cosmology({ ...FIDUCIAL, Omega_c: 0, Omega_b: 0 })).toThrow(CosmetaError);
  });

  it('the symbolic P(k) refuses parameters outside its fitted range unless extrapolation is allowed', () => {
    const c = cosmology({ ...FIDUCIAL, h: 0.9 });
    const bg = new Background(c, 3);
    expect(() => new LinearPower(bg, bartlett23())).toThrow(/h=0.9 is outside the validity range \[0.6, 0.8\]/);
    expect(() => new LinearPower(bg, bartlett23({ allowExtrapolation: true }))).not.toThrow();
  });
});

describe('n(z) validation', () => {
  const ell = [10, 100];
  it('accepts a good set and rejects NaN, negative values, unsorted grids and empty bins, naming bin and point', () => {
    expect(() => new ShearSpectra({ z, nz: [bump(0.5), bump(1)] }, ell)).not.toThrow();
    const nan = bump(0.5);
    nan[7] = Number.NaN;
    expect(() => new ShearSpectra({ z, nz: [bump(1), nan] }, ell)).toThrow(/bin 1 at z=0.35 \(point 7\) is NaN/);
    const neg = bump(0.5);
    neg[3] = -1e-3;
    expect(() => new ShearSpectra({ z, nz: [neg] }, ell)).toThrow(/bin 0 at z=0.15.*point 3.*negative/);
    const zBad = Float64Array.from(z);
    zBad[10] = zBad[9];
    expect(() => new ShearSpectra({ z: zBad, nz: [bump(0.5)] }, ell)).toThrow(/strictly increasing.*z\[9\]/);
    expect(() => new ShearSpectra({ z, nz: [bump(0.5), new Float64Array(z.length)] }, ell)).toThrow(/bin 1 integrates to zero/);
    expect(() => new ShearSpectra({ z, nz: [bump(0.5).slice(1)] }, ell)).toThrow(/bin 0 has 49 values for 50 redshifts/);
  });

  it('rejects multipoles the spin-2 prefactor cannot take, and curved cosmologies', () => {
    expect(() => new ShearSpectra({ z, nz: [bump(0.5)] }, [1, 10])).toThrow(/ell\[0\]=1.*ell > 1/);
    expect(() => new ShearSpectra({ z, nz: [bump(0.5)] }, [1, 10], { spin2: false })).not.toThrow();
    const th = new ShearTheory({ z, nz: [bump(0.5)] }, ell, { linear: eisensteinHu });
    expect(() => th.compute({ ...FIDUCIAL, Omega_k: 0.01 })).toThrow(/flat cosmologies only/);
    expect(() => th.compute(FIDUCIAL, { dz: [0.01, 0.02] })).toThrow(/dz has 2 entries for 1 bins/);
  });
});

describe('the inference target sample', () => {
  it("matches the target sample n(z) stored with CCL's spectra (case 0) to 1e-3 of each bin's peak", () => {
    // The reference was built from the parent sampled on 300 points; we integrate the parent exactly.
    const ref = referenceJson<{ cases: Array<{ z: number[]; nz: number[][] }> }>('ccl-shear/cases.json').cases[0];
    const t = targetSample();
    t.nz.forEach((n, b) => {
      const peak = Math.max(...ref.nz[b]);
      for (let j = 0; j < n.length; j++) expect(Math.abs(n[j] - ref.nz[b][j]) / peak).toBeLessThan(1e-3);
    });
    expect(Array.from(t.z)).toEqual(ref.z.map((_, j) => (4 * j) / 299));
  });

  it('paper multipoles are geomspace(2, 5000, 50)', () => {
    const ell = paperEll();
    expect(ell[0]).toBe(2);
    expect(ell[49]).toBeCloseTo(5000, 9);
    expect(ell[1] / ell[0]).toBeCloseTo(ell[49] / ell[48], 12);
  });
});
