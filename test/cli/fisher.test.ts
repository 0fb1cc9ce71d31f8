import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fisherErrors } from '../../src/inference/compression/forecast.js';
import { compressedFisher, mopedVectors } from '../../src/inference/compression/moped.js';
import { problemFisher } from '../../src/inference/compression/problem-forecast.js';
import { paperProblem } from '../../src/inference/problem.js';
import { TheoryModel } from '../../src/parallel/theory-model.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { nodeLinearOptions } from '../../src/io/pk-emulator-file.js';

// These tests run the built command (npm test builds dist/ first).
const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cosmeta-fisher-cli-'));

describe('cosmeta fisher on the paper problem', () => {
  it('prints marginal >= conditional errors, a converged step study, and draws the ellipse', () => {
    const plot = join(dir, 'ellipse.png');
    const a = run(['fisher', '--threads', '0', '--json', '--params', 'Omega_m,S8,h', '--plot', plot]);
    expect(a.status, a.stderr).toBe(0);
    const ra = JSON.parse(a.stdout);
    for (const p of ['Omega_m', 'S8', 'h']) {
      expect(ra.errors[p].marginal).toBeGreaterThanOrEqual(ra.errors[p].conditional);
      // Ignoring the flat priors can only loosen the marginal errors.
      expect(ra.errorsFlatPriorsIgnored[p].marginal).toBeGreaterThan(ra.errorsFlatPriorsAsGaussian[p].marginal);
    }
    for (const s of ra.study) expect(s.levels[Math.max(0, s.chosen - 1)].change).toBeLessThan(1e-4);
    expect(existsSync(plot)).toBe(true);
    expect(readFileSync(plot).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('refuses an unknown parameter with one line and exit code 2', () => {
    const r = run(['fisher', '--threads', '0', '--params', 'Omega_m,w0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown parameter "w0"/);
    expect(r.stdout).toBe('');
  });

  it("central and Richardson derivatives agree, and MOPED's compressed Fisher matrix equals the full one", async () => {
    const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
    const model = new TheoryModel({ z: problem.z, nz: problem.nz, ell: problem.ell, parameterNames: problem.parameters.map((p) => p.name), ...problem.theory, threads: 0 });
    try {
      const fisher = await problemFisher(problem, model);
      const central = await problemFisher(problem, model, { method: 'central' });
      const ea = fisherErrors(fisher.F, fisher.names);
      const eb = fisherErrors(central.F, central.names);
      // Both step studies keep derivatives whose neighbouring estimates agree to <~1e-5 (noise-weighted);
      // the conditional errors then agree to ~1e-5 and the marginal ones (amplified by F^-1's
      // degeneracies without priors) to better than 1e-2.
      for (let a = 0; a < fisher.names.length; a++) {
        expect(Math.abs(ea.conditional[a] / eb.conditional[a] - 1)).toBeLessThan(1e-4);
        expect(Math.abs(ea.marginal[a] / eb.marginal[a] - 1)).toBeLessThan(1e-2);
      }
      const b = mopedVectors(fisher.derivatives, problem.covariance);
      const Fc = compressedFisher(b, fisher.derivatives);
      const n = fisher.names.length;
      // 10 parameters, condition number of F ~1e6: Gram-Schmidt in double precision keeps 1e-8 of the
      // largest element (lossless at the fiducial point, Heavens et al. 2000 sect. 2).
      let scale = 0;
      for (const x of fisher.F) scale = Math.max(scale, Math.abs(x));
      for (let i = 0; i < n * n; i++) expect(Math.abs(Fc[i] - fisher.F[i]) / scale).toBeLessThan(1e-8);
    } finally {
      await model.close();
    }
  }, 60_000);
});
