import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CosmetaError } from '../../src/errors.js';
import { solveBoltzmann } from '../../src/cosmology/boltzmann/index.js';
import { prepareCosmology } from '../../src/cosmology/boltzmann/params.js';
import { BoltzmannBackground } from '../../src/cosmology/boltzmann/background.js';
import { ThermalHistory } from '../../src/cosmology/boltzmann/thermo.js';
import { heliumFractionBbn } from '../../src/cosmology/boltzmann/bbn.js';

interface Case {
  label: string;
  cosmology: { Omega_c: number; Omega_b: number; h: number; sigma8: number; n_s: number };
  YHe: number;
  ombh2: number;
  YHe_bbn_clamped: boolean;
  camb_derived_default: { zstar: number; zdrag: number; rdrag: number };
  high: { pk: number[][]; A_s: number };
}
const ref = JSON.parse(readFileSync(join(__dirname, '..', 'reference', 'camb', 'pk-linear.json'), 'utf8')) as { meta: { k: number[]; z: number[] }; cases: Case[] };
const K = ref.meta.k;

function noSigma8(c: Case['cosmology']): Omit<Case['cosmology'], 'sigma8'> {
  const { sigma8: _s, ...rest } = c;
  return rest;
}

describe('BBN helium and recombination against CAMB 1.6.6', () => {
  it('Y_He from the PRIMAT table matches CAMB per case, including the clamped edge cases', () => {
    for (const c of ref.cases) {
      // natural cubic spline here, scipy's interpolating spline in CAMB: they differ by < 1e-5 in Y_He
      expect(Math.abs(heliumFractionBbn(c.ombh2) - c.YHe)).toBeLessThan(2e-5);
    }
    expect(ref.cases.some((c) => c.YHe_bbn_clamped)).toBe(true);
  });

  it('z_star, z_drag and r_drag agree with CAMB to 1e-4 (RECFAST on dz = 5 instead of 1: ~3e-6 measured)', () => {
    for (const c of [ref.cases[0], ref.cases[4], ref.cases[11]]) {
      const th = new ThermalHistory(new BoltzmannBackground(prepareCosmology({ ...noSigma8(c.cosmology) })), 5);
      const d = c.camb_derived_default;
      expect(Math.abs(th.zStar / d.zstar - 1)).toBeLessThan(1e-4);
      expect(Math.abs(th.zDrag / d.zdrag - 1)).toBeLessThan(1e-4);
      expect(Math.abs(th.rDrag / d.rdrag - 1)).toBeLessThan(1e-4);
    }
  });
});

describe('solveBoltzmann against CAMB high accuracy', () => {
  // every 8th reference k (30 values over 1e-4..50/Mpc) at all five z; cheap sigma8 grid since A_s is given
  const idx = K.map((_, i) => i).filter((i) => i % 8 === 0 || i === K.length - 1);
  const ks = idx.map((i) => K[i]);
  const cheapSigma8 = { sigma8PerEfold: 3, sigma8PerEfoldHigh: 1 };

  for (const ci of [0, 5]) {
    it(`P(k, z) at CAMB's A_s, ${ref.cases[ci].label}: within 1e-3 for k <= 10 and 2e-3 above (measured ~3e-4)`, () => {
      const c = ref.cases[ci];
      const r = solveBoltzmann({ ...noSigma8(c.cosmology), A_s: c.high.A_s }, ks, ref.meta.z, cheapSigma8);
      for (let iz = 0; iz < ref.meta.z.length; iz++) {
        for (let j = 0; j < ks.length; j++) {
          const d = Math.abs(r.pk[iz][j] / c.high.pk[iz][idx[j]] - 1);
          expect(d, `z=${ref.meta.z[iz]} k=${ks[j]}`).toBeLessThan(ks[j] <= 10 ? 1e-3 : 2e-3);
          const T = r.transfer[iz][j];
          expect(r.pk[iz][j]).toBeCloseTo(((2 * Math.PI ** 2) / ks[j] ** 3) * r.A_s * (ks[j] / 0.05) ** (c.cosmology.n_s - 1) * T * T, 20);
        }
      }
    });
  }

  it('normalised to sigma8, the fiducial case recovers CAMB\'s implied A_s to 1e-3 and P to 1.5e-3', () => {
    const c = ref.cases[0];
    const sub = [0, 100, 140, 180, 239];
    const r = solveBoltzmann({ ...c.cosmology }, sub.map((i) => K[i]), [0, 2]);
    expect(r.sigma8).toBeCloseTo(c.cosmology.sigma8, 12);
    expect(Math.abs(r.A_s / c.high.A_s - 1)).toBeLessThan(1e-3);
    sub.forEach((i, j) => {
      expect(Math.abs(r.pk[0][j] / c.high.pk[0][i] - 1)).toBeLessThan(1.5e-3);
      expect(Math.abs(r.pk[1][j] / c.high.pk[3][i] - 1)).toBeLessThan(1.5e-3);
    });
    expect(Math.abs(r.derived.r_drag / 149.26293223702837 - 1)).toBeLessThan(1e-4);
  });
});

