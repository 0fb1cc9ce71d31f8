import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type AnalysisConfig } from '../../src/analysis/config.js';
import { AnalysisModel, spectraInputs } from '../../src/analysis/model.js';
import { surveyProblem as surveyProblemWith, syntheticProblem as syntheticProblemWith, type AnalysisProblem } from '../../src/analysis/problem.js';
import { sigma8FromAs } from '../../src/cosmology/normalisation.js';
import { linearModel } from '../../src/cosmology/transfer/index.js';
import { CosmetaError } from '../../src/errors.js';
import { GaussianLikelihood, Posterior } from '../../src/inference/likelihood.js';
import { paperProblem } from '../../src/inference/problem.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { TheoryModel } from '../../src/parallel/theory-model.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { loadLinearModel, nodeLinearOptions } from '../../src/io/pk-emulator-file.js';

// The problems with the config's linear model resolved as the CLI does (the shipped emulator for boltzmann_emulated).
const surveyProblem = (data: TwoPointData, config: AnalysisConfig, name?: string) => surveyProblemWith(data, config, name, loadLinearModel(config.theory.linear));
const syntheticProblem = (config: AnalysisConfig) => syntheticProblemWith(config, loadLinearModel(config.theory.linear));

const ROOT = join(__dirname, '..', '..');
const DES = join(ROOT, 'test', 'reference', 'surveys', 'des-y1', 'sacc_data.hdf5');
const desYaml = readFileSync(join(ROOT, 'configs', 'des-y1.yaml'), 'utf8');
let des: TwoPointData;

beforeAll(async () => {
  des = await readSaccHdf5(DES);
}, 60_000);

function desConfig(edit: (raw: Record<string, any>) => void = () => {}): AnalysisConfig {
  const c = parseConfig(desYaml);
  const raw = JSON.parse(JSON.stringify(c));
  edit(raw);
  return parseConfig(JSON.stringify(raw));
}

function model(problem: AnalysisProblem): AnalysisModel {
  const spectra = new TheoryModel({
    z: problem.z,
    nz: problem.nz,
    ell: problem.ell,
    parameterNames: spectraInputs(problem),
    linear: problem.theory.linear,
    shiftConvention: problem.theory.shiftConvention,
    allowNegative: true,
    threads: 0,
  });
  return new AnalysisModel(problem, spectra);
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CosmetaError);
    return (e as Error).message;
  }
  throw new Error('expected a CosmetaError');
};

