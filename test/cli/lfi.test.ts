import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nigMarginals, nigPosterior, observeGaussianSignal } from '../../src/inference/lfi/gaussian-signal.js';
import { deriveSeed } from '../../src/math/random.js';

// These tests run the built command (npm test builds dist/ first).
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });

describe('cosmeta lfi', () => {
  it('bolfi --json prints the observed summaries, the BOLFI and exact posteriors and the simulations', () => {
    const r = run(['lfi', 'bolfi', '--problem', 'gaussian-signal', '--seed', '4', '--n', '40', '--mu', '0.5', '--sigma2', '2', '--prior', '0,6,22,54', '--budget', '40', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const key of ['observed', 'posterior', 'exact', 'simulations']) expect(out).toHaveProperty(key);
    // the observation is the seeded draw of the library, and the exact posterior its closed form
    const obs = observeGaussianSignal(40, 0.5, 2, deriveSeed(4, 0));
    expect(out.observed.n).toBe(40);
    expect(out.observed.mean).toBeCloseTo(obs.mean, 12);
    expect(out.observed.ss).toBeCloseTo(obs.ss, 10);
    const exact = nigMarginals(nigPosterior({ eta: 0, lambda: 6, alpha: 22, beta: 54 }, obs));
    expect(out.exact.mu[0]).toBeCloseTo(exact.mu[0], 12);
    expect(out.exact.sigma2[1]).toBeCloseTo(exact.sigma2[1], 12);
    expect(out.simulations).toBe(40);
    // the Gaussian signal's defaults: the synthetic likelihood with posterior rounds
    expect(out.settings).toMatchObject({ acquisition: 'posterior', likelihood: 'synthetic', budget: 40 });
    // 40 simulations: a rough posterior, but inside the prior's bulk with positive widths
    expect(out.posterior.mu[1]).toBeGreaterThan(0);
    expect(Math.abs(out.posterior.mu[0] - exact.mu[0])).toBeLessThan(5 * exact.mu[1]);
    expect(out.posterior.sigma2[0]).toBeGreaterThan(0);
  });

  it('abc --json reports the accepted draws, and bad input exits 2 with one line', () => {
    const r = run(['lfi', 'abc', '--seed', '2', '--simulations', '2000', '--accept', '200', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.simulations).toBe(2000);
    expect(out.accepted).toBe(200);
    expect(out.threshold).toBeGreaterThan(0);
    const bad = run(['lfi', 'bolfi', '--seed', '1', '--prior', '0,6,22', '--json']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--prior 0,6,22/);
  });
});
