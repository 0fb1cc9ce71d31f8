import { describe, expect, it } from 'vitest';
import { Background } from '../../src/cosmology/background.js';
import { DEFAULT_PK_EMULATOR_DOMAIN, emulatorInputs, PkEmulator, unitInputs } from '../../src/cosmology/boltzmann/emulator.js';
import { solveBoltzmann } from '../../src/cosmology/boltzmann/index.js';
import { standInSolver } from '../../src/cosmology/boltzmann/standin.js';
import { cosmology } from '../../src/cosmology/params.js';
import { LinearPower } from '../../src/cosmology/power/linear.js';
import { domainCorners, fitPkEmulator, PK_EMULATOR_FIXED, pkEmulatorDesign, pkEmulatorHeldOutDesign } from '../../src/data/pk-emulator-fit.js';
import { GaussianProcess } from '../../src/math/gp.js';
import { solveBlock } from '../../src/parallel/pk-emulator-worker.js';
import { DEFAULT_PK_EMULATOR } from '../../src/paths.js';

const NK = 700;

function solved(points: ReturnType<typeof pkEmulatorDesign>) {
  const rows = solveBlock(standInSolver, { points, label: 'test' });
  const Y = new Float64Array(points.length * NK);
  points.forEach((_, i) => Y.set(rows.subarray(i * (NK + 1), i * (NK + 1) + NK), i * NK));
  return Y;
}