describe('analysis config: errors name the key or value', () => {
  it('unknown keys, parameters without prior or value, data types Cosmeta cannot model', () => {
    expect(errorOf(() => parseConfig(desYaml.replace('theory:', 'theory:\n  halo_model: mead')))).toMatch(/unknown key "theory\.halo_model"/);
    expect(errorOf(() => parseConfig(`${desYaml}\nextra: 1\n`))).toMatch(/unknown key "extra"/);
    expect(errorOf(() => parseConfig(desYaml.replace('h: {prior: {flat: [0.55, 0.91]}, start: 0.69, spread: 0.03}', 'h: {start: 0.69}')))).toMatch(
      /parameters\.h: needs a prior \(sampled\) or a value \(fixed\)/,
    );
    expect(errorOf(() => parseConfig(desYaml.replace('statistics: [xi_plus, xi_minus]', 'statistics: [xi_plus, galaxy_density_xi]')))).toMatch(/data\.statistics\[1\].*galaxy_density_xi/);
    expect(errorOf(() => parseConfig(desYaml.replace('{gaussian: [-0.001, 0.016]}', '{gaussian: [-0.001, -0.016]}')))).toMatch(/parameters\.dz_1\.prior/);
    // The sampler's move mixture: weights >= 0, not all zero, only the moves the sampler has.
    expect(errorOf(() => parseConfig(desYaml.replace('moves: {de: 0.8, stretch: 0.2}', 'moves: {de: 0, stretch: 0}')))).toMatch(/sampler\.moves: give at least one move a weight > 0/);
    expect(errorOf(() => parseConfig(desYaml.replace('moves: {de: 0.8, stretch: 0.2}', 'moves: {de: -0.8, stretch: 0.2}')))).toMatch(/sampler\.moves\.de/);
    expect(errorOf(() => parseConfig(desYaml.replace('moves: {de: 0.8, stretch: 0.2}', 'moves: {snooker: 1}')))).toMatch(/unknown key "sampler\.moves\.snooker"/);
    // A parameter the theory does not know, and a required one missing.
    expect(errorOf(() => surveyProblem(des, desConfig((r) => (r.parameters.w_a = { value: 0 }))))).toMatch(/parameters\.w_a: unknown parameter/);
    expect(errorOf(() => surveyProblem(des, desConfig((r) => delete r.parameters.n_s)))).toMatch(/parameters\.n_s: missing/);
    // A shear analysis of a lens (galaxy_density) tracer.
    const lens = { ...des, tracers: des.tracers.map((t) => (t.name === 'lens0' ? { ...t, quantity: 'galaxy_density' } : t)) };
    expect(errorOf(() => surveyProblem(lens, desConfig((r) => (r.data.tracers = ['src0', 'lens0']))))).toMatch(/data\.tracers\[1\]: tracer "lens0" is galaxy_density/);
  });

  it('YAML the parser only warns about (an unresolved tag) is refused in one line, and nothing is printed', () => {
    // The yaml library reports an unresolved tag as a warning on stderr and carries on; a config must
    // instead be refused, naming the file and the problem.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(() => parseConfig('data:\n  file: x.fits\n  tracers: [src0, !src1]\n', 'tagged.yaml')).toThrow(/^tagged\.yaml: not valid YAML \(Unresolved tag: !src1\)$/);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it("a prior outside the theory's domain names the parameter and the bound", () => {
    // With Eisenstein & Hu, whose domain is the cosmology's own validity (the emulator's box is tested in pk-emulator.test.ts).
    const m = errorOf(() => surveyProblem(des, desConfig((r) => ((r.parameters.h.prior = { flat: [0.05, 0.91] }), (r.theory.linear = 'eisenstein_hu')))));
    expect(m).toMatch(/parameters\.h\.prior \(at h = 0\.05\): outside the theory's domain/);
    expect(m).toMatch(/h=0\.05 is outside the valid range \[0\.1, 2\]/);
    expect(errorOf(() => surveyProblem(des, desConfig((r) => (r.parameters.m_2.prior = { flat: [-1.5, 0.5] }))))).toMatch(/parameters\.m_2\.prior: reaches m = -1\.5/);
  });

  it('a covariance that is not positive definite or does not match the data, and negative n(z)', () => {
    const n = des.points.length;
    const bad = Float64Array.from(des.covariance);
    const i = 300; // a shear point
    bad[i * n + i] = -bad[i * n + i];
    expect(errorOf(() => surveyProblem({ ...des, covariance: bad }, desConfig()))).toMatch(/covariance of the 227 selected points is not positive definite/);
    expect(errorOf(() => surveyProblem({ ...des, covariance: des.covariance.subarray(0, (n - 1) * (n - 1)) }, desConfig()))).toMatch(/covariance has 207936 entries, not 457 x 457/);
    const nz = Float64Array.from(des.tracers[6].nz);
    nz[40] = -1e-3;
    const neg = { ...des, tracers: des.tracers.map((t, k) => (k === 6 ? { ...t, nz } : t)) };
    expect(errorOf(() => surveyProblem(neg, desConfig()))).toMatch(/tracer src1: n\(z\) at z = 0\.4051 is -0\.001/);
  });
});

describe('the DES Y1 problem', () => {
  it("selects DES's 227 shear points and the matching covariance sub-block (not the 230-456 slice by assumption)", () => {
    const p = surveyProblem(des, desConfig(), 'des');
    expect(p.data.length).toBe(227);
    expect(p.tracers).toEqual(['src0', 'src1', 'src2', 'src3']);
    // The selected points are exactly the file's shear points, and chi^2 of the data against zero equals
    // d^T C^-1 d with C the file's block of those indices (checked by a residual of one unit vector).
    const idx = des.points.flatMap((q, k) => (q.dataType.startsWith('galaxy_shear_xi') ? [k] : []));
    expect(idx.length).toBe(227);
    expect(Array.from(p.data)).toEqual(idx.map((k) => des.points[k].value));
    const N = des.points.length;
    const e = new Float64Array(227);
    e[0] = 1;
    // For a unit vector chi^2 = (C^-1)_00 >= 1 / C_00, with equality only without correlations.
    expect(p.covariance.chi2(e)).toBeGreaterThanOrEqual(1 / des.covariance[idx[0] * N + idx[0]]);
    // Scale cuts from the config cut further: keep src0-src0 xi+ only above 20 arcmin.
    const cut = surveyProblem(des, desConfig((r) => (r.data.scale_cuts = { xi_plus: { 'src0,src0': [20, 250] } })));
    const kept = des.points.filter((q) => q.dataType === 'galaxy_shear_xi_plus' && q.tracers[0] === 'src0' && q.tracers[1] === 'src0');
    expect(cut.data.length).toBe(227 - kept.filter((q) => (q.theta as number) < 20).length);
  });

  it('applies m_i as (1 + m_i)(1 + m_j) exactly and dz_i as a re-evaluation with the shifted n(z)', async () => {
    const p = surveyProblem(des, desConfig(), 'des');
    const M = model(p);
    const names = M.parameterNames;
    const base = Float64Array.from(names, (n) => ({ Omega_m: 0.3, A_s: 2.1e-9, Omega_b: 0.048, h: 0.69, n_s: 0.97, A_IA: 0.5 })[n as 'h'] ?? 0);
    const withM = Float64Array.from(base);
    const m = [0.01, -0.02, 0.03, 0.05];
    m.forEach((v, i) => (withM[names.indexOf(`m_${i + 1}`)] = v));
    const [a, b] = [await M.predict(base, 1), await M.predict(withM, 1)];
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 4; i++) for (let j = i; j < 4; j++) pairs.push([i, j]);
    for (let k = 0; k < a.length; k++) {
      const [i, j] = pairs[p.projection.pairOf[k]];
      // One multiplication in double precision: agreement to a few ulp.
      expect(Math.abs(b[k] / (a[k] * (1 + m[i]) * (1 + m[j])) - 1)).toBeLessThan(1e-14);
    }
    // dz: one tracer (so its grid may differ from the others'), shifted by 0.05 two ways.
    const one = desConfig((r) => {
      r.data.tracers = ['src1'];
      for (const n of ['dz_2', 'dz_3', 'dz_4', 'm_2', 'm_3', 'm_4']) delete r.parameters[n];
    });
    const p1 = surveyProblem(des, one);
    const shiftedData = { ...des, tracers: des.tracers.map((t) => (t.name === 'src1' ? { ...t, z: Float64Array.from(t.z, (z) => z + 0.05) } : t)) };
    const p2 = surveyProblem(shiftedData, one);
    const [M1, M2] = [model(p1), model(p2)];
    const row = (dz: number) => Float64Array.from(M1.parameterNames, (n) => ({ Omega_m: 0.3, A_s: 2.1e-9, Omega_b: 0.048, h: 0.69, n_s: 0.97, A_IA: 0.5, dz_1: dz })[n as 'h'] ?? 0);
    const shifted = await M1.predict(row(0.05), 1);
    const direct = await M2.predict(row(0), 1);
    const unshifted = await M1.predict(row(0), 1);
    let maxRel = 0;
    let moved = 0;
    for (let k = 0; k < shifted.length; k++) {
      maxRel = Math.max(maxRel, Math.abs(shifted[k] / direct[k] - 1));
      moved = Math.max(moved, Math.abs(unshifted[k] / direct[k] - 1));
    }
    // The same kernel integrals on identical splines; they differ only by the Limber nodes' placement
    // relative to the n(z) knots (the near-zero product rule and the tails): measured < 1e-6.
    expect(maxRel).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(0.05); // the shift itself moves xi by far more than that
  });
});

