import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { latinHypercube, modelInputs, paperRanges, validateRanges } from '../../src/tasks/design.js';

describe('Latin hypercube design', () => {
  it('puts exactly one point in each of the n strata of every parameter', () => {
    const ranges = paperRanges(5);
    const names = validateRanges(ranges, 5);
    const n = 97;
    const x = latinHypercube(names, ranges, n, new Random(3));
    names.forEach((name, d) => {
      const [lo, hi] = ranges[name];
      const strata = new Set<number>();
      for (let i = 0; i < n; i++) strata.add(Math.floor(((x[i * names.length + d] - lo) / (hi - lo)) * n));
      expect(strata.size).toBe(n);
      expect(Math.min(...strata)).toBe(0);
      expect(Math.max(...strata)).toBe(n - 1);
    });
  });

  it('is reproducible from the seed', () => {
    const r = paperRanges(5);
    const names = validateRanges(r, 5);
    expect(Array.from(latinHypercube(names, r, 10, new Random(9)))).toEqual(Array.from(latinHypercube(names, r, 10, new Random(9))));
    expect(Array.from(latinHypercube(names, r, 10, new Random(9)))).not.toEqual(Array.from(latinHypercube(names, r, 10, new Random(10))));
  });

  it('orders names canonically and rejects unknown names, inverted ranges and missing parameters', () => {
    expect(validateRanges(paperRanges(5), 5)).toEqual(['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s', 'dz_1', 'dz_2', 'dz_3', 'dz_4', 'dz_5']);
    expect(() => validateRanges({ ...paperRanges(5), dz_6: [0, 1] }, 5)).toThrow(/unknown parameter "dz_6"/);
    expect(() => validateRanges({ ...paperRanges(5), h: [0.9, 0.5] }, 5)).toThrow(/range of h is inverted/);
    const { sigma8: _drop, ...noSigma8 } = paperRanges(5);
    expect(() => validateRanges(noSigma8, 5)).toThrow(/must include exactly one of sigma8 and A_s/);
  });

  it('maps a parameter vector onto cosmology and nuisance parameters', () => {
    const names = ['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s', 'dz_2', 'm_1', 'A_IA'];
    const { cosmology, nuisance } = modelInputs(names, [0.25, 0.05, 0.7, 0.8, 0.96, 0.01, -0.02, 0.5], 3);
    expect(cosmology).toEqual({ Omega_c: 0.25, Omega_b: 0.05, h: 0.7, sigma8: 0.8, n_s: 0.96 });
    expect(Array.from(nuisance.dz ?? [])).toEqual([0, 0.01, 0]);
    expect(Array.from(nuisance.m ?? [])).toEqual([-0.02, 0, 0]);
    expect(nuisance.ia).toEqual({ A_IA: 0.5, eta_IA: 0 });
  });
});
