/** `cosmeta fisher`: a Fisher forecast of a problem (errors, step study, ellipse over an MCMC chain). */

import { Command, Option } from 'commander';
import { DEFAULT_LINEAR_MODEL, LINEAR_MODEL_NAMES } from '../cosmology/transfer/index.js';
import { CosmetaError } from '../errors.js';
import { readChain } from '../inference/chain-file.js';
import { chainSamples, moments } from '../inference/compare.js';
import { deltaChi2For2D, ellipsePoints, type FisherErrors } from '../inference/compression/forecast.js';
import { forecast, forecastBlock, problemFisher, type Forecast } from '../inference/compression/problem-forecast.js';
import { PROBLEM_NAMES, problemByName } from '../inference/problem.js';
import { nodeLinearOptions } from '../io/pk-emulator-file.js';
import { ellipseSpec } from '../report/fisher-figure.js';
import { writeFigure } from '../report/figures.js';
import { integer } from './args.js';
import { openModel } from './mcmc.js';

export interface FisherCliOptions {
  problem: string;
  model: string;
  params: string;
  flatPriors: 'ignore' | 'gaussian';
  method: 'central' | 'richardson';
  levels: string;
  linear: string;
  threads?: string;
  json?: boolean;
  plot?: string;
  chain?: string;
}

function errorsOf(f: Forecast, names: readonly string[]): Record<string, { marginal: number; conditional: number }> {
  const out: Record<string, { marginal: number; conditional: number }> = {};
  for (const n of names) {
    const set: FisherErrors | null = f.sampled.names.includes(n) ? f.sampled : f.derived && f.derived.names.includes(n) ? f.derived : null;
    if (!set) throw new CosmetaError(`--params: unknown parameter "${n}"; available: ${[...new Set([...f.sampled.names, ...(f.derived?.names ?? [])])].join(', ')}`);
    const i = set.names.indexOf(n);
    out[n] = { marginal: set.marginal[i], conditional: set.conditional[i] };
  }
  return out;
}

export async function runFisherCli(o: FisherCliOptions): Promise<void> {
  const params = o.params.split(',').map((s) => s.trim()).filter(Boolean);
  if (params.length === 0) throw new CosmetaError('--params needs at least one parameter name');
  if (o.plot && params.length < 2) throw new CosmetaError('--plot needs two parameters in --params (the first two are drawn)');
  const levels = integer('--levels', o.levels, 2);
  const threads = o.threads === undefined ? undefined : integer('--threads', o.threads, 0);
  const problem = problemByName(o.problem, { linear: o.linear, linearOptions: nodeLinearOptions(o.linear) });
  const known = [...problem.parameters.map((p) => p.name), 'Omega_m', 'S8'];
  for (const p of params) if (!known.includes(p)) throw new CosmetaError(`--params: unknown parameter "${p}"; available: ${known.join(', ')}`);
  const { model, description } = await openModel(o.model, problem, threads);
  const t0 = performance.now();
  let fisher;
  try {
    fisher = await problemFisher(problem, model, { method: o.method, levels });
  } finally {
    await model.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const both = { ignore: forecast(problem, fisher, 'ignore'), gaussian: forecast(problem, fisher, 'gaussian') };
  const chosen = both[o.flatPriors];
  const chainInfo: Record<string, unknown> = {};
  let samples;
  if (o.chain) {
    const chain = await readChain(o.chain);
    samples = chainSamples(chain, params);
    const m = moments(samples);
    chainInfo.chain = o.chain;
    chainInfo.sd = Object.fromEntries(params.map((p, i) => [p, Math.sqrt(m.cov[i * params.length + i])]));
    chainInfo.ratioFisherToMcmc = Object.fromEntries(params.map((p, i) => [p, errorsOf(chosen, [p])[p].marginal / Math.sqrt(m.cov[i * params.length + i])]));
  }
  const result = {
    problem: problem.name,
    ...description,
    method: o.method,
    seconds,
    flatPriors: o.flatPriors,
    errors: errorsOf(chosen, params),
    errorsFlatPriorsIgnored: errorsOf(both.ignore, params),
    errorsFlatPriorsAsGaussian: errorsOf(both.gaussian, params),
    ...chainInfo,
    study: fisher.study.map((s) => ({ name: s.name, chosen: s.chosen, levels: s.levels })),
    fisher: { names: fisher.names, F: Array.from(fisher.F) },
  };
  if (o.plot) {
    const pair: [string, string] = [params[0], params[1]];
    const { center, S } = forecastBlock(chosen, pair[0], pair[1]);
    const rings = ([0.68, 0.95] as const).map((level) => ({ level, points: ellipsePoints(center, S, deltaChi2For2D(level)) }));
    const spec = ellipseSpec(pair, [{ label: `Fisher (flat priors ${o.flatPriors === 'gaussian' ? 'as Gaussians' : 'ignored'})`, rings }], samples ? { label: 'MCMC', samples } : undefined);
    await writeFigure(spec, o.plot);
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const lines = [`Fisher forecast, problem ${problem.name}, ${description.model} model, ${o.method} differences (${seconds.toFixed(2)} s)`];
  lines.push(`parameter      marginal     conditional  (flat priors ${o.flatPriors === 'gaussian' ? 'as Gaussians of equal variance' : 'ignored'})`);
  for (const [n, e] of Object.entries(result.errors)) lines.push(`${n.padEnd(12)} ${e.marginal.toExponential(4).padStart(11)}  ${e.conditional.toExponential(4).padStart(11)}`);
  if (chainInfo.sd) for (const [n, sd] of Object.entries(chainInfo.sd as Record<string, number>)) lines.push(`MCMC sd ${n}: ${sd.toExponential(4)} (Fisher / MCMC = ${((chainInfo.ratioFisherToMcmc as Record<string, number>)[n]).toFixed(3)})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerCompression(cli: Command): void {
  cli
    .command('fisher')
    .description('Fisher forecast of a problem: marginal and conditional errors, derivative step study, ellipse over an MCMC chain')
    .addOption(new Option('--problem <name>', 'inference problem').default('paper').choices([...PROBLEM_NAMES]))
    .option('--model <theory|file.h5>', 'the theory engine or an emulator file', 'theory')
    .option('--params <list>', 'comma-separated parameters to report (sampled or Omega_m, S8); the first two are plotted', 'Omega_m,S8')
    .addOption(new Option('--flat-priors <how>', 'flat priors ignored, or replaced by Gaussians of equal variance (width / sqrt 12)').default('gaussian').choices(['ignore', 'gaussian']))
    .addOption(new Option('--method <m>', 'finite differences: central, or central with one Richardson extrapolation').default('richardson').choices(['central', 'richardson']))
    .option('--levels <n>', 'steps on the study ladder (each half the previous)', '5')
    .addOption(new Option('--linear <model>', 'linear P(k) of the data vector and of the theory model').default(DEFAULT_LINEAR_MODEL).choices(LINEAR_MODEL_NAMES))
    .option('--threads <n>', 'theory worker threads (default: all cores)')
    .option('--json', 'print JSON (errors, step study, Fisher matrix)')
    .option('--plot <file>', '68%/95% ellipse of the first two --params (.png or .svg)')
    .option('--chain <file>', 'an MCMC chain (HDF5) whose contours are drawn under the ellipse and whose sd is compared')
    .action((o) => runFisherCli(o));
}