describe('a neutrino hierarchy grown with k tau', () => {
  it('neutrinoLMargin 20 gives the 150-multipole hierarchy\'s P(k) to 3e-5 (measured <= 1e-5 over 31 k x 5 z, fiducial and lhs-1)', () => {
    const c = ref.cases[0];
    const ks = [1e-3, 0.02, 0.1, 0.3, 1, 9];
    const tight = { lMaxNeutrino: 150, ufaKTau: 130, lMaxPhoton: 24, rtol: 1e-5 / 3, sigma8PerEfold: 3, sigma8PerEfoldHigh: 1 };
    const input = { ...noSigma8(c.cosmology), A_s: c.high.A_s };
    const whole = solveBoltzmann(input, ks, [0, 1], tight);
    const grown = solveBoltzmann(input, ks, [0, 1], { ...tight, neutrinoLMargin: 20 });
    for (let iz = 0; iz < 2; iz++) ks.forEach((k, j) => expect(Math.abs(grown.pk[iz][j] / whole.pk[iz][j] - 1), `z index ${iz}, k=${k}`).toBeLessThan(3e-5));
    // and it is not the default hierarchy: l = 17 with the fluid from k tau = 30 is ~2e-4 away at k ~ 9/Mpc
    const dflt = solveBoltzmann(input, ks, [0, 1], { sigma8PerEfold: 3, sigma8PerEfoldHigh: 1 });
    expect(Math.abs(dflt.pk[0][5] / whole.pk[0][5] - 1)).toBeGreaterThan(5e-5);
    expect(() => solveBoltzmann(input, [0.1], [0], { neutrinoLMargin: 0 })).toThrow(/neutrinoLMargin/);
  });
});

describe('solveBoltzmann errors', () => {
  const fid = { Omega_c: 0.27, Omega_b: 0.045, h: 0.67, n_s: 0.96 };
  it('rejects unphysical input and ambiguous normalisation with CosmetaError', () => {
    expect(() => solveBoltzmann({ ...fid, Omega_c: -0.1, A_s: 2e-9 }, [0.1], [0])).toThrow(/Omega_c=-0.1/);
    expect(() => solveBoltzmann({ ...fid, Omega_c: 0.9, Omega_b: 0.2, A_s: 2e-9 }, [0.1], [0])).toThrow(CosmetaError);
    expect(() => solveBoltzmann({ ...fid, A_s: 2e-9, sigma8: 0.8 }, [0.1], [0])).toThrow(/exactly one of A_s or sigma8/);
    expect(() => solveBoltzmann({ ...fid }, [0.1], [0])).toThrow(/exactly one of A_s or sigma8/);
    expect(() => solveBoltzmann({ ...fid, A_s: 2e-9 }, [-1], [0])).toThrow(/k\[0\]=-1/);
    expect(() => solveBoltzmann({ ...fid, A_s: 2e-9 }, [0.1], [-0.5])).toThrow(/z\[0\]=-0.5/);
    expect(() => solveBoltzmann({ ...fid, A_s: 2e-9 }, [0.1], [0], { lMaxPhoton: 2 })).toThrow(/lMaxPhoton/);
  });
  it('a mode that cannot converge within its step budget throws a CosmetaError naming the cosmology and k', () => {
    let err: unknown;
    try {
      solveBoltzmann({ ...fid, A_s: 2e-9 }, [1], [0], { maxSteps: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CosmetaError);
    expect(String((err as Error).message)).toMatch(/did not converge for Omega_c=0.27, Omega_b=0.045, h=0.67, n_s=0.96 at k=[0-9.e+-]+\/Mpc/);
  });
});
