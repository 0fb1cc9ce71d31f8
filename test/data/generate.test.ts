import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatasetReader,
  fixedSample,
  generateDataset,
  generateInMemory,
  modelInputs,
  paperFamily,
  paperRanges,
  planDataset,
  ShearTheory,
  targetSample,
  type GenerateConfig,
} from '../../src/index.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { loadLinearModel } from '../../src/io/pk-emulator-file.js';

// Generation's worker threads run the build's theory-worker.js (worker threads run JavaScript only; see
// workerScript in src/paths.ts): the tests' global setup builds dist/ when it is missing or stale.
const small: GenerateConfig = { tasks: 3, samples: 12, seed: 21, family: paperFamily(), blockSize: 5 };

describe('dataset generation', () => {
  it('refuses bad configurations before computing anything', () => {
    expect(() => planDataset({ ...small, tasks: 0 })).toThrow(/tasks must be an integer in \[1/);
    expect(() => planDataset({ ...small, samples: 2.5 })).toThrow(/samples must be an integer/);
    expect(() => planDataset({ ...small, seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => planDataset({ ...small, ranges: { ...paperRanges(5), n_s: [1.1, 0.9] } })).toThrow(/range of n_s is inverted/);
    expect(() => planDataset({ ...small, linear: 'camb' })).toThrow(/unknown linear model "camb"/);
    expect(() => planDataset({ ...small, linear: 'symbolic' })).toThrow(/parameter ranges: Omega_m=.* outside the validity range/);
    expect(() => planDataset({ ...small, family: fixedSample(targetSample().z, targetSample().nz, {}), tasks: 2 })).toThrow(/has 1 task/);
    expect(() => planDataset({ ...small, ranges: { ...paperRanges(5), h: [0.05, 0.7] } })).toThrow(/parameter ranges: parameter h=0.05 is outside/);
  });

  it('writes the documented HDF5 layout; each stored spectrum is the theory for its stored inputs and n(z)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-gen-'));
    const out = join(dir, 'set.h5');
    await generateDataset(small, out, { threads: 2 });
    expect(existsSync(`${out}.partial`)).toBe(false);
    const r = await DatasetReader.open(out);
    try {
      const h = r.header;
      expect([h.tasks, h.samples, h.nBins, h.nZ]).toEqual([3, 12, 5, 300]);
      expect(h.parameterNames).toEqual(['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s', 'dz_1', 'dz_2', 'dz_3', 'dz_4', 'dz_5']);
      expect(h.ell).toHaveLength(50);
      expect(h.pairs[1]).toEqual([0, 1]);
      expect(h.attributes.format).toBe('cosmeta-dataset');
      expect(h.attributes.seed).toBe(21);
      expect(JSON.parse(h.attributes.config as string).family.family).toBe('paper');
      const memory = generateInMemory(small);
      for (const t of [0, 2]) {
        const inputs = r.inputs(t);
        const spectra = r.spectra(t);
        expect(Array.from(inputs)).toEqual(Array.from(memory.inputs[t]));
        expect(Array.from(spectra)).toEqual(Array.from(memory.spectra[t]));
        const sample = r.sample(t);
        // The generator's default linear model, as it resolves it.
        const theory = new ShearTheory(sample, h.ell, { linear: loadLinearModel(DEFAULT_LINEAR_MODEL) });
        const s = 7;
        const { cosmology, nuisance } = modelInputs(h.parameterNames, inputs.subarray(s * 10, s * 10 + 10), 5);
        const direct = theory.compute(cosmology, nuisance);
        for (let k = 0; k < direct.length; k++) expect(spectra[s * 750 + k]).toBe(direct[k]);
        expect(r.description(t).task).toBe(t);
      }
    } finally {
      r.close();
    }
  });

  it('the same seed gives a byte-identical file; another seed does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-gen-'));
    await generateDataset(small, join(dir, 'a.h5'), { threads: 2 });
    await generateDataset(small, join(dir, 'b.h5'), { threads: 1 });
    await generateDataset({ ...small, seed: 22 }, join(dir, 'c.h5'), { threads: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => readFileSync(join(dir, `${n}.h5`)));
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).not.toBe(0);
  });
});
