/**
 * Hostile-file fuzzing of every reader: real files of each format, mutated with a seeded generator
 * (truncation at random offsets, bit flips, header edits, NaN/Inf, element counts of 10^12), plus the
 * fixed cases (empty file, directory). A reader passes a case if it either reads the file (a mutation can
 * leave a valid file) or throws one CosmetaError whose message is one line naming the file; anything
 * else (another error type, a multi-line message, output on stderr) counts as unclean. `npm test` runs a
 * bounded count (test/io/hostile-files.test.ts); `npm run soak` a larger one.
 *
 * HDF5 cases run in a worker thread (its own copy of the library; under the test runner the worker is the
 * build's JavaScript, see workerScript in src/paths.ts): a damaged size field can make the library abort
 * (Emscripten's abort leaves the module unusable), and the worker is then replaced, so every case meets a
 * working library, as a fresh `cosmeta` process would.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { zipSync } from 'fflate';
import { readRanges } from '../../src/cli/generate.js';
import { pairOrder } from '../../src/cosmology/limber.js';
import { DatasetReader, DatasetWriter, DATASET_FORMAT, DATASET_FORMAT_VERSION } from '../../src/data/dataset-file.js';
import { CosmetaError } from '../../src/errors.js';
import { readChain, writeChain } from '../../src/inference/chain-file.js';
import { readCheckpoint, writeCheckpoint } from '../../src/io/checkpoint.js';
import { createFloat64, loadH5, writeDeterministic } from '../../src/io/h5.js';
import { readEll, readRedshiftDistributions } from '../../src/io/nz-file.js';
import { readParameters } from '../../src/io/params-file.js';
import { readAnalysisConfig } from '../../src/io/config-file.js';
import { readPkEmulator } from '../../src/io/pk-emulator-file.js';
import { DEFAULT_PK_EMULATOR_DOMAIN, PK_EMULATOR_FORMAT, type PkEmulatorJSON } from '../../src/cosmology/boltzmann/emulator.js';
import { cosmology } from '../../src/cosmology/params.js';
import { readSaccFits, saccFitsBytes } from '../../src/io/sacc-fits.js';
import { readSaccHdf5, writeSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { readTwoPointFits, twoPointFitsBytes } from '../../src/io/twopoint-fits.js';
import { Random } from '../../src/math/random.js';
import { Emulator } from '../../src/meta/emulator.js';
import { loadMetaEmulator } from '../../src/meta/meta-emulator.js';
import { workerScript } from '../../src/paths.js';
import { JsBackend } from '../../src/nn/backend.js';
import { mlp } from '../../src/nn/model.js';
import { loadModel, saveModel } from '../../src/nn/serialize.js';
import { StandardScaler } from '../../src/nn/train.js';
import { targetSample } from '../../src/tasks/target.js';

export interface Reader {
  name: string;
  /** Read in a worker thread (HDF5 readers, see the module comment). */
  h5?: boolean;
  /** File name (its extension selects the format). */
  file: string;
  /** A valid file of this format. */
  make(dir: string): Promise<Uint8Array>;
  read(path: string): Promise<unknown>;
}

export interface ReaderStats {
  tried: number;
  /** Read without error (the mutation left a valid file). */
  accepted: number;
  /** Refused with one clear line naming the file. */
  clean: number;
  unclean: number;
  examples: string[];
}

const backend = new JsBackend('float32');

function npy(shape: number[], data: Float64Array, headerEdit?: (h: string) => string): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  if (headerEdit) header = headerEdit(header);
  const total = 10 + header.length + 1;
  header = header.padEnd(header.length + ((64 - (total % 64)) % 64), ' ') + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

const sample = () => targetSample();

async function datasetFile(path: string): Promise<Uint8Array> {
  const s = sample();
  const names = ['Omega_c', 'Omega_b', 'h', 'sigma8', 'n_s'];
  const ell = Float64Array.from({ length: 4 }, (_, i) => 10 * 2 ** i);
  const pairs = pairOrder(s.nz.length);
  const S = 3;
  const D = pairs.length * ell.length;
  const w = await DatasetWriter.create(path, { tasks: 1, samples: S, parameterNames: names, ell, pairs, nBins: s.nz.length, nZ: s.z.length, attributes: { format: DATASET_FORMAT, format_version: DATASET_FORMAT_VERSION } }, S);
  w.writeTask(0, s.z, s.nz, Float64Array.from({ length: S * names.length }, (_, i) => 0.1 + i * 1e-3));
  w.writeSpectra(0, 0, Float64Array.from({ length: S * D }, (_, i) => 1e-9 * (1 + i)));
  w.close(['{"task": 0}']);
  return readFileSync(path);
}