describe('P(k) emulator machinery (on the EH stand-in)', () => {
  const n = 40;
  const train = pkEmulatorDesign(n, 7);
  const Y = solved(train);
  const U = new Float64Array(3 * n);
  train.forEach((p, i) => unitInputs(DEFAULT_PK_EMULATOR_DOMAIN, p, U.subarray(3 * i, 3 * i + 3)));
  // epsilon 0: the components are projections of Y itself, as the check below computes them.
  const json = fitPkEmulator(U, Y, n, { method: 'gp', seed: 1, epsilon: 0, components: 3, hyperPoints: 40, maxIter: 30, solver: standInSolver.name });
  const perComponent = fitPkEmulator(U, Y, n, { method: 'gp', seed: 1, epsilon: 0, components: 3, hyperPoints: 40, maxIter: 30, solver: standInSolver.name, kernelSharing: 'per-component' });

  it.each([
    ['one kernel shape shared by the components', json],
    ['a kernel per component', perComponent],
  ])('the stored GP predictor (alpha, beta) equals the GP module conditioned on the same data: %s', (_, json) => {
    const emu = new PkEmulator(json);
    const gp = json.gp!;
    const fresh = pkEmulatorHeldOutDesign(5, 99);
    for (let c = 0; c < 3; c++) {
      const comp = gp.components[c];
      // The component's training targets: projections of Y on the basis.
      const y = Float64Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let j = 0; j < NK; j++) s += (Y[i * NK + j] - json.mean[j]) * json.basis[c][j];
        return s;
      });
      const ref = GaussianProcess.withHyperparameters(U, y, n, 3, { lengthScales: comp.lengthScales, amplitude: comp.amplitude, noise: comp.noise }, { kernel: comp.kernel, meanDegree: comp.meanDegree });
      for (const p of fresh) {
        const u = emu.inputs(p);
        const want = ref.predictMean(u, 1)[0];
        // Same linear algebra in a different order: agreement to ~1e-9 of the component's spread.
        expect(Math.abs(emu.coefficients(u)[c] - want)).toBeLessThan(1e-8 * (Math.abs(want) + Math.sqrt(comp.amplitude)));
      }
    }
  });

  it('covers the required boxes and names the parameter outside its domain', () => {
    for (const p of domainCorners()) expect(() => emulatorInputs(DEFAULT_PK_EMULATOR_DOMAIN, PK_EMULATOR_FIXED, p)).not.toThrow();
    const emu = new PkEmulator(json);
    expect(() => emu.inputs({ Omega_c: 0.27, Omega_b: 0.045, h: 1.3 })).toThrow(/boltzmann_emulated: h=1.3000 is outside the emulator's domain \[0.35, 1.15\]/);
    expect(() => emu.inputs({ Omega_c: 0.27, Omega_b: 0.1, h: 0.7 })).toThrow(/Omega_b=0.1.* is outside the emulator's domain \[0.02, 0.08\]/);
    expect(() => emu.inputs({ Omega_c: 0.05, Omega_b: 0.02, h: 0.5 })).toThrow(/Omega_m=0.07.* is outside the emulator's domain \[0.09, 0.95\]/);
    expect(() => emu.inputs({ Omega_c: 0.27, Omega_b: 0.045, h: 0.7, T_CMB: 2.5 })).toThrow(/T_CMB=2.5 differs/);
    // Inside the envelope but in neither box: low h needs the paper box's Omega_c >= 0.165.
    expect(() => emu.inputs({ Omega_c: 0.12, Omega_b: 0.05, h: 0.45 })).toThrow(/in none of the emulator's boxes \(Omega_c=0.12000 is outside the paper box's 0.165-0.45; h=0.45000 is outside the survey box's 0.55-0.91\)/);
    for (const p of pkEmulatorHeldOutDesign(40, 3)) expect(() => emu.inputs(p)).not.toThrow();
    const lin = () => new LinearPower(new Background(cosmology({ Omega_c: 0.27, Omega_b: 0.045, h: 0.7, sigma8: 0.8, n_s: 0.96, w0: -0.9 }), 1), emu.shape());
    expect(lin).toThrow(/flat Lambda-CDM with radiation only: w0=-0.9/);
  });

  it('n_s and the amplitude enter exactly: P(k; n_s) / P(k; n_s\') = (k / 0.05)^(n_s - n_s\') at fixed A_s', () => {
    const emu = new PkEmulator(json);
    const base = { Omega_c: 0.25, Omega_b: 0.05, h: 0.7, A_s: 2e-9 };
    const a = new LinearPower(new Background(cosmology({ ...base, n_s: 0.9 }), 1), emu.shape());
    const b = new LinearPower(new Background(cosmology({ ...base, n_s: 1.05 }), 1), emu.shape());
    for (const k of [1e-3, 0.05, 0.3, 3]) expect(a.power(k, 0) / b.power(k, 0) / (k / 0.05) ** (0.9 - 1.05)).toBeCloseTo(1, 10);
  });
});

describe('the Boltzmann solver grows P(k) scale-independently where cosmic shear needs it', () => {
  it('P(k, z) / P(k, 0) is the same for 5e-3 <= k <= 5 / Mpc to < 1e-4 at z = 1 and 3', () => {
    // Measured over 1e-4..100/Mpc (fiducial): |ratio / ratio(k = 0.14) - 1| < 6e-5 at z <= 3 for
    // 3.7e-3 <= k <= 9/Mpc; it reaches 4e-3 at k = 1e-4 (horizon scale) and 1.7e-3 at k = 100 (z = 3).
    const k = [5e-3, 0.05, 0.5, 5];
    const r = solveBoltzmann({ Omega_c: 0.27, Omega_b: 0.045, h: 0.67, n_s: 0.96, A_s: 2e-9 }, k, [0, 1, 3]);
    for (const iz of [1, 2]) {
      const ratio = k.map((_, i) => r.pk[iz][i] / r.pk[0][i]);
      for (const q of ratio) expect(Math.abs(q / ratio[1] - 1)).toBeLessThan(1e-4);
    }
  }, 60_000);
});

describe('the shipped emulator against the solver (fresh points)', () => {
  it('P(k, 0) within 0.1% and sigma8 within 0.05% at 3 fresh points', async () => {
    const { readPkEmulator } = await import('../../src/io/pk-emulator-file.js');
    const emu = readPkEmulator(DEFAULT_PK_EMULATOR);
    // Three fresh points of the paper box (the held-out design's first half).
    for (const p of pkEmulatorHeldOutDesign(6, 424242).slice(0, 3)) {
      const k = [1e-3, 0.02, 0.1, 0.3, 1, 10];
      const r = solveBoltzmann({ ...p, A_s: 2e-9 }, k, [0]);
      const lin = new LinearPower(new Background(cosmology({ ...p, A_s: 2e-9 }), 1), emu.shape());
      k.forEach((q, i) => expect(Math.abs(lin.power(q, 0) / r.pk[0][i] - 1)).toBeLessThan(1e-3));
      expect(Math.abs(lin.sigma8 / r.sigma8 - 1)).toBeLessThan(5e-4);
    }
  }, 120_000);
});

describe('C_ell with boltzmann_emulated against CCL + CAMB (k to 50/Mpc)', () => {
  it('fiducial and wide case 0 (with NLA): max <= 0.5%, mean <= 0.1% per case', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ShearTheory } = await import('../../src/cosmology/theory.js');
    const { loadLinearModel } = await import('../../src/io/pk-emulator-file.js');
    const shape = loadLinearModel('boltzmann_emulated');
    type Case = { cosmology: Record<string, number>; z: number[]; nz: number[][]; ell: number[]; cl: Record<string, number[][]>; ia?: { A_IA: number; eta_IA: number; z_pivot: number } };
    const read = (f: string) => (JSON.parse(readFileSync(join(__dirname, '..', 'reference', 'ccl-shear', f), 'utf8')) as { cases: Case[] }).cases[0];
    for (const c of [read('cases.json'), read('cases-wide.json')]) {
      const theory = new ShearTheory({ z: c.z, nz: c.nz }, c.ell, { linear: shape });
      const runs: Array<[string, object]> = [['boltzmann_camb_k50', {}]];
      if (c.ia) runs.push(['boltzmann_camb_ia_k50', { ia: c.ia }]);
      for (const [column, nuisance] of runs) {
        const cl = theory.compute(c.cosmology as never, nuisance);
        const ref = c.cl[column];
        const errs = ref.flatMap((row, p) => row.map((v, l) => Math.abs(cl[p * row.length + l] / v - 1)));
        // Targets: the solver is within 0.03% of CAMB here (README); the emulator adds <= 0.1% in P.
        expect(Math.max(...errs)).toBeLessThan(5e-3);
        expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(1e-3);
      }
    }
  }, 60_000);
});
