/**
 * Field-level inference experiments, as the CLI and the benchmark run them: a mock is drawn, HMC samples
 * its posterior, and the samples are summarised against exact answers (the Wiener filter, the gridded
 * amplitude posterior) or against the prior and the truth (3-D).
 *
 * Flat-sky lensing mock: a square map of side `sideDeg` degrees on grid x grid pixels, the convergence
 * C_ell of the last tomographic bin of the arXiv:2504.00552 target sample at the fiducial cosmology
 * (halofit, Eisenstein & Hu), shape noise sigma_e per component and ngal galaxies per arcmin^2, so the
 * pixel noise variance is sigma_e^2 / (ngal Omega_pix [arcmin^2]); S_k = C_ell n^4 / L^2 and
 * N_k = n^2 sigma^2 (fftn variances; see field/gaussian-field.ts).
 */

import { gridSpectrum, shellPower } from '../field/gaussian-field.js';
import { LensingMap } from '../field/lensing-map.js';
import { modeValues, realModes } from '../field/modes.js';
import { convergenceSpectrum, linearMatterSpectrum } from '../field/spectra.js';
import { summariseSpectra, type SpectrumSummary } from '../field/statistics.js';
import { amplitudePosterior, bhattacharyyaToDensity, wienerDiagonal } from '../field/wiener.js';
import { ZeldovichModel } from '../field/zeldovich.js';
import { median, monteCarloZ, runHmc, type HmcCheckpointer, type HmcRunResult } from '../inference/hmc-run.js';
import { FourierDiagonalMass } from '../inference/mass.js';
import { FourierGrid } from '../math/fft.js';
import { deriveSeed, Random } from '../math/random.js';
import { FIDUCIAL, targetSample } from '../tasks/target.js';

export interface LensingMockOptions {
  grid: number;
  seed: number;
  samples: number;
  warmup: number;
  thin: number;
  sideDeg: number;
  ngal: number;
  sigmaE: number;
  /** Sample ln A jointly (flat prior on [-2, 2]); otherwise A = 1. */
  sampleAmplitude: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Resume the HMC run from (and save it to) a checkpoint. */
  checkpoint?: HmcCheckpointer;
}

export const DEFAULT_LENSING_MOCK: Omit<LensingMockOptions, 'seed'> = { grid: 64, samples: 2000, warmup: 300, thin: 10, sideDeg: 10, ngal: 30, sigmaE: 0.26, sampleAmplitude: false };

