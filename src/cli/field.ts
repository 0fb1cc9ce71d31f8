/**
 * `cosmeta field ...`: field-level inference with HMC.
 *   field wiener     Gaussian convergence map in white noise (the exact case): HMC against the Wiener
 *                    filter, optionally with the amplitude sampled jointly; HDF5 output (see below).
 *   field zeldovich  3-D: Zel'dovich + CIC + Poisson counts with a selection mask (BORG's data model).
 *
 * `field wiener` file layout (float64): /data, /truth, /mean, /variance, /wiener_mean [grid, grid] (real
 * space); /signal_power, /noise_power [grid, grid], the variances of numpy-fft2 coefficients of signal
 * and noise in numpy's fft2 layout, so s_WF = ifft2(S / (S + N) * fft2(data)).real; /samples
 * [kept, grid, grid] (every thin-th sample); /log_prob [samples]; /ln_A [samples] with the amplitude
 * sampled. Attributes: samples, ess (samples / median pixel tau), ess_min, tau_median, warmup, thin,
 * seed, acceptance, step_size, gradients, seconds, config (JSON).
 */

import type { Command } from 'commander';
import { CosmetaError } from '../errors.js';
import { hmcCheckpointer, removeCheckpoint } from '../io/checkpoint.js';
import { writeFieldFile, type FieldDataset } from '../io/field-file.js';
import { withOutputLock } from '../io/lock.js';
import { DEFAULT_LENSING_MOCK, DEFAULT_ZELDOVICH_MOCK, lensingMock, zeldovichMock } from '../pipeline/field.js';
import { amplitudeSpec, mapsSpec, spectraSpec } from '../report/field-figures.js';
import { writeFigure } from '../report/figures.js';
import { VERSION } from '../version.js';
import { integer } from './args.js';
import { progressBar } from './progress.js';

function real(flag: string, text: string, min = Number.NEGATIVE_INFINITY): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !(v > min)) throw new CosmetaError(`${flag} ${text} is not a number > ${min}`);
  return v;
}

function powerOfTwo(flag: string, text: string): number {
  const v = integer(flag, text, 4);
  if ((v & (v - 1)) !== 0) throw new CosmetaError(`${flag} ${text} is not a power of two >= 4`);
  return v;
}

function seedOf(text: string): number {
  const v = integer('--seed', text, 0);
  if (v >= 2 ** 32) throw new CosmetaError(`--seed ${text} must be below 2^32`);
  return v;
}