async function modelFile(path: string, kind: 'emulator' | 'meta-emulator'): Promise<Uint8Array> {
  const ell = [10, 100, 1000];
  const pairs = pairOrder(2);
  const model = mlp(backend, { inSize: 3, hidden: [8], outSize: pairs.length * ell.length, activation: 'silu' });
  const params = model.init(new Random(1));
  const info = { parameterNames: ['Omega_c', 'h', 'sigma8'], ell, pairs };
  const D = model.outSize;
  const scalers = kind === 'emulator' ? { xScaler: new StandardScaler(new Float64Array(3).fill(0.5), new Float64Array(3).fill(0.1)), yScaler: new StandardScaler(new Float64Array(D).fill(-20), new Float64Array(D).fill(1)) } : {};
  const metadata = kind === 'emulator' ? { kind, ...info, z: [0, 1, 2], nz: [[0, 1, 0], [0, 0.5, 0.5]], training: {} } : { kind, ...info, nBins: 2, training: {} };
  await saveModel(path, { model, params, ...scalers, metadata });
  return readFileSync(path);
}

async function chainFile(path: string): Promise<Uint8Array> {
  const names = ['Omega_c', 'Omega_b', 'h', 'sigma8'];
  const W = 4;
  const steps = 3;
  const rng = new Random(2);
  const samples = Float64Array.from({ length: steps * W * names.length }, () => 0.3 + 0.01 * rng.normal());
  await writeChain(path, {
    names,
    walkers: W,
    steps,
    samples,
    logProb: Float64Array.from({ length: steps * W }, () => -rng.uniform()),
    tauHistory: [{ step: 3, tau: [1, 1, 1, 1] }],
    config: { problem: 'test' },
    complete: true,
    converged: false,
    burnIn: 1,
    state: { rng: rng.getState(), accepted: [1, 2, 3, 4] },
  });
  return readFileSync(path);
}

/** An HDF5 model whose parameter dataset claims 10^12 elements (sparse chunks: a small file). */
export async function hugeModelFile(path: string): Promise<void> {
  const h5 = await loadH5();
  writeDeterministic(() => {
    const f = new h5.File(path, 'w');
    // A chunked dataset resized to 10^12 elements without writing any chunk.
    createFloat64(f, 'params', [1e12], [1024]);
    f.create_attribute('format', 'cosmeta-model');
    f.create_attribute('format_version', 1);
    f.create_attribute('architecture', JSON.stringify([{ kind: 'dense', in: 3, out: 4 }]));
    f.create_attribute('metadata', '{}');
    f.close();
  });
}

/** Every reader, with a way to make a valid file of its format. */
/** A small two-point data set: two shear bins with their own n(z), xi+ at 8 angles per pair, a dense covariance. */
function twoPointSample(): TwoPointData {
  const z = Float64Array.from({ length: 60 }, (_, i) => 0.025 + 0.05 * i);
  const tracers = [0.5, 0.9].map((mu, b) => ({ name: `src${b}`, quantity: 'galaxy_shear', z, nz: Float64Array.from(z, (x) => Math.exp(-0.5 * ((x - mu) / 0.2) ** 2)) }));
  const pairs: Array<[string, string]> = [['src0', 'src0'], ['src0', 'src1'], ['src1', 'src1']];
  const points = pairs.flatMap((pr) => Array.from({ length: 8 }, (_, i) => ({ dataType: 'galaxy_shear_xi_plus', tracers: pr, value: 1e-4 / (1 + i), theta: 2.5 * 1.6 ** i, tags: {} })));
  const n = points.length;
  const covariance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) covariance[i * n + j] = 1e-12 * Math.exp(-Math.abs(i - j)) * (i === j ? 2 : 1);
  return { tracers, points, covariance, windows: [], metadata: { origin: 'fuzz sample' } };
}

async function saccHdf5File(path: string): Promise<Uint8Array> {
  await writeSaccHdf5(twoPointSample(), path);
  return readFileSync(path);
}

