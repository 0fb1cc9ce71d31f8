/**
 * Training-set generation: T galaxy-sample tasks from a family, each with S parameter vectors from a
 * seeded Latin hypercube, and their shear data vectors from the theory engine.
 *
 * Reproducible: task t's sample and design come from independent streams derived from (seed, t), so the
 * numbers do not depend on scheduling. Resumable: blocks of spectra are checkpointed as they complete in
 * `OUT.partial/` (each written atomically); rerunning the same command computes only the missing blocks.
 * The HDF5 file is then assembled in a fixed order into a temporary file and renamed into place, so it
 * appears whole and is byte-identical to an uninterrupted run. Memory stays bounded: only a window of
 * blocks is in flight and the file is written block by block.
 */

import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { cosmology, PARAMETER_NAMES, type CosmologyInput } from '../cosmology/params.js';
import { pairOrder } from '../cosmology/limber.js';
import type { ShiftConvention } from '../cosmology/redshift.js';
import { ShearTheory } from '../cosmology/theory.js';
import { DEFAULT_LINEAR_MODEL } from '../cosmology/transfer/index.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { CosmetaError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { deriveSeed, Random } from '../math/random.js';
import { WorkerPool } from '../parallel/pool.js';
import type { TheoryTask, TheoryWorkerInit } from '../parallel/theory-worker.js';
import { latinHypercube, paperRanges, validateRanges, type ParameterRanges } from '../tasks/design.js';
import type { GalaxySample, TaskFamily } from '../tasks/families.js';
import { FIDUCIAL, paperEll } from '../tasks/target.js';
import { VERSION } from '../version.js';
import { computeBlock } from './block.js';
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, DatasetWriter } from './dataset-file.js';

export interface GenerateConfig {
  /** Number of tasks (galaxy samples). */
  tasks: number;
  /** Parameter vectors per task. */
  samples: number;
  /** Root seed, an integer in [0, 2^32). */
  seed: number;
  /** Where the tasks' samples come from. */
  family: TaskFamily;
  /** Parameter ranges of the Latin hypercube (default: the paper's 10 inputs). */
  ranges?: ParameterRanges;
  /** Multipoles (default geomspace(2, 5000, 50)). */
  ell?: ArrayLike<number>;
  /** Linear P(k) model name (default eisenstein_hu: valid over the paper's wide ranges). */
  linear?: string;
  /** Let the symbolic P(k) run outside its fitted range (unvalidated there). */
  allowExtrapolation?: boolean;
  nonlinear?: boolean;
  spin2?: boolean;
  shiftConvention?: ShiftConvention;
  /** Spectra per checkpointed block (default 250). */
  blockSize?: number;
}

/** A validated configuration with everything derived from it. */
export interface DatasetPlan {
  config: Required<Omit<GenerateConfig, 'family' | 'ell' | 'ranges'>> & { ell: Float64Array; ranges: ParameterRanges };
  family: TaskFamily;
  names: string[];
  nBins: number;
  nZ: number;
  /** Entries per data vector. */
  D: number;
  blocksPerTask: number;
  /** JSON-able record of the configuration, stored in the file and the checkpoint manifest. */
  record: Record<string, unknown>;
}

const STREAM_FAMILY = 0;
const STREAM_DESIGN = 1;