describe('the paper problem as a config', () => {
  it('configs/paper.yaml gives the log-posterior of --problem paper exactly', async () => {
    const config = parseConfig(readFileSync(join(ROOT, 'configs', 'paper.yaml'), 'utf8'));
    const p = syntheticProblem(config);
    const viaConfig = new Posterior(p.parameters, model(p), new GaussianLikelihood(p.data, p.covariance), p.fixed);
    const paper = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
    const theory = new TheoryModel({ z: paper.z, nz: paper.nz, ell: paper.ell, parameterNames: paper.parameters.map((s) => s.name), ...paper.theory, threads: 0 });
    const direct = new Posterior(paper.parameters, theory, new GaussianLikelihood(paper.data, paper.covariance), paper.fixed);
    expect(viaConfig.names).toEqual(direct.names);
    expect(p.parameters.map((s) => [s.prior, s.fiducial])).toEqual(paper.parameters.map((s) => [s.prior, s.fiducial]));
    // The paper's start spreads are 0.1 x fiducial in floating point (0.027000000000000003); the config
    // writes the decimal.
    p.parameters.forEach((s, i) => expect(s.startSpread).toBeCloseTo(paper.parameters[i].startSpread, 15));
    const pts = Float64Array.of(
      ...[0.27, 0.045, 0.67, 0.83, 0.96, 0, 0, 0, 0, 0],
      ...[0.25, 0.05, 0.7, 0.8, 0.98, 0.001, -0.002, 0.003, 0, -0.001],
      ...[0.3, 0.04, 0.6, 0.9, 0.93, -0.003, 0.002, 0, 0.001, 0.002],
    );
    const [a, b] = [await viaConfig.logProb(pts, 3), await direct.logProb(pts, 3)];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[0]).toBeGreaterThan(a[1]); // the fiducial point is the noiseless data's maximum
  });
});

describe('A_s normalisation', () => {
  it("gives CAMB's sigma8 to the accuracy of Eisenstein & Hu's transfer function", () => {
    // CAMB 1.6.6 (shared reference camb/pk-linear.json, fiducial case, "default" accuracy): A_s and the
    // sigma8 CAMB computed at that A_s. EH's T(k) is ~1% off CAMB's around k ~ 0.1/Mpc: measured -0.35%;
    // the bound is 1%.
    const c = { Omega_c: 0.27, Omega_b: 0.045, h: 0.67, n_s: 0.96 };
    const s = sigma8FromAs(c, 2.049989566313845e-9, linearModel('eisenstein_hu'));
    expect(Math.abs(s / 0.8400631111933932 - 1)).toBeLessThan(0.01);
    // sigma8 is proportional to sqrt(A_s) exactly.
    expect(sigma8FromAs(c, 4 * 2.049989566313845e-9, linearModel('eisenstein_hu')) / s).toBeCloseTo(2, 12);
  });
});