/** A valid analysis config (the schema is what is fuzzed; the data file is not read). */
const ANALYSIS_YAML = `data:
  file: data.sacc.fits
  statistics: [xi_plus]
  tracers: [src0, src1]
  scale_cuts:
    xi_plus: {"src0,src0": [3.0, 250]}
theory:
  linear: eisenstein_hu
  intrinsic_alignments: nla
  photo_z_shift: additive
parameters:
  Omega_m: {prior: {flat: [0.1, 0.9]}, start: 0.3}
  sigma8: {prior: {flat: [0.5, 1.1]}, start: 0.8}
  Omega_b: {value: 0.045}
  h: {value: 0.7}
  n_s: {value: 0.96}
  m_1: {prior: {gaussian: [0.012, 0.023]}}
  A_IA: {prior: {flat: [-5, 5]}, start: 0.5}
sampler: {walkers: 16, tau_factor: 50, max_steps: 1000, seed: 1}
`;

/**
 * A small valid P(k) emulator file (8 grid points, 2 components) of either method: the structure is what
 * is fuzzed, not the accuracy.
 */
function pkEmulatorJson(method: 'gp' | 'mlp'): PkEmulatorJSON {
  const nk = 8;
  const rng = new Random(5);
  const small = (n: number) => Array.from({ length: n }, () => 0.01 * rng.normal());
  const base = {
    format: PK_EMULATOR_FORMAT,
    version: 1 as const,
    solver: 'boltzmann',
    solverSettings: { lMax: 16 },
    fixed: { T_CMB: 2.7255, Neff: 3.044 },
    domain: DEFAULT_PK_EMULATOR_DOMAIN,
    grid: { xMin: -4, xMax: 4, nk },
    mean: small(nk),
    basis: [small(nk), small(nk)],
    training: { points: 5 },
  };
  if (method === 'gp') {
    const n = 5;
    const components = [0, 1].map(() => ({ kernel: 'matern52' as const, lengthScales: [0.4, 0.5, 0.6], amplitude: 1, noise: 1e-6, meanDegree: 1 as const, beta: small(4), alpha: small(n) }));
    return { ...base, method, gp: { X: Array.from({ length: 3 * n }, () => rng.uniform()), n, center: [0.5, 0.5, 0.5], scale: [0.5, 0.5, 0.5], components } };
  }
  return { ...base, method, mlp: { sizes: [3, 4, 2], layers: [{ W: small(12), b: small(4) }, { W: small(8), b: small(2) }], outScale: [1, 2], outShift: [0, 0.1] } };
}

/**
 * Read an emulator file and evaluate its P(k) at a fiducial cosmology: a non-finite value is a NaN
 * downstream (unclean); a CosmetaError from the evaluation (the emulator's own bound on its prediction)
 * is a clean refusal, reported with the file's name as the command reading it would.
 */
function readPkEmulatorAndUse(path: string): unknown {
  const e = readPkEmulator(path);
  const shape = e.shape();
  const c = cosmology({ Omega_c: 0.25, Omega_b: 0.045, h: 0.67, sigma8: 0.8, n_s: 0.96 });
  let pk: (k: number) => number;
  try {
    shape.check?.(c);
    pk = shape.prepare(c);
  } catch (err) {
    if (err instanceof CosmetaError) throw new CosmetaError(`${path}: ${err.message}`);
    throw err;
  }
  for (const k of [1e-4, 1e-2, 0.1, 1, 10]) if (!Number.isFinite(pk(k))) throw new Error(`P(${k}) = ${pk(k)} from an accepted file`);
  return e;
}

