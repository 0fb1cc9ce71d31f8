/**
 * `npm run bench:field`: effective samples per hour of field-level HMC.
 *   (1) 64 x 64 Gaussian convergence map (Wiener case), fixed amplitude and with ln A sampled;
 *   (2) 32^3 Zel'dovich + CIC + Poisson mock with a selection slab.
 * Because the machine is shared and noisy, each case also reports ESS per 1000 gradient evaluations
 * (machine-independent) and the time of one gradient measured in the same run, so ESS/hour =
 * (ESS per gradient) / (seconds per gradient) x 3600 can be compared across runs.
 *
 * Environment: COSMETA_BENCH_SEED (default 1), COSMETA_BENCH_SAMPLES_2D (2000), COSMETA_BENCH_SAMPLES_3D
 * (400), COSMETA_BENCH_SKIP_3D=1 to skip the 3-D case. Takes ~2 min (2-D) + ~10-20 min (3-D) on 2 idle cores.
 */
import { lensingMock, zeldovichMock, DEFAULT_LENSING_MOCK, DEFAULT_ZELDOVICH_MOCK } from '../src/pipeline/field.js';

const seed = Number(process.env.COSMETA_BENCH_SEED ?? 1);
const n2 = Number(process.env.COSMETA_BENCH_SAMPLES_2D ?? 2000);
const n3 = Number(process.env.COSMETA_BENCH_SAMPLES_3D ?? 400);
const round = (x: number) => Number(x.toPrecision(4));

function perGradient(seconds: number, gradients: number) {
  return seconds / gradients;
}

const out: Record<string, unknown> = {};
for (const sampleAmplitude of [false, true]) {
  const r = await lensingMock({ ...DEFAULT_LENSING_MOCK, seed, samples: n2, sampleAmplitude });
  const grads = r.run.gradients;
  const secPerGrad = perGradient(r.run.warmupSeconds + r.run.samplingSeconds, grads);
  const samplingGrads = grads * (n2 / (n2 + DEFAULT_LENSING_MOCK.warmup));
  const ess = r.amplitude ? Math.min(r.ess, r.amplitude.ess) : r.ess;
  out[sampleAmplitude ? 'lensing64_amplitude' : 'lensing64'] = {
    samples: n2,
    essMedianPixel: round(r.ess),
    essMinPixel: round(r.essMin),
    essAmplitude: r.amplitude ? round(r.amplitude.ess) : null,
    essPerHour: round(ess / (r.run.samplingSeconds / 3600)),
    essPer1000Gradients: round((1000 * ess) / samplingGrads),
    msPerGradient: round(1000 * secPerGrad),
    samplingSeconds: round(r.run.samplingSeconds),
    bhattacharyya: r.amplitude ? round(r.amplitude.bhattacharyya) : null,
    modeMeanWithin3Se: round(r.modeMeanZ.within3),
    modeVarianceWithin3Se: round(r.modeVarianceZ.within3),
  };
  process.stdout.write(`${JSON.stringify({ [sampleAmplitude ? 'lensing64_amplitude' : 'lensing64']: out[sampleAmplitude ? 'lensing64_amplitude' : 'lensing64'] })}\n`);
}
if (process.env.COSMETA_BENCH_SKIP_3D !== '1') {
  const o = { ...DEFAULT_ZELDOVICH_MOCK, seed, samples: n3, warmup: 100 };
  const r = await zeldovichMock(o);
  const samplingGrads = r.run.gradients * (n3 / (n3 + o.warmup));
  const ess = Math.min(r.essCells, r.essShells);
  const s = r.spectra;
  out.zeldovich32 = {
    samples: n3,
    essCells: round(r.essCells),
    essShells: round(r.essShells),
    essPerHour: round(ess / (r.run.samplingSeconds / 3600)),
    essPer1000Gradients: round((1000 * ess) / samplingGrads),
    msPerGradient: round((1000 * (r.run.warmupSeconds + r.run.samplingSeconds)) / r.run.gradients),
    maxPowerDeviationInCosmicVariance: round(Math.max(...Array.from(s.m, (_, j) => Math.abs(s.sampleMean[j] / s.prior[j] - 1) / s.cosmicVariance[j]))),
  };
  process.stdout.write(`${JSON.stringify({ zeldovich32: out.zeldovich32 })}\n`);
}
