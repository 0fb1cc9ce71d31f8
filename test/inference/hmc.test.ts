/**
 * HMC on a known Gaussian (emcee's style of move test: mean, spread and acceptance), and the sampler
 * interface shared with the ensemble sampler.
 */
import { describe, expect, it } from 'vitest';
import { EnsembleSampler } from '../../src/inference/ensemble.js';
import { HmcSampler } from '../../src/inference/hmc.js';
import { mapAutocorrelationTimes } from '../../src/inference/hmc-run.js';
import { DiagonalMass } from '../../src/inference/mass.js';
import { runSampler, sample } from '../../src/inference/sampler.js';
import { Random } from '../../src/math/random.js';

// A 3-D Gaussian with correlation 0.9 between the first two coordinates and sd (1, 2, 0.5).
const sd = [1, 2, 0.5];
const rho = 0.9;
function logProb(x: Float64Array, grad?: Float64Array): number {
  const a = x[0] / sd[0];
  const b = x[1] / sd[1];
  const c = x[2] / sd[2];
  const q = (a * a - 2 * rho * a * b + b * b) / (1 - rho * rho) + c * c;
  if (grad) {
    grad[0] = -((a - rho * b) / (1 - rho * rho)) / sd[0];
    grad[1] = -((b - rho * a) / (1 - rho * rho)) / sd[1];
    grad[2] = -c / sd[2];
  }
  return -q / 2;
}

describe('HMC', () => {
  it('samples a correlated Gaussian: means 0 and variances within 4 standard errors; dual averaging reaches the target acceptance', async () => {
    const hmc = new HmcSampler({ dim: 3, logProb }, new DiagonalMass(Float64Array.of(1, 0.25, 4)), { warmup: 300, stepSize: 1, trajectoryLength: 1.2 });
    const state = hmc.initialState([0.5, -1, 0.2]);
    const rng = new Random(7);
    const n = 3000;
    const draws: Float64Array[] = [];
    await runSampler(hmc, state, rng, 300);
    await runSampler(hmc, state, rng, n, (s) => draws.push(Float64Array.from(s.position)));
    const tau = mapAutocorrelationTimes(draws);
    for (let d = 0; d < 3; d++) {
      const m = draws.reduce((a, x) => a + x[d], 0) / n;
      const v = draws.reduce((a, x) => a + (x[d] - m) ** 2, 0) / (n - 1);
      expect(Math.abs(m) / Math.sqrt((v * tau[d]) / n)).toBeLessThan(4);
      // SE of a variance ~ v sqrt(2 tau / n) (tau of x as a stand-in for that of x^2; 4 SE).
      expect(Math.abs(v / sd[d] ** 2 - 1)).toBeLessThan(4 * Math.sqrt((2 * Math.max(1, tau[d])) / n));
    }
    // Hoffman & Gelman's dual averaging targets the mean acceptance probability 0.8.
    expect(state.acceptProbSum / n).toBeGreaterThan(0.7);
    expect(state.acceptProbSum / n).toBeLessThan(0.9);
    expect(state.divergences).toBe(0);
  });

  it('the ensemble sampler runs behind the same interface, giving the same chain as direct steps', async () => {
    const batch = async (p: Float64Array, k: number) => Float64Array.from({ length: k }, (_, i) => logProb(p.subarray(3 * i, 3 * i + 3)));
    const specs = [0, 1, 2].map((i) => ({ name: `x${i}`, fiducial: 0, startSpread: 0.1, prior: { kind: 'flat' as const, lo: -10, hi: 10 } }));
    const a = new EnsembleSampler(batch, 8, 3);
    const s1 = await a.initialState(specs as never, new Random(1));
    const s2 = { ...s1, positions: s1.positions.slice(), logProb: s1.logProb.slice(), accepted: s1.accepted.slice() };
    const r1 = new Random(5);
    const r2 = new Random(5);
    let yielded = 0;
    for await (const _ of sample(a, s1, r1, 20, 5)) yielded++;
    for (let i = 0; i < 20; i++) await a.step(s2, r2);
    expect(yielded).toBe(4);
    expect(Array.from(s1.positions)).toEqual(Array.from(s2.positions));
  });
});
