import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readChain } from '../../src/inference/chain-file.js';
import { GaussianLikelihood, Posterior, type BatchedModel } from '../../src/inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc } from '../../src/inference/mcmc.js';
import type { ParameterSpec } from '../../src/inference/priors.js';

/** d = M theta with a fixed 8 x 3 design matrix: a linear-Gaussian problem with a known posterior. */
class LinearModel implements BatchedModel {
  readonly parameterNames = ['a', 'b', 'c'];
  readonly dataSize = 8;
  calls = 0;
  m = Float64Array.from({ length: 24 }, (_, i) => Math.cos(0.7 * i + 0.3) + (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  async predict(rows: Float64Array, n: number): Promise<Float64Array> {
    this.calls += n;
    const out = new Float64Array(n * 8);
    for (let r = 0; r < n; r++) for (let i = 0; i < 8; i++) for (let j = 0; j < 3; j++) out[r * 8 + i] += this.m[i * 3 + j] * rows[r * 3 + j];
    return out;
  }
  async close(): Promise<void> {}
}

const diagonal = (sigma: number) => ({ size: 8, chi2: (r: ArrayLike<number>) => Array.from(r).reduce((s, x) => s + (x / sigma) ** 2, 0) });

function problem(): Posterior {
  const model = new LinearModel();
  const truth = new Float64Array([0.5, -1, 2]);
  const data = new Float64Array(8);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 3; j++) data[i] += model.m[i * 3 + j] * truth[j];
  const specs: ParameterSpec[] = ['a', 'b', 'c'].map((name, i) => ({
    name,
    prior: { kind: 'flat' as const, min: -10, max: 10 },
    fiducial: truth[i],
    startSpread: 0.01,
  }));
  return new Posterior(specs, model, new GaussianLikelihood(data, diagonal(0.1)));
}

const dir = mkdtempSync(join(tmpdir(), 'cosmeta-mcmc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MCMC runs', () => {
  const settings = { ...DEFAULT_MCMC, walkers: 8, seed: 42, maxSteps: 600, chunk: 200, burnIn: 100 };

  it.each([
    ['the stretch move', undefined, 'whole.h5', 'cut.h5'],
    ['the DE move mixed in', { de: 0.8, stretch: 0.2 }, 'whole-de.h5', 'cut-de.h5'],
  ] as const)('resume after an interruption continues the same chain, to the same bytes (%s)', async (_name, moves, wholeName, cutName) => {
    const s = { ...settings, tauFactor: 1e6, ...(moves ? { moves: { ...moves } } : {}) };
    const whole = join(dir, wholeName);
    const r1 = await runMcmc(problem(), s, whole, { description: { test: 1 } });
    expect(r1.chain.steps).toBe(600);

    const cut = join(dir, cutName);
    await expect(
      runMcmc(problem(), s, cut, {
        description: { test: 1 },
        onCheckpoint: (step) => {
          if (step === 400) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(existsSync(cut)).toBe(false);
    expect(existsSync(`${cut}.partial`)).toBe(true);
    let resumedFrom = -1;
    const post = problem();
    await runMcmc(post, s, cut, { description: { test: 1 }, onProgress: (p) => (resumedFrom = p.resumedFrom) });
    expect(resumedFrom).toBe(400);
    // Only the last 200 steps were computed again: 200 steps x 8 walkers.
    expect((post.model as LinearModel).calls).toBe(1600);
    expect(existsSync(`${cut}.partial`)).toBe(false);
    expect(readFileSync(cut).equals(readFileSync(whole))).toBe(true);
  });

  it('a partial chain from a different configuration is refused', async () => {
    const out = join(dir, 'other.h5');
    await expect(
      runMcmc(problem(), settings, out, {
        description: { test: 2 },
        onCheckpoint: () => {
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
    await expect(runMcmc(problem(), { ...settings, seed: 43 }, out, { description: { test: 2 } })).rejects.toThrow(/different configuration/);
  });

  it('stops at 50 tau on a linear-Gaussian problem and recovers the least-squares solution', async () => {
    const out = join(dir, 'converge.h5');
    const r = await runMcmc(problem(), { ...settings, walkers: 16, maxSteps: 20000, chunk: 500 }, out, { description: { test: 3 } });
    expect(r.converged).toBe(true);
    const chain = await readChain(out);
    expect(chain.complete).toBe(true);
    expect(chain.steps).toBeLessThan(20000);
    for (const t of r.tau) expect(chain.steps).toBeGreaterThan(50 * t);
    // Noiseless data: the posterior mean is the truth (posterior sigmas ~0.05; error of the mean < 0.01).
    const dim = 3;
    const n = (chain.steps - 100) * 16;
    const mean = [0, 0, 0];
    for (let r2 = 0; r2 < n; r2++) for (let d = 0; d < dim; d++) mean[d] += chain.samples[(100 * 16 + r2) * dim + d] / n;
    expect(mean[0]).toBeCloseTo(0.5, 1.7);
    expect(mean[1]).toBeCloseTo(-1, 1.7);
    expect(mean[2]).toBeCloseTo(2, 1.7);
  });
});
