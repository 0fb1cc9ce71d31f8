/** `cosmeta generate`: a training or test set of shear spectra over galaxy-sample tasks, as HDF5. */

import { readFileSync } from 'node:fs';
import { generateDataset, type GenerateConfig } from '../data/generate.js';
import { validateDistributions } from '../cosmology/redshift.js';
import { CosmetaError } from '../errors.js';
import { readEll, readRedshiftDistributions } from '../io/nz-file.js';
import { parseTextTable } from '../io/text-table.js';
import { paperRanges, type ParameterRanges } from '../tasks/design.js';
import { familyByName, fixedSample, parentSample } from '../tasks/families.js';
import { progressBar } from './progress.js';

export interface GenerateCliOptions {
  tasks?: string;
  samples: string;
  seed: string;
  family: string;
  nz?: string;
  parent?: string;
  ranges?: string;
  ell?: string;
  linear: string;
  allowExtrapolation?: boolean;
  linearOnly?: boolean;
  spin2: boolean;
  shift: string;
  threads?: string;
  block: string;
  out?: string;
}

function integer(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new CosmetaError(`${flag} ${text} is not an integer`);
  return v;
}

/**
 * Ranges file: {"name": [lo, hi], ...} over the defaults; null removes a default parameter. A range for
 * A_s replaces the default sigma8 range (the amplitude is one of the two) unless the file names sigma8 too.
 */
function readRanges(path: string, nBins: number): ParameterRanges {
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CosmetaError(`${path}: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim());
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new CosmetaError(`${path}: expected {"parameter": [lo, hi], ...}`);
  const ranges = paperRanges(nBins);
  if ('A_s' in (obj as object) && !('sigma8' in (obj as object))) delete ranges.sigma8;
  for (const [name, value] of Object.entries(obj as Record<string, unknown>)) {
    if (value === null) delete ranges[name];
    else ranges[name] = value as [number, number];
  }
  return ranges;
}

export async function runGenerate(o: GenerateCliOptions): Promise<void> {
  if (!o.out) throw new CosmetaError('--out <file.h5> is required');
  if (o.nz && o.parent) throw new CosmetaError('give either --nz (a binned sample) or --parent (a parent n(z) to bin), not both');
  let family;
  let nBins = 5;
  if (o.nz) {
    const d = readRedshiftDistributions(o.nz);
    nBins = d.nz.length;
    family = fixedSample(d.z, d.nz, { source: o.nz });
  } else if (o.parent) {
    const rows = parseTextTable(readFileSync(o.parent, 'utf8'), o.parent);
    if (rows[0].length !== 2) throw new CosmetaError(`${o.parent}: a parent n(z) has two columns (z, p), found ${rows[0].length}`);
    const zp = Float64Array.from(rows, (r) => r[0]);
    const p = Float64Array.from(rows, (r) => r[1]);
    try {
      validateDistributions({ z: zp, nz: [p] });
    } catch (err) {
      throw err instanceof CosmetaError ? new CosmetaError(`${o.parent}: ${err.message.replace('bin 0', 'the parent')}`) : err;
    }
    family = parentSample(zp, p, {}, o.parent);
  } else {
    family = familyByName(o.family);
  }
  const tasks = o.tasks === undefined ? (family.maxTasks === 1 ? 1 : undefined) : integer('--tasks', o.tasks);
  if (tasks === undefined) throw new CosmetaError('--tasks is required with a task family');
  const config: GenerateConfig = {
    tasks,
    samples: integer('--samples', o.samples),
    seed: integer('--seed', o.seed),
    family,
    ranges: o.ranges ? readRanges(o.ranges, nBins) : undefined,
    ell: o.ell ? readEll(o.ell) : undefined,
    linear: o.linear,
    allowExtrapolation: o.allowExtrapolation ?? false,
    nonlinear: !o.linearOnly,
    spin2: o.spin2,
    shiftConvention: o.shift === 'additive' ? 'additive' : 'paper',
    blockSize: integer('--block', o.block),
  };
  if (config.allowExtrapolation) process.stderr.write('cosmeta generate: warning: the linear model may run outside its validated range (--allow-extrapolation)\n');
  const threads = o.threads === undefined ? undefined : integer('--threads', o.threads);
  const bar = progressBar('generate |{bar}| {percentage}% | {value}/{total} spectra | {rate} spectra/s | ETA {eta_formatted}', 5000, 50);
  const t0 = performance.now();
  let started = false;
  let resumedAt = 0;
  await generateDataset(config, o.out, {
    threads,
    onProgress: ({ done, total, resumed }) => {
      if (!started) {
        started = true;
        resumedAt = resumed;
        if (resumed > 0) process.stderr.write(`cosmeta generate: resuming, ${resumed} of ${total} spectra already computed\n`);
        bar.start(total, done, { rate: '-' });
        return;
      }
      const seconds = (performance.now() - t0) / 1000;
      bar.update(done, { rate: ((done - resumedAt) / seconds).toFixed(0) });
    },
    onAssemble: () => bar.stop(),
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`cosmeta generate: ${config.tasks} x ${config.samples} spectra -> ${o.out} (${seconds.toFixed(1)} s)\n`);
}
