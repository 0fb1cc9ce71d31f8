/**
 * The training-set file (HDF5, readable by h5py). Layout, for T tasks x S samples, P parameters,
 * N bins on nZ redshifts, and D = nPairs x nEll spectrum entries:
 *
 *   /inputs             float64 [T, S, P]   parameter vectors (names in /parameter_names)
 *   /spectra            float64 [T, S, D]   C_ell data vectors, pair-major: entry p * nEll + l
 *   /parameter_names    string  [P]
 *   /ell                float64 [nEll]
 *   /pairs              int32   [nPairs, 2] bin pairs in data-vector order
 *   /nz_z               float64 [T, nZ]     each task's redshift grid
 *   /nz                 float64 [T, N, nZ]  each task's n(z) per bin
 *   /task_descriptions  string  [T]         JSON: how each task's sample was made
 *   root attributes: format = "cosmeta-dataset", format_version = 1, config (JSON), seed, cosmeta (version),
 *                    linear, nonlinear, spin2, shift_convention, parameter_ranges (JSON)
 */

import { CosmetaError } from '../errors.js';
import { attribute, createFloat64, datasetAt, guardH5, loadH5, MAX_READ_ELEMENTS, openForReading, readDataset, requireFinite, writeDeterministic, writeH5, type H5File } from '../io/h5.js';

export const DATASET_FORMAT = 'cosmeta-dataset';
export const DATASET_FORMAT_VERSION = 1;

export interface DatasetHeader {
  tasks: number;
  samples: number;
  parameterNames: string[];
  ell: Float64Array;
  pairs: Array<[number, number]>;
  nBins: number;
  nZ: number;
  /** Root attributes (config, seed, version, models...). */
  attributes: Record<string, unknown>;
}

/** Writes a dataset file task by task, block by block; call `close()` to finish. Deterministic bytes. */
export class DatasetWriter {
  private readonly file: H5File;
  readonly header: DatasetHeader;
  private readonly D: number;

  private constructor(file: H5File, header: DatasetHeader, blockSize: number) {
    this.file = file;
    this.header = header;
    const { tasks: T, samples: S, parameterNames, ell, pairs, nBins, nZ } = header;
    const P = parameterNames.length;
    this.D = pairs.length * ell.length;
    writeDeterministic(() => {
      createFloat64(file, 'inputs', [T, S, P], [1, S, P]);
      createFloat64(file, 'spectra', [T, S, this.D], [1, Math.min(S, blockSize), this.D]);
      file.create_dataset({ name: 'parameter_names', data: parameterNames });
      file.create_dataset({ name: 'ell', data: Float64Array.from(ell) });
      file.create_dataset({ name: 'pairs', data: Int32Array.from(pairs.flat()), shape: [pairs.length, 2], dtype: '<i4' });
      createFloat64(file, 'nz_z', [T, nZ], [1, nZ]);
      createFloat64(file, 'nz', [T, nBins, nZ], [1, nBins, nZ]);
      for (const [name, value] of Object.entries(header.attributes)) file.create_attribute(name, value as never);
    });
  }

  static async create(path: string, header: DatasetHeader, blockSize: number): Promise<DatasetWriter> {
    const h5 = await loadH5();
    const file = writeH5(path, () => new h5.File(path, 'w'));
    return new DatasetWriter(file, header, blockSize);
  }

  /** Task t's sample (grid and per-bin n(z)) and its parameter vectors [S x P]. */
  writeTask(t: number, z: Float64Array, nz: Float64Array[], inputs: Float64Array): void {
    const { nBins, nZ, samples, parameterNames } = this.header;
    if (z.length !== nZ || nz.length !== nBins) throw new CosmetaError(`task ${t}: n(z) has ${nz.length} bins x ${z.length} points, expected ${nBins} x ${nZ}`);
    writeDeterministic(() => {
      datasetAt(this.file, 'nz_z').write_slice([[t, t + 1], [0, nZ]], z);
      const flat = new Float64Array(nBins * nZ);
      nz.forEach((n, b) => flat.set(n, b * nZ));
      datasetAt(this.file, 'nz').write_slice([[t, t + 1], [0, nBins], [0, nZ]], flat);
      datasetAt(this.file, 'inputs').write_slice(
        [[t, t + 1], [0, samples], [0, parameterNames.length]],
        inputs,
      );
    });
  }

  /** Spectra of task t, samples [s0, s0 + count) [count x D]. */
  writeSpectra(t: number, s0: number, spectra: Float64Array): void {
    const count = spectra.length / this.D;
    writeDeterministic(() =>
      datasetAt(this.file, 'spectra').write_slice(
        [[t, t + 1], [s0, s0 + count], [0, this.D]],
        spectra,
      ),
    );
  }

  /** The JSON descriptions of all tasks, then close. */
  close(descriptions: string[]): void {
    writeDeterministic(() => {
      this.file.create_dataset({ name: 'task_descriptions', data: descriptions });
      this.file.close();
    });
  }
}

/** Read access to a dataset file; slices are read on demand, so large files need little memory. */
export class DatasetReader {
  readonly header: DatasetHeader;
  private readonly file: H5File;
  private readonly path: string;

  private constructor(file: H5File, header: DatasetHeader, path: string) {
    this.file = file;
    this.header = header;
    this.path = path;
  }

  /**
   * Open a dataset file and check its layout (shapes agree with each other, multipoles and pairs are
   * valid); a damaged or foreign file gives one CosmetaError naming it.
   */
  static async open(path: string): Promise<DatasetReader> {
    const file = await openForReading(path);
    try {
      const header = guardH5(path, () => DatasetReader.readHeader(file, path));
      return new DatasetReader(file, header, path);
    } catch (err) {
      try {
        guardH5(path, () => file.close());
      } catch {
        // the header error is the one to report
      }
      throw err;
    }
  }

