import { afterAll, describe, expect, it } from 'vitest';
// The threaded theory model's workers run the build's theory-worker.js (worker threads run JavaScript
// only; see workerScript in src/paths.ts): the tests' global setup builds dist/ when it is missing or stale.
import { GaussianLikelihood, Posterior } from '../../src/inference/likelihood.js';
import { paperProblem } from '../../src/inference/problem.js';
import { TheoryModel } from '../../src/parallel/theory-model.js';
import { inverseSpd } from '../../src/math/linalg.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { nodeLinearOptions } from '../../src/io/pk-emulator-file.js';

const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
const names = problem.parameters.map((p) => p.name);
const threaded = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, ...problem.theory, threads: 2 });
const local = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: names, ...problem.theory, threads: 0 });
afterAll(() => threaded.close());

describe("the paper's inference problem", () => {
  it('has 10 parameters with the paper priors, a 750-value data vector and its Knox covariance', () => {
    expect(names).toEqual(['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s', 'dz_1', 'dz_2', 'dz_3', 'dz_4', 'dz_5']);
    expect(problem.parameters[2].prior).toEqual({ kind: 'flat', min: 0.4, max: 1.1 });
    expect(problem.data.length).toBe(750);
    // Sample variance dominates where the signal exceeds the noise: at ell = 5000 the 5-5 spectrum's
    // relative error is sqrt(2 / modes) x (1 + N/C); at ell ~ 100 it is cosmic variance only.
    const sigma = problem.covariance.sigma();
    const e = 20;
    const p = 14; // pair (4,4)
    const ell = problem.ell[e];
    const modes = (2 * ell + 1) * problem.covariance.bandWidth[e] * 0.4;
    const noise = 0.26 / (2 * ((180 * 60) / Math.PI) ** 2);
    const c = problem.data[p * 50 + e];
    expect(sigma[p * 50 + e] / (Math.sqrt(2 / modes) * (c + noise)) - 1).toBeCloseTo(0, 12);
  });

  it('ln posterior: 0 at the fiducial point, -chi^2/2 elsewhere (checked against the dense inverse), -inf outside the prior', async () => {
    const post = new Posterior(problem.parameters, threaded, new GaussianLikelihood(problem.data, problem.covariance));
    const fid = problem.parameters.map((p) => p.fiducial);
    const moved = fid.map((v, i) => (i === 0 ? v * 1.01 : i === 5 ? 0.001 : v));
    const outside = fid.map((v, i) => (i === 2 ? 1.2 : v));
    const lp = await post.logProb(Float64Array.from([...fid, ...moved, ...outside]), 3);
    // Same code on the worker thread: the fiducial prediction reproduces the data exactly.
    const flat = -Math.log(0.23 * 0.04 * 0.7 * 0.35 * 0.3 * 0.008 ** 5);
    // chi^2 is exactly 0; what remains is rounding in the sum of the ten ln prior widths.
    expect(lp[0] - flat).toBeCloseTo(0, 12);
    expect(lp[2]).toBe(Number.NEGATIVE_INFINITY);
    const m = await local.predict(Float64Array.from(moved), 1);
    const inv = inverseSpd(problem.covariance.dense(), 750);
    const r = problem.data.map((d, i) => d - m[i]);
    let chi2 = 0;
    for (let i = 0; i < 750; i++) for (let j = 0; j < 750; j++) chi2 += r[i] * inv[i * 750 + j] * r[j];
    expect(chi2).toBeGreaterThan(1);
    expect((lp[1] - flat) / (-0.5 * chi2) - 1).toBeCloseTo(0, 8);
  });

  it('threads and the calling thread give identical spectra', async () => {
    const rows = Float64Array.from([0.25, 0.05, 0.7, 0.8, 0.97, 0, 0.001, 0, -0.001, 0.002, 0.3, 0.04, 0.6, 0.9, 0.95, 0, 0, 0, 0, 0]);
    expect(Array.from(await threaded.predict(rows, 2))).toEqual(Array.from(await local.predict(rows, 2)));
  });
});