export function readers(): Reader[] {
  const s = sample();
  const nzText = Array.from(s.z, (z, j) => [z, ...s.nz.map((n) => n[j])].join(' ')).join('\n');
  const nzColumns = new Float64Array(s.z.length * (1 + s.nz.length));
  s.z.forEach((z, j) => {
    nzColumns[j * (1 + s.nz.length)] = z;
    s.nz.forEach((n, b) => (nzColumns[j * (1 + s.nz.length) + 1 + b] = n[j]));
  });
  const text = (t: string) => async () => new TextEncoder().encode(t);
  return [
    { name: 'n(z) text', file: 'nz.txt', make: text(nzText), read: async (p) => readRedshiftDistributions(p) },
    { name: 'n(z) CSV', file: 'nz.csv', make: text(nzText.replaceAll(' ', ',')), read: async (p) => readRedshiftDistributions(p) },
    { name: 'n(z) .npy', file: 'nz.npy', make: async () => npy([s.z.length, 1 + s.nz.length], nzColumns), read: async (p) => readRedshiftDistributions(p) },
    {
      name: 'n(z) .npz',
      file: 'nz.npz',
      make: async () => {
        const flat = new Float64Array(s.nz.length * s.z.length);
        s.nz.forEach((n, b) => flat.set(n, b * s.z.length));
        return zipSync({ 'z.npy': npy([s.z.length], Float64Array.from(s.z)), 'nz.npy': npy([s.nz.length, s.z.length], flat) });
      },
      read: async (p) => readRedshiftDistributions(p),
    },
    { name: 'n(z) JSON', file: 'nz.json', make: text(JSON.stringify({ z: Array.from(s.z), nz: s.nz.map((b) => Array.from(b)) })), read: async (p) => readRedshiftDistributions(p) },
    { name: 'parameters JSON', file: 'params.json', make: text(JSON.stringify({ Omega_c: 0.27, Omega_b: 0.045, h: 0.67, sigma8: 0.83, n_s: 0.96, dz: [0, 0, 0, 0, 0] })), read: async (p) => readParameters(p) },
    { name: 'ranges JSON', file: 'ranges.json', make: text(JSON.stringify({ Omega_c: [0.2, 0.3], h: [0.6, 0.8], 'dz_1': null })), read: async (p) => readRanges(p, 5) },
    { name: 'ell text', file: 'ell.txt', make: text(Array.from({ length: 20 }, (_, i) => 2 + 10 * i).join('\n')), read: async (p) => readEll(p) },
    { name: 'ell JSON', file: 'ell.json', make: text(JSON.stringify(Array.from({ length: 20 }, (_, i) => 2 + 10 * i))), read: async (p) => readEll(p) },
    {
      name: 'HDF5 dataset',
      h5: true,
      file: 'data.h5',
      make: (dir) => datasetFile(join(dir, 'make-data.h5')),
      read: async (p) => {
        const r = await DatasetReader.open(p);
        try {
          return [r.inputs(0), r.spectra(0), r.sample(0), r.description(0)];
        } finally {
          r.close();
        }
      },
    },
    { name: 'model', h5: true, file: 'model.h5', make: (dir) => modelFile(join(dir, 'make-model.h5'), 'emulator'), read: (p) => loadModel(p, backend) },
    { name: 'emulator', h5: true, file: 'emu.h5', make: (dir) => modelFile(join(dir, 'make-emu.h5'), 'emulator'), read: (p) => Emulator.load(p, backend) },
    { name: 'meta-emulator', h5: true, file: 'meta.h5', make: (dir) => modelFile(join(dir, 'make-meta.h5'), 'meta-emulator'), read: (p) => loadMetaEmulator(p, backend) },
    { name: 'chain', h5: true, file: 'chain.h5', make: (dir) => chainFile(join(dir, 'make-chain.h5')), read: (p) => readChain(p) },
    { name: 'SACC HDF5', h5: true, file: 'data.sacc.hdf5', make: (dir) => saccHdf5File(join(dir, 'make.sacc.hdf5')), read: (p) => readSaccHdf5(p) },
    { name: 'SACC FITS', file: 'data.sacc.fits', make: async () => saccFitsBytes(twoPointSample()), read: async (p) => readSaccFits(p) },
    { name: '2pt-FITS', file: 'data.2pt.fits', make: async () => twoPointFitsBytes(twoPointSample()), read: async (p) => readTwoPointFits(p) },
    { name: 'P(k) emulator JSON (GP)', file: 'pk-gp.json', make: text(JSON.stringify(pkEmulatorJson('gp'))), read: async (p) => readPkEmulatorAndUse(p) },
    { name: 'P(k) emulator JSON (MLP)', file: 'pk-mlp.json', make: text(JSON.stringify(pkEmulatorJson('mlp'))), read: async (p) => readPkEmulatorAndUse(p) },
    { name: 'analysis config YAML', file: 'analysis.yaml', make: text(ANALYSIS_YAML), read: async (p) => readAnalysisConfig(p) },
    {
      name: 'checkpoint',
      file: 'ckpt.partial',
      make: async (dir) => {
        writeCheckpoint(join(dir, 'make.partial'), 'job', { state: { epoch: 3 }, arrays: { w: Float32Array.from([1, 2, 3]), order: Int32Array.from([2, 0, 1]) } });
        return readFileSync(join(dir, 'make.partial'));
      },
      read: async (p) => readCheckpoint(p, 'job'),
    },
  ];
}

/** Every path to a value in a JSON document (arrays by index), the root excepted. */
function jsonPaths(v: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...path, k], ...jsonPaths(x, [...path, k])]);
}