function progress(enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { update: undefined, stop: () => {} };
  const bar = progressBar('HMC {bar} {value}/{total} trajectories | {eta_formatted} left', 500);
  let started = false;
  return {
    update: (done: number, total: number) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

const round = (x: number, d = 4) => Number(x.toPrecision(d));

/**
 * CPU seconds of this process since `start` (user + system): on a shared machine wall-clock rates
 * depend on the load, so ESS per CPU-hour (the whole command: warm-up, sampling and analysis) is
 * reported beside ESS per wall-clock hour of sampling.
 */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

export interface FieldWienerOptions {
  grid: string;
  seed: string;
  samples: string;
  warmup: string;
  thin: string;
  sideDeg: string;
  ngal: string;
  sigmaE: string;
  sampleAmplitude?: boolean;
  figures?: string;
  out?: string;
  progress: boolean;
}

export async function runFieldWiener(o: FieldWienerOptions): Promise<void> {
  if (!o.out) throw new CosmetaError('--out <file> is required');
  const opts = {
    grid: powerOfTwo('--grid', o.grid),
    seed: seedOf(o.seed),
    samples: integer('--samples', o.samples, 10),
    warmup: integer('--warmup', o.warmup, 0),
    thin: integer('--thin', o.thin, 1),
    sideDeg: real('--side-deg', o.sideDeg, 0),
    ngal: real('--ngal', o.ngal, 0),
    sigmaE: real('--sigma-e', o.sigmaE, 0),
    sampleAmplitude: Boolean(o.sampleAmplitude),
  };
  const bar = progress(o.progress);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // With --out, the HMC run resumes from OUT.partial after an interruption (the same numbers as a whole run).
  const partial = o.out ? `${o.out}.partial` : null;
  const checkpoint = partial ? hmcCheckpointer(partial, JSON.stringify({ command: 'field wiener', ...opts })) : undefined;
  const r = await lensingMock({ ...opts, onProgress: bar.update, checkpoint });
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const cpuHours = cpuSeconds(cpu0) / 3600;
  const n = opts.grid;
  const kept = r.run.kept.filter((_, i) => (i + 1) % opts.thin === 0);
  const flat = new Float64Array(kept.length * n * n);
  kept.forEach((k, i) => flat.set(k, i * n * n));
  const sq = [n, n];
  const datasets: FieldDataset[] = [
    { name: 'data', data: r.model.data[0], shape: sq },
    { name: 'truth', data: r.truth, shape: sq },
    { name: 'signal_power', data: r.signalPower, shape: sq },
    { name: 'noise_power', data: r.noisePower, shape: sq },
    { name: 'mean', data: r.run.mean, shape: sq },
    { name: 'variance', data: r.run.variance, shape: sq },
    { name: 'wiener_mean', data: r.wiener.mean, shape: sq },
    { name: 'samples', data: flat, shape: [kept.length, n, n] },
    { name: 'log_prob', data: r.run.logProb, shape: [opts.samples] },
  ];
  if (r.amplitude) datasets.push({ name: 'ln_A', data: r.run.scalars, shape: [opts.samples] });
  const samplingHours = r.run.samplingSeconds / 3600;
  const summary = {
    grid: n,
    samples: opts.samples,
    acceptance: round(r.run.meanAcceptProb),
    stepSize: round(r.run.stepSize),
    gradients: r.run.gradients,
    tauMedian: round(r.tauMedian),
    ess: round(r.ess),
    essMin: round(r.essMin),
    essPerHour: round(r.ess / samplingHours),
    essPerCpuHour: round(r.ess / cpuHours),
    cpuSeconds: round(cpuHours * 3600),
    warmupSeconds: round(r.run.warmupSeconds),
    samplingSeconds: round(r.run.samplingSeconds),
    wienerPixelMean: r.pixelMeanZ,
    wienerPixelVariance: r.pixelVarianceZ,
    wienerModeMean: r.modeMeanZ,
    wienerModeVariance: r.modeVarianceZ,
    amplitude: r.amplitude && {
      bhattacharyya: round(r.amplitude.bhattacharyya),
      ess: round(r.amplitude.ess),
      essPerHour: round(r.amplitude.ess / samplingHours),
      essPerCpuHour: round(r.amplitude.ess / cpuHours),
      exactMean: round(r.amplitude.exactMean),
      exactSd: round(r.amplitude.exactSd),
      sampleMean: round(r.amplitude.sampleMean),
      sampleSd: round(r.amplitude.sampleSd),
    },
  };
  const config = { cosmeta: VERSION, command: 'field wiener', ...opts, spectrum: 'kappa C_ell, last bin of the arXiv:2504.00552 target sample, fiducial cosmology, halofit' };
  await writeFieldFile(o.out, datasets, {
    samples: opts.samples,
    ess: r.ess,
    ess_min: r.essMin,
    tau_median: r.tauMedian,
    warmup: opts.warmup,
    thin: opts.thin,
    seed: opts.seed,
    acceptance: r.run.meanAcceptProb,
    step_size: r.run.stepSize,
    gradients: r.run.gradients,
    seconds,
    config: JSON.stringify(config),
    summary: JSON.stringify(summary),
  });
  if (partial) removeCheckpoint(partial);
  if (o.figures) {
    const sd = r.run.variance.map(Math.sqrt);
    await writeFigure(mapsSpec([{ title: 'truth', values: r.truth }, { title: 'data', values: r.model.data[0] }, { title: 'posterior mean', values: r.run.mean }, { title: 'posterior sd', values: sd }], n), `${o.figures}/wiener-maps.png`);
    const side = (opts.sideDeg * Math.PI) / 180;
    await writeFigure(spectraSpec(r.spectra, (m) => (2 * Math.PI * m) / side, 'multipole ell'), `${o.figures}/wiener-spectra.png`);
    if (r.amplitude) {
      const a = r.amplitude;
      await writeFigure(amplitudeSpec(r.run.scalars, a.grid, a.density, a.exactMean - 4 * a.exactSd, a.exactMean + 4 * a.exactSd), `${o.figures}/wiener-amplitude.png`);
    }
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

export interface FieldZeldovichOptions {
  grid: string;
  seed: string;
  samples: string;
  warmup: string;
  thin: string;
  side: string;
  redshift: string;
  meanCount: string;
  bias: string;
  maskedFraction: string;
  figures?: string;
  out?: string;
  progress: boolean;
}

export async function runFieldZeldovich(o: FieldZeldovichOptions): Promise<void> {
  if (!o.out) throw new CosmetaError('--out <file> is required');
  const mf = real('--masked-fraction', o.maskedFraction, -1e-300);
  if (mf >= 1) throw new CosmetaError(`--masked-fraction ${o.maskedFraction} must be below 1`);
  const opts = {
    grid: powerOfTwo('--grid', o.grid),
    seed: seedOf(o.seed),
    samples: integer('--samples', o.samples, 10),
    warmup: integer('--warmup', o.warmup, 0),
    thin: integer('--thin', o.thin, 1),
    side: real('--side', o.side, 0),
    redshift: real('--redshift', o.redshift, -1e-300),
    meanCount: real('--mean-count', o.meanCount, 0),
    bias: real('--bias', o.bias, 0),
    maskedFraction: mf,
  };
  const bar = progress(o.progress);
  const cpu0 = process.cpuUsage();
  // With --out, the HMC run resumes from OUT.partial after an interruption (the same numbers as a whole run).
  const partial = o.out ? `${o.out}.partial` : null;
  const checkpoint = partial ? hmcCheckpointer(partial, JSON.stringify({ command: 'field zeldovich', ...opts })) : undefined;
  const r = await zeldovichMock({ ...opts, onProgress: bar.update, checkpoint });
  bar.stop();
  const cpuHours = cpuSeconds(cpu0) / 3600;
  const n = opts.grid;
  const cube = [n, n, n];
  const flat = new Float64Array(r.run.kept.length * n ** 3);
  r.run.kept.forEach((k, i) => flat.set(k, i * n ** 3));
  const s = r.spectra;
  const kOf = (m: number) => (2 * Math.PI * m) / opts.side;
  const withinCv = Array.from(s.m, (_, j) => Math.abs(s.sampleMean[j] / s.prior[j] - 1) / s.cosmicVariance[j]);
  const hours = r.run.samplingSeconds / 3600;
  const summary = {
    grid: n,
    samples: opts.samples,
    acceptance: round(r.run.meanAcceptProb),
    stepSize: round(r.run.stepSize),
    divergences: r.run.divergences,
    gradients: r.run.gradients,
    warmupSeconds: round(r.run.warmupSeconds),
    samplingSeconds: round(r.run.samplingSeconds),
    essCells: round(r.essCells),
    essCellsPerHour: round(r.essCells / hours),
    essShells: round(r.essShells),
    essShellsPerHour: round(r.essShells / hours),
    essCellsPerCpuHour: round(r.essCells / cpuHours),
    essShellsPerCpuHour: round(r.essShells / cpuHours),
    cpuSeconds: round(cpuHours * 3600),
    spectra: Array.from(s.m, (m, j) => ({
      k: round(kOf(m)),
      snr: round(s.snr[j]),
      samplePowerOverPrior: round(s.sampleMean[j] / s.prior[j]),
      deviationInCosmicVariance: round(withinCv[j], 3),
      rMean: round(s.rMean[j]),
      rSamples: round(s.rSamples[j]),
    })),
    maxDeviationInCosmicVariance: round(Math.max(...withinCv), 3),
  };
  const config = { cosmeta: VERSION, command: 'field zeldovich', ...opts, spectrum: 'linear P(k, z), Eisenstein & Hu, fiducial cosmology' };
  await writeFieldFile(
    o.out,
    [
      { name: 'counts', data: r.model.counts, shape: cube },
      { name: 'selection', data: r.model.selection, shape: cube },
      { name: 'truth', data: r.truth, shape: cube },
      { name: 'signal_power', data: r.model.field.spectrum, shape: cube },
      { name: 'mean', data: r.run.mean, shape: cube },
      { name: 'variance', data: r.run.variance, shape: cube },
      { name: 'samples', data: flat, shape: [r.run.kept.length, n, n, n] },
      { name: 'log_prob', data: r.run.logProb, shape: [opts.samples] },
    ],
    { samples: opts.samples, ess: r.essCells, ess_shells: r.essShells, thin: opts.thin, seed: opts.seed, acceptance: r.run.meanAcceptProb, step_size: r.run.stepSize, config: JSON.stringify(config), summary: JSON.stringify(summary) },
  );
  if (partial) removeCheckpoint(partial);
  if (o.figures) {
    const slice = (f: Float64Array) => f.subarray((n >> 1) * n * n, ((n >> 1) + 1) * n * n);
    const sd = r.run.variance.map(Math.sqrt);
    await writeFigure(mapsSpec([{ title: 'true initial density', values: slice(r.truth) }, { title: 'posterior mean', values: slice(r.run.mean) }, { title: 'posterior sd', values: slice(sd) }], n, 'slice through the box'), `${o.figures}/zeldovich-slices.png`);
    await writeFigure(spectraSpec(s, kOf, 'k [1/Mpc]'), `${o.figures}/zeldovich-spectra.png`);
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

export function registerField(cli: Command): void {
  const field = cli.command('field').description('field-level inference with HMC (flat-sky lensing maps; 3-D Zel\'dovich mocks)');
  const d = DEFAULT_LENSING_MOCK;
  field
    .command('wiener')
    .description('Gaussian convergence map in white noise, no mask: HMC against the Wiener filter (HDF5 output an external check can recompute)')
    .option('--grid <n>', 'pixels per side (a power of two)', String(d.grid))
    .requiredOption('--seed <n>', 'random seed, an integer in [0, 2^32)')
    .option('--samples <n>', 'HMC samples after warm-up', String(d.samples))
    .option('--warmup <n>', 'warm-up trajectories (step-size adaptation)', String(d.warmup))
    .option('--thin <n>', 'keep every n-th sample map in the file', String(d.thin))
    .option('--side-deg <x>', 'map side [degrees]', String(d.sideDeg))
    .option('--ngal <x>', 'galaxies per arcmin^2', String(d.ngal))
    .option('--sigma-e <x>', 'shape noise per component', String(d.sigmaE))
    .option('--sample-amplitude', 'sample ln A jointly (flat prior on [-2, 2]) and compare with its exact posterior')
    .option('--figures <dir>', 'write maps and spectra figures (PNG) here')
    .option('--no-progress', 'no progress bar')
    .option('--out <file>', 'output HDF5 file')
    .action((o) => (o.out ? withOutputLock(o.out, () => runFieldWiener(o)) : runFieldWiener(o)));
  const z = DEFAULT_ZELDOVICH_MOCK;
  field
    .command('zeldovich')
    .description("3-D: HMC over the initial conditions of a Zel'dovich + CIC + Poisson mock with a selection mask")
    .option('--grid <n>', 'cells per side (a power of two)', String(z.grid))
    .requiredOption('--seed <n>', 'random seed, an integer in [0, 2^32)')
    .option('--samples <n>', 'HMC samples after warm-up', String(z.samples))
    .option('--warmup <n>', 'warm-up trajectories', String(z.warmup))
    .option('--thin <n>', 'keep every n-th sample field', String(z.thin))
    .option('--side <x>', 'box side [Mpc]', String(z.side))
    .option('--redshift <x>', 'redshift of the density field', String(z.redshift))
    .option('--mean-count <x>', 'mean galaxy count per cell', String(z.meanCount))
    .option('--bias <x>', 'linear bias', String(z.bias))
    .option('--masked-fraction <x>', 'fraction of the box (a slab) outside the survey', String(z.maskedFraction))
    .option('--figures <dir>', 'write slices and spectra figures (PNG) here')
    .option('--no-progress', 'no progress bar')
    .option('--out <file>', 'output HDF5 file')
    .action((o) => (o.out ? withOutputLock(o.out, () => runFieldZeldovich(o)) : runFieldZeldovich(o)));
}