/** Fraction of |z| < k and the mean of z^2. */
function zSummary(z: Float64Array): { within1: number; within3: number; meanZ2: number; maxAbs: number } {
  const f = (k: number) => z.filter((x) => Math.abs(x) < k).length / z.length;
  return { within1: f(1), within3: f(3), meanZ2: z.reduce((a, b) => a + b * b, 0) / z.length, maxAbs: z.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

export interface LensingMockResult {
  model: LensingMap;
  truth: Float64Array;
  signalPower: Float64Array;
  noisePower: Float64Array;
  run: HmcRunResult;
  wiener: { mean: Float64Array; pixelVariance: number; modeVariance: Float64Array };
  /** Pixel and per-mode z-scores against the Wiener filter (fixed amplitude only). */
  pixelMeanZ: ReturnType<typeof zSummary>;
  pixelVarianceZ: ReturnType<typeof zSummary>;
  modeMeanZ: ReturnType<typeof zSummary>;
  modeVarianceZ: ReturnType<typeof zSummary>;
  tauMedian: number;
  tauMax: number;
  ess: number;
  essMin: number;
  /** With the amplitude sampled: its ESS, the exact posterior on a grid and the Bhattacharyya distance. */
  amplitude: { ess: number; tau: number; bhattacharyya: number; grid: Float64Array; density: Float64Array; exactMean: number; exactSd: number; sampleMean: number; sampleSd: number } | null;
  spectra: SpectrumSummary;
}

export async function lensingMock(o: LensingMockOptions): Promise<LensingMockResult> {
  const n = o.grid;
  const grid = new FourierGrid([n, n]);
  const side = (o.sideDeg * Math.PI) / 180;
  const cl = convergenceSpectrum(FIDUCIAL, targetSample(), 4);
  const spectrum = gridSpectrum(grid, side, cl);
  const pixArcmin2 = ((o.sideDeg * 60) / n) ** 2;
  const sigma2 = (o.sigmaE * o.sigmaE) / (o.ngal * pixArcmin2);
  const model = new LensingMap({ grid, spectrum, observable: 'convergence', noiseVariance: sigma2, amplitude: o.sampleAmplitude ? { lnAMin: -2, lnAMax: 2 } : { fixed: 1 } });
  const rng = new Random(deriveSeed(o.seed, 0));
  const x = new Float64Array(model.dim);
  x.set(model.field.white(rng));
  model.simulate(x, rng);
  const truth = model.convergence(x).slice();
  const mass = new FourierDiagonalMass(grid, model.modePrecision(), o.sampleAmplitude ? [model.amplitudeFisher()] : []);
  // Start in the typical set of the prior (a fresh white-noise draw, A = 1): from eps = 0 the amplitude
  // first runs to its upper bound to explain the data's power, and the warm-up shrinks the step size there.
  const x0 = new Float64Array(model.dim);
  x0.set(model.field.white(new Random(deriveSeed(o.seed, 2))));
  const run = await runHmc(model, mass, x0, {
    seed: deriveSeed(o.seed, 1),
    samples: o.samples,
    thin: 1,
    settings: { warmup: o.warmup },
    scalars: o.sampleAmplitude ? [model.size] : [],
    derive: (p) => Float64Array.from(model.convergence(p)),
    onProgress: o.onProgress,
    checkpoint: o.checkpoint,
  });
  const noisePower = new Float64Array(grid.size).fill(grid.size * sigma2);
  const wiener = wienerDiagonal(grid, spectrum, noisePower, model.data[0]);
  const pix = monteCarloZ(run.kept, wiener.mean, new Float64Array(grid.size).fill(wiener.pixelVariance));
  const modes = realModes(grid);
  const scratch = grid.complex();
  const modeSeries = run.kept.map((k) => modeValues(grid, k, modes, scratch));
  const md = monteCarloZ(modeSeries, modeValues(grid, wiener.mean, modes), modes.map((m) => wiener.modeVariance[m.index] * m.share));
  const tauMedian = median(pix.tau);
  const tauMax = pix.tau.reduce((a, b) => (Number.isFinite(b) ? Math.max(a, b) : a), 0);
  let amplitude: LensingMockResult['amplitude'] = null;
  if (o.sampleAmplitude) {
    const lnA = Float64Array.from({ length: 8001 }, (_, j) => -2 + (4 * j) / 8000);
    const density = amplitudePosterior(grid, spectrum, noisePower, model.data[0], lnA);
    let mu = 0;
    let v = 0;
    for (let j = 1; j < lnA.length; j++) mu += ((density[j] * lnA[j] + density[j - 1] * lnA[j - 1]) / 2) * (lnA[j] - lnA[j - 1]);
    for (let j = 1; j < lnA.length; j++) v += ((density[j] * (lnA[j] - mu) ** 2 + density[j - 1] * (lnA[j - 1] - mu) ** 2) / 2) * (lnA[j] - lnA[j - 1]);
    const sd = Math.sqrt(v);
    const series = Array.from(run.scalars, (s) => Float64Array.of(s));
    const za = monteCarloZ(series, [mu]);
    const sm = run.scalars.reduce((a, b) => a + b, 0) / o.samples;
    const ssd = Math.sqrt(run.scalars.reduce((a, b) => a + (b - sm) ** 2, 0) / (o.samples - 1));
    amplitude = {
      ess: o.samples / za.tau[0],
      tau: za.tau[0],
      bhattacharyya: bhattacharyyaToDensity(run.scalars, lnA, density, mu - 4 * sd, mu + 4 * sd, 12),
      grid: lnA,
      density,
      exactMean: mu,
      exactSd: sd,
      sampleMean: sm,
      sampleSd: ssd,
    };
  }
  const snr = spectrum.map((s, i) => s / noisePower[i]);
  const kept = run.kept.filter((_, i) => (i + 1) % o.thin === 0);
  return {
    model,
    truth,
    signalPower: spectrum,
    noisePower,
    run,
    wiener,
    pixelMeanZ: zSummary(pix.mean),
    pixelVarianceZ: zSummary(pix.variance!),
    modeMeanZ: zSummary(md.mean),
    modeVarianceZ: zSummary(md.variance!),
    tauMedian,
    tauMax,
    ess: o.samples / tauMedian,
    essMin: o.samples / tauMax,
    amplitude,
    spectra: summariseSpectra(grid, spectrum, snr, truth, run.mean, kept),
  };
}

export interface ZeldovichMockOptions {
  grid: number;
  seed: number;
  samples: number;
  warmup: number;
  thin: number;
  /** Box side [Mpc]. */
  side: number;
  redshift: number;
  meanCount: number;
  bias: number;
  /** Fraction of the box (a slab along the first axis) outside the survey, selection 0. */
  maskedFraction: number;
  onProgress?: (done: number, total: number) => void;
  /** Resume the HMC run from (and save it to) a checkpoint. */
  checkpoint?: HmcCheckpointer;
}

export const DEFAULT_ZELDOVICH_MOCK: Omit<ZeldovichMockOptions, 'seed'> = { grid: 32, samples: 600, warmup: 150, thin: 20, side: 1000, redshift: 1, meanCount: 2, bias: 1.2, maskedFraction: 0.125 };

export interface ZeldovichMockResult {
  model: ZeldovichModel;
  truth: Float64Array;
  run: HmcRunResult;
  spectra: SpectrumSummary;
  /** Autocorrelation times over 256 tracked cells and the shell powers: medians and ESS. */
  tauCellsMedian: number;
  essCells: number;
  tauShellMax: number;
  essShells: number;
}

export async function zeldovichMock(o: ZeldovichMockOptions): Promise<ZeldovichMockResult> {
  const n = o.grid;
  const grid = new FourierGrid([n, n, n]);
  const spectrum = gridSpectrum(grid, o.side, linearMatterSpectrum(FIDUCIAL, o.redshift));
  const slab = Math.round(o.maskedFraction * n);
  const selection = Float64Array.from({ length: grid.size }, (_, i) => (Math.floor(i / (n * n)) < slab ? 0 : 1));
  const model = new ZeldovichModel({ grid, side: o.side, spectrum, meanCount: o.meanCount, bias: o.bias, selection });
  const rng = new Random(deriveSeed(o.seed, 0));
  const x = model.field.white(rng);
  model.simulate(x, rng);
  const truth = model.initialDensity(x);
  const snr = model.signalToNoise();
  const mass = new FourierDiagonalMass(grid, snr.map((s) => 1 + s));
  const pick = new Random(deriveSeed(o.seed, 2));
  const cells = Int32Array.from({ length: 256 }, () => pick.int(grid.size));
  const run = await runHmc(model, mass, new Float64Array(model.dim), {
    seed: deriveSeed(o.seed, 1),
    samples: o.samples,
    thin: o.thin,
    settings: { warmup: o.warmup },
    derive: (p) => model.initialDensity(p),
    track: (_p, y) => {
      const shells = shellPower(grid, y).power;
      const out = new Float64Array(cells.length + shells.length);
      cells.forEach((c, j) => (out[j] = y[c]));
      out.set(shells, cells.length);
      return out;
    },
    onProgress: o.onProgress,
    checkpoint: o.checkpoint,
  });
  const cellSeries = run.tracks.map((t) => t.subarray(0, cells.length));
  const shellSeries = run.tracks.map((t) => t.subarray(cells.length));
  const tc = monteCarloZ(cellSeries, new Float64Array(cells.length)).tau;
  const ts = monteCarloZ(shellSeries, new Float64Array(shellSeries[0].length)).tau;
  const tauCellsMedian = median(tc);
  const tauShellMax = ts.reduce((a, b) => (Number.isFinite(b) ? Math.max(a, b) : a), 0);
  return {
    model,
    truth,
    run,
    spectra: summariseSpectra(grid, spectrum, snr, truth, run.mean, run.kept),
    tauCellsMedian,
    essCells: o.samples / tauCellsMedian,
    tauShellMax,
    essShells: o.samples / tauShellMax,
  };
}