/**
 * A structural edit of a JSON document: one value (seeded) gets another type, an extreme number, or,
 * for an array, one element fewer or more (a wrong length).
 */
function jsonEdit(doc: unknown, rng: Random): { label: string; doc: unknown } {
  const copy = structuredClone(doc);
  const paths = jsonPaths(copy);
  const path = paths[rng.int(paths.length)];
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const value = parent[key];
  const where = path.join('.');
  if (Array.isArray(value) && value.length > 0 && rng.uniform() < 0.5) {
    if (rng.uniform() < 0.5) value.pop();
    else value.push(structuredClone(value[value.length - 1]));
    return { label: `${where}: length ${value.length}`, doc: copy };
  }
  const by = ['"x"', 'null', '[]', '{}', '1e308', '-1e308', '1e12', '-1', '0', 'true'][rng.int(10)];
  parent[key] = JSON.parse(by);
  return { label: `${where} -> ${by}`, doc: copy };
}

/**
 * Seeded mutations of a valid file: truncations, bit flips, header edits and NaN/Inf/huge-number edits;
 * for JSON, structural edits too (types, extreme numbers, array lengths).
 */
export function* mutations(good: Uint8Array, rng: Random, count: number): Generator<{ label: string; bytes: Uint8Array }> {
  yield { label: 'empty', bytes: new Uint8Array(0) };
  const isText = good.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  let json: unknown;
  try {
    json = isText ? JSON.parse(new TextDecoder().decode(good)) : undefined;
  } catch {
    json = undefined;
  }
  const structured = json !== null && typeof json === 'object';
  for (let i = 0; i < count; i++) {
    const kind = rng.int(isText ? (structured ? 5 : 4) : 3);
    const bytes = Uint8Array.from(good);
    if (kind === 0) {
      const at = rng.int(good.length);
      yield { label: `truncated at ${at}`, bytes: bytes.subarray(0, at) };
    } else if (kind === 1) {
      const flips = 1 + rng.int(8);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      yield { label: `${flips} bit flips`, bytes };
    } else if (kind === 2) {
      // Header edits: overwrite bytes near the start (signatures, lengths, shapes, superblocks).
      const span = Math.min(bytes.length, 1024);
      const n = 1 + rng.int(6);
      for (let f = 0; f < n; f++) bytes[rng.int(span)] = rng.int(256);
      yield { label: `${n} header bytes edited`, bytes };
    } else if (kind === 4) {
      const e = jsonEdit(json, rng);
      yield { label: `JSON edit ${e.label}`, bytes: new TextEncoder().encode(JSON.stringify(e.doc)) };
    } else {
      // Text: replace one number by NaN, Infinity, -1, 1e308 or 1e12.
      const t = new TextDecoder().decode(good);
      const matches = [...t.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
      const m = matches[rng.int(matches.length)];
      const by = ['NaN', 'Infinity', '-1', '1e308', '1e12', '"x"', 'null'][rng.int(7)];
      yield { label: `number at ${m.index} -> ${by}`, bytes: new TextEncoder().encode(t.slice(0, m.index) + by + t.slice((m.index ?? 0) + m[0].length)) };
    }
  }
}

/** Run `read` on one hostile file; returns "accepted", "clean" or an explanation of what was unclean. */
export async function attemptHere(r: Reader, path: string): Promise<'accepted' | 'clean' | string> {
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const error = console.error;
  const warn = console.warn;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => void written.push(a.map(String).join(' '));
  console.warn = console.error;
  let outcome: 'accepted' | 'clean' | string;
  try {
    const value = await r.read(path);
    if (value instanceof Emulator) value.dispose();
    outcome = 'accepted';
  } catch (err) {
    if (!(err instanceof CosmetaError)) outcome = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
    else if (err.message.includes('\n')) outcome = `multi-line message: ${err.message.slice(0, 120)}`;
    else if (!err.message.includes(path)) outcome = `message does not name the file: ${err.message}`;
    else outcome = 'clean';
  } finally {
    process.stderr.write = write;
    console.error = error;
    console.warn = warn;
  }
  if (written.length > 0 && (outcome === 'clean' || outcome === 'accepted')) outcome = `printed on stderr: ${written.join('').slice(0, 120)}`;
  return outcome;
}

/** Seconds one HDF5 case may take. */
const CASE_SECONDS = 20;

/** Runs HDF5 cases in a worker thread, replaced whenever its library has aborted. */
class H5Runner {
  private worker: Worker | null = null;
  restarts = 0;

  async run(reader: string, path: string): Promise<string> {
    this.worker ??= new Worker(workerScript(new URL('./fuzz-worker.js', import.meta.url)));
    const w = this.worker;
    const reply = await new Promise<{ outcome: string; aborted: boolean }>((resolve) => {
      // A read that neither returns nor fails within the limit is a hang: unclean.
      const timer = setTimeout(() => finish({ outcome: `no answer within ${CASE_SECONDS} s (hang)`, aborted: true }), CASE_SECONDS * 1000);
      const onExit = (code: number) => finish({ outcome: `the reading thread exited (code ${code})`, aborted: true });
      const onError = (err: Error) => finish({ outcome: `${err.name}: ${err.message.split('\n')[0]}`, aborted: true });
      const onMessage = (m: { outcome: string; aborted: boolean }) => finish(m);
      function finish(m: { outcome: string; aborted: boolean }) {
        clearTimeout(timer);
        w.off('exit', onExit);
        w.off('error', onError);
        w.off('message', onMessage);
        resolve(m);
      }
      w.on('exit', onExit);
      w.on('error', onError);
      w.on('message', onMessage);
      w.postMessage({ reader, path });
    });
    if (reply.aborted) {
      await w.terminate();
      this.worker = null;
      this.restarts++;
    }
    return reply.outcome;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

/** Fuzz every reader with `perReader` seeded mutations (plus the fixed cases). */
export async function fuzzReaders(dir: string, seed: number, perReader: number): Promise<{ stats: Record<string, ReaderStats>; libraryAborts: number }> {
  mkdirSync(dir, { recursive: true });
  const h5 = new H5Runner();
  try {
    const stats = await fuzzAll(dir, seed, perReader, h5);
    return { stats, libraryAborts: h5.restarts };
  } finally {
    await h5.close();
  }
}

async function fuzzAll(dir: string, seed: number, perReader: number, h5: H5Runner): Promise<Record<string, ReaderStats>> {
  const stats: Record<string, ReaderStats> = {};
  const list = readers();
  for (const [k, r] of list.entries()) {
    const st: ReaderStats = { tried: 0, accepted: 0, clean: 0, unclean: 0, examples: [] };
    stats[r.name] = st;
    const good = await r.make(dir);
    const note = (label: string, outcome: string) => {
      st.tried++;
      if (outcome === 'accepted') st.accepted++;
      else if (outcome === 'clean') st.clean++;
      else {
        st.unclean++;
        if (st.examples.length < 5) st.examples.push(`${label}: ${outcome}`);
      }
    };
    const path = join(dir, r.file);
    const attempt = (reader: Reader, p: string) => (reader.h5 ? h5.run(reader.name, p) : attemptHere(reader, p));
    writeFileSync(path, good);
    const baseline = await attempt(r, path);
    if (baseline !== 'accepted') throw new Error(`${r.name}: the valid file is not read (${baseline})`);
    // A directory where a file is expected.
    rmSync(path, { force: true });
    mkdirSync(path);
    note('directory', await attempt(r, path));
    rmSync(path, { recursive: true, force: true });
    note('missing', await attempt(r, path));
    for (const { label, bytes } of mutations(good, new Random(seed + 7919 * k), perReader)) {
      writeFileSync(path, bytes);
      note(label, await attempt(r, path));
    }
    rmSync(path, { force: true });
  }
  // Element counts of 10^12 in headers, refused before allocating.
  const huge: ReaderStats = { tried: 0, accepted: 0, clean: 0, unclean: 0, examples: [] };
  stats['10^12-element headers'] = huge;
  const hugeCases: Array<[string, () => Promise<void>, (p: string) => Promise<unknown>]> = [
    ['nz.npy', async () => writeFileSync(join(dir, 'nz.npy'), npy([1e6, 1e6], new Float64Array(6))), (p) => Promise.resolve(readRedshiftDistributions(p))],
    ['huge-model.h5', () => hugeModelFile(join(dir, 'huge-model.h5')), (p) => loadModel(p, backend)],
  ];
  for (const [file, make, read] of hugeCases) {
    await make();
    const outcome = await attemptHere({ name: file, file, make: async () => new Uint8Array(0), read }, join(dir, file));
    huge.tried++;
    if (outcome === 'clean') huge.clean++;
    else {
      huge.unclean++;
      huge.examples.push(`${file}: ${outcome}`);
    }
  }
  return stats;
}