function requireInteger(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new CosmetaError(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** The cosmological parameters among the design's names, at every corner of their ranges. */
function* corners(names: string[], ranges: ParameterRanges): Generator<CosmologyInput> {
  const cosmo = names.filter((n) => (PARAMETER_NAMES as readonly string[]).includes(n));
  for (let mask = 0; mask < 1 << cosmo.length; mask++) {
    const c: Record<string, number> = { ...FIDUCIAL };
    if (cosmo.includes('A_s')) delete c.sigma8; // the amplitude is the design's A_s
    cosmo.forEach((n, i) => (c[n] = ranges[n][(mask >> i) & 1]));
    yield c as unknown as CosmologyInput;
  }
}

/** Validate a configuration; throws a CosmetaError saying what is wrong before anything is computed. */
export function planDataset(config: GenerateConfig): DatasetPlan {
  requireInteger('tasks', config.tasks, 1, 1e7);
  requireInteger('samples', config.samples, 1, 1e9);
  requireInteger('seed', config.seed, 0, 2 ** 32 - 1);
  const blockSize = config.blockSize ?? 250;
  requireInteger('blockSize', blockSize, 1, 1e6);
  const family = config.family;
  if (config.tasks > family.maxTasks) throw new CosmetaError(`the ${family.name} family has ${family.maxTasks} task(s); --tasks ${config.tasks} asks for more`);
  const first = taskSample(family, config.seed, 0);
  const nBins = first.nz.length;
  const ranges = config.ranges ?? paperRanges(nBins);
  const names = validateRanges(ranges, nBins);
  const ell = Float64Array.from(config.ell ?? paperEll());
  const linear = config.linear ?? DEFAULT_LINEAR_MODEL;
  const allowExtrapolation = config.allowExtrapolation ?? false;
  const shape = loadLinearModel(linear, { allowExtrapolation });
  // Every corner of the cosmological ranges must be a valid cosmology for the chosen linear model.
  for (const corner of corners(names, ranges)) {
    try {
      const c = cosmology(corner); // evaluated first: an optional call would skip its argument
      shape.check?.(c);
    } catch (err) {
      if (!(err instanceof CosmetaError)) throw err;
      throw new CosmetaError(`parameter ranges: ${err.message}`);
    }
  }
  const spectra = new ShearTheory(first, ell, { linear: shape, spin2: config.spin2 ?? true, shiftConvention: config.shiftConvention ?? 'paper' });
  const resolved = {
    tasks: config.tasks,
    samples: config.samples,
    seed: config.seed,
    ranges,
    ell,
    linear,
    allowExtrapolation,
    nonlinear: config.nonlinear ?? true,
    spin2: config.spin2 ?? true,
    shiftConvention: config.shiftConvention ?? 'paper',
    blockSize,
  };
  const record = {
    tasks: resolved.tasks,
    samples: resolved.samples,
    seed: resolved.seed,
    family: family.describe(),
    parameters: names,
    ranges,
    ell: Array.from(ell),
    linear,
    allowExtrapolation,
    nonlinear: resolved.nonlinear,
    spin2: resolved.spin2,
    shiftConvention: resolved.shiftConvention,
    blockSize,
    accuracy: spectra.accuracy,
  };
  return {
    config: resolved,
    family,
    names,
    nBins,
    nZ: first.z.length,
    D: spectra.spectra.size,
    blocksPerTask: Math.ceil(config.samples / blockSize),
    record,
  };
}

/** Task t's galaxy sample, from its own random stream. */
export function taskSample(family: TaskFamily, seed: number, t: number): GalaxySample {
  return family.sample(t, new Random(deriveSeed(seed, t, STREAM_FAMILY)));
}

/** Task t's parameter vectors [S x P], from its own random stream. */
export function taskDesign(plan: DatasetPlan, t: number): Float64Array {
  const { seed, ranges, samples } = plan.config;
  return latinHypercube(plan.names, ranges, samples, new Random(deriveSeed(seed, t, STREAM_DESIGN)));
}

function checkSampleShape(plan: DatasetPlan, t: number, s: GalaxySample): void {
  if (s.nz.length !== plan.nBins || s.z.length !== plan.nZ) {
    throw new CosmetaError(`task ${t} has ${s.nz.length} bins on ${s.z.length} redshifts; task 0 has ${plan.nBins} on ${plan.nZ}`);
  }
}

export interface InMemoryDataset {
  names: string[];
  samples: GalaxySample[];
  /** Per task: parameter vectors [S x P] and data vectors [S x D]. */
  inputs: Float64Array[];
  spectra: Float64Array[];
}

/** Generate a (small) dataset in memory on the calling thread: no files, no workers (browser-friendly). */
export function generateInMemory(config: GenerateConfig): InMemoryDataset {
  const plan = planDataset(config);
  const c = plan.config;
  const shape = loadLinearModel(c.linear, { allowExtrapolation: c.allowExtrapolation });
  const out: InMemoryDataset = { names: plan.names, samples: [], inputs: [], spectra: [] };
  for (let t = 0; t < c.tasks; t++) {
    const sample = taskSample(plan.family, c.seed, t);
    checkSampleShape(plan, t, sample);
    const theory = new ShearTheory(sample, c.ell, { linear: shape, nonlinear: c.nonlinear, spin2: c.spin2, shiftConvention: c.shiftConvention });
    const inputs = taskDesign(plan, t);
    out.samples.push(sample);
    out.inputs.push(inputs);
    out.spectra.push(computeBlock(theory, plan.names, inputs, `task ${t}`));
  }
  return out;
}

export interface GenerateProgress {
  /** Spectra finished (including those found in a checkpoint) and total. */
  done: number;
  total: number;
  /** Spectra found already computed when the run started. */
  resumed: number;
}

export interface GenerateOptions {
  /** Worker threads (default: all cores). */
  threads?: number;
  onProgress?: (p: GenerateProgress) => void;
  /** Called before assembling the HDF5 file. */
  onAssemble?: () => void;
}

function blockPath(dir: string, t: number, b: number): string {
  return join(dir, `t${t}-b${b}.f64`);
}

/** Generate the dataset described by `config` into the HDF5 file `out` (see the module comment). */
export async function generateDataset(config: GenerateConfig, out: string, options: GenerateOptions = {}): Promise<DatasetPlan> {
  const plan = planDataset(config);
  const c = plan.config;
  const partial = `${out}.partial`;
  const manifest = `${JSON.stringify({ cosmeta: VERSION, ...plan.record }, null, 1)}\n`;
  const manifestPath = join(partial, 'manifest.json');
  if (existsSync(partial)) {
    const previous = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
    if (previous !== manifest) {
      throw new CosmetaError(`${partial} holds a partial run with a different configuration; rerun it with the same arguments, or delete it`);
    }
  } else {
    mkdirSync(dirname(out), { recursive: true });
    mkdirSync(partial);
    writeFileAtomic(manifestPath, manifest);
  }
  const existing = new Set(readdirSync(partial));
  const total = c.tasks * c.samples;
  const todo: Array<{ t: number; b: number }> = [];
  let done = 0;
  for (let t = 0; t < c.tasks; t++) {
    for (let b = 0; b < plan.blocksPerTask; b++) {
      if (existing.has(`t${t}-b${b}.f64`)) done += Math.min(c.blockSize, c.samples - b * c.blockSize);
      else todo.push({ t, b });
    }
  }
  const resumed = done;
  options.onProgress?.({ done, total, resumed });

  if (todo.length > 0) {
    const init: TheoryWorkerInit = {
      ell: c.ell,
      linear: c.linear,
      allowExtrapolation: c.allowExtrapolation,
      nonlinear: c.nonlinear,
      spin2: c.spin2,
      shiftConvention: c.shiftConvention,
    };
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const pool = new WorkerPool<TheoryTask, Float64Array>(new URL('../parallel/theory-worker.js', import.meta.url), init, { size: threads });
    try {
      let cachedTask = -1;
      let sample: GalaxySample | null = null;
      let design: Float64Array | null = null;
      const P = plan.names.length;
      const window = new Set<Promise<void>>();
      for (const { t, b } of todo) {
        if (t !== cachedTask) {
          sample = taskSample(plan.family, c.seed, t);
          checkSampleShape(plan, t, sample);
          design = taskDesign(plan, t);
          cachedTask = t;
        }
        const s0 = b * c.blockSize;
        const count = Math.min(c.blockSize, c.samples - s0);
        const task: TheoryTask = {
          key: `task-${t}`,
          z: (sample as GalaxySample).z,
          nz: (sample as GalaxySample).nz,
          names: plan.names,
          rows: (design as Float64Array).slice(s0 * P, (s0 + count) * P),
          label: `task ${t}, samples ${s0}-${s0 + count - 1}`,
        };
        const job = pool.run(task).then((spectra) => {
          writeFileAtomic(blockPath(partial, t, b), new Uint8Array(spectra.buffer, spectra.byteOffset, spectra.byteLength));
          done += count;
          options.onProgress?.({ done, total, resumed });
        });
        const tracked = job.finally(() => window.delete(tracked));
        window.add(tracked);
        if (window.size >= 4 * threads) await Promise.race(window);
      }
      await Promise.all(window);
    } catch (err) {
      throw err instanceof CosmetaError ? err : new CosmetaError(`generation stopped (${(err as Error).message}); completed blocks are kept in ${partial}`);
    } finally {
      await pool.close();
    }
  }

  options.onAssemble?.();
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    const writer = await DatasetWriter.create(
      tmp,
      {
        tasks: c.tasks,
        samples: c.samples,
        parameterNames: plan.names,
        ell: c.ell,
        pairs: pairOrder(plan.nBins),
        nBins: plan.nBins,
        nZ: plan.nZ,
        attributes: {
          format: DATASET_FORMAT,
          format_version: DATASET_FORMAT_VERSION,
          cosmeta: VERSION,
          config: JSON.stringify(plan.record),
          seed: c.seed,
          linear: c.linear,
          nonlinear: c.nonlinear ? 'halofit_takahashi12' : 'none',
          spin2: c.spin2 ? 1 : 0,
          shift_convention: c.shiftConvention,
          parameter_ranges: JSON.stringify(c.ranges),
        },
      },
      c.blockSize,
    );
    const descriptions: string[] = [];
    for (let t = 0; t < c.tasks; t++) {
      const sample = taskSample(plan.family, c.seed, t);
      descriptions.push(JSON.stringify({ task: t, ...sample.description }));
      writer.writeTask(t, sample.z, sample.nz, taskDesign(plan, t));
      for (let b = 0; b < plan.blocksPerTask; b++) {
        const bytes = readFileSync(blockPath(partial, t, b));
        const spectra = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        writer.writeSpectra(t, b * c.blockSize, spectra);
      }
    }
    writer.close(descriptions);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the computed blocks are kept in ${partial}`);
  }
  rmSync(partial, { recursive: true, force: true });
  return plan;
}