  private static readHeader(file: H5File, path: string): DatasetHeader {
    if (attribute(file as never, 'format') !== DATASET_FORMAT) throw new CosmetaError(`${path}: not a Cosmeta dataset (attribute format is not "${DATASET_FORMAT}")`);
    const shape = (name: string, rank: number) => {
      const s = (datasetAt(file, name).shape ?? []) as number[];
      if (s.length !== rank) throw new CosmetaError(`${path}: dataset "${name}" has rank ${s.length}, expected ${rank}`);
      return s;
    };
    const names = readDataset(file, 'parameter_names', path, { kind: 'string', shape: [-1] }) as string[];
    const ell = Float64Array.from(readDataset(file, 'ell', path, { kind: 'float', shape: [-1] }) as Float64Array);
    if (ell.length === 0 || ell.some((l) => !(l > 0))) throw new CosmetaError(`${path}: dataset "ell" must hold positive multipoles`);
    const pairsFlat = Array.from(readDataset(file, 'pairs', path, { kind: 'int', shape: [-1, 2] }) as Int32Array);
    const [tasks, samples, P] = shape('inputs', 3);
    const [T2, S2, D] = shape('spectra', 3);
    const [T3, nBins, nZ] = shape('nz', 3);
    const [T4, nZ2] = shape('nz_z', 2);
    const nPairs = pairsFlat.length / 2;
    if (P !== names.length || T2 !== tasks || S2 !== samples || T3 !== tasks || T4 !== tasks || nZ2 !== nZ || D !== nPairs * ell.length) {
      throw new CosmetaError(`${path}: inconsistent shapes (inputs ${tasks}x${samples}x${P}, spectra ${T2}x${S2}x${D}, nz ${T3}x${nBins}x${nZ}, nz_z ${T4}x${nZ2}, ${names.length} names, ${nPairs} pairs x ${ell.length} ell)`);
    }
    if (pairsFlat.some((b) => b < 0 || b >= nBins)) throw new CosmetaError(`${path}: dataset "pairs" names bins outside 0..${nBins - 1}`);
    if (!(tasks >= 1 && samples >= 1 && nBins >= 1 && nZ >= 2)) throw new CosmetaError(`${path}: an empty dataset (${tasks} tasks x ${samples} spectra, ${nBins} bins on ${nZ} redshifts)`);
    if (!(samples * Math.max(P, D) <= MAX_READ_ELEMENTS)) throw new CosmetaError(`${path}: claims ${samples} spectra of ${D} values per task; refusing to read more than ${MAX_READ_ELEMENTS} values at once`);
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(file.attrs)) attributes[key] = attribute(file as never, key);
    return {
      tasks,
      samples,
      parameterNames: names,
      ell,
      pairs: Array.from({ length: nPairs }, (_, p) => [pairsFlat[2 * p], pairsFlat[2 * p + 1]] as [number, number]),
      nBins,
      nZ,
      attributes,
    };
  }

  /** A hyperslab of a float dataset, checked finite. */
  private slice(name: string, ranges: Array<[number, number]>): Float64Array {
    return guardH5(this.path, () => {
      const v = datasetAt(this.file, name).slice(ranges) as Float64Array;
      requireFinite(v, this.path, name);
      return v;
    });
  }

  /** Parameter vectors of task t [S x P]. */
  inputs(t: number): Float64Array {
    return this.slice('inputs', [[t, t + 1], [0, this.header.samples], [0, this.header.parameterNames.length]]);
  }

  /** Spectra of task t, samples [s0, s1) [(s1 - s0) x D]. */
  spectra(t: number, s0 = 0, s1 = this.header.samples): Float64Array {
    const D = this.header.pairs.length * this.header.ell.length;
    return this.slice('spectra', [[t, t + 1], [s0, s1], [0, D]]);
  }

  /** Task t's redshift grid and n(z) per bin. */
  sample(t: number): { z: Float64Array; nz: Float64Array[] } {
    const { nBins, nZ } = this.header;
    const z = this.slice('nz_z', [[t, t + 1], [0, nZ]]);
    const flat = this.slice('nz', [[t, t + 1], [0, nBins], [0, nZ]]);
    return { z, nz: Array.from({ length: nBins }, (_, b) => flat.slice(b * nZ, (b + 1) * nZ)) };
  }

  /** Task t's description (parsed JSON). */
  description(t: number): Record<string, unknown> {
    return guardH5(this.path, () => {
      const all = readDataset(this.file, 'task_descriptions', this.path, { kind: 'string', shape: [this.header.tasks] }) as string[];
      try {
        return JSON.parse(all[t]) as Record<string, unknown>;
      } catch {
        throw new CosmetaError(`${this.path}: task ${t}'s description is not valid JSON`);
      }
    });
  }

  close(): void {
    try {
      guardH5(this.path, () => this.file.close());
    } catch {
      // closing a damaged file may fail too; the reads already reported what is wrong
    }
  }

  /** One whole task of a file: its parameter vectors [S x P], spectra [S x D] and sample, read at once. */
  static async readTask(path: string, t = 0): Promise<{ x: Float64Array; y: Float64Array; n: number; sample: { z: Float64Array; nz: Float64Array[] } }> {
    const reader = await DatasetReader.open(path);
    try {
      if (t >= reader.header.tasks) throw new CosmetaError(`${path} has ${reader.header.tasks} tasks; task ${t} was asked for`);
      return { x: reader.inputs(t), y: reader.spectra(t), n: reader.header.samples, sample: reader.sample(t) };
    } finally {
      reader.close();
    }
  }
}
