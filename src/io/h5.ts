/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; files readable by h5py).
 *
 * Hostile files: the library's diagnostics are turned into exceptions (h5wasm's throwing error handler,
 * H5Eset_auto2), so nothing is printed on stderr; `openForReading` checks the path and the signature
 * first, `readDataset` checks type, shape, size (before anything is allocated) and finiteness, and
 * `guardH5` turns any failure while reading a file into one CosmetaError naming the file.
 *
 * HDF5 stamps object headers with the wall-clock time, so two runs writing the same content would
 * differ in a few bytes. `writeDeterministic` pins the clock the library sees (Date.now) to the Unix
 * epoch while it runs, so the same content always gives the same bytes.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
// Before h5wasm: it binds console.error when it loads (see h5-console.ts).
import { h5Console, h5ErrorText, quietly } from './h5-console.js';
import h5wasm from 'h5wasm/node';
import { CosmetaError } from '../errors.js';

export type H5 = typeof h5wasm;
export type H5File = InstanceType<H5['File']>;
export type H5Dataset = InstanceType<H5['Dataset']>;
export type H5Group = InstanceType<H5['Group']>;

let ready: Promise<unknown> | null = null;

/** The h5wasm module, once its WebAssembly has loaded (with HDF5 errors thrown, never printed). */
export async function loadH5(): Promise<H5> {
  ready ??= h5wasm.ready.then((m) => m.activate_throwing_error_handler());
  await ready;
  return h5wasm;
}

/** The most specific reason in an HDF5 error stack (its innermost "in F(): reason" line), or the message. */
export function h5Reason(err: unknown): string {
  if (isAbort(err)) {
    aborted = true;
    const oom = h5Console.captured.some((l) => l.includes('Cannot enlarge memory'));
    return oom ? 'its size fields ask for more memory than the library has: damaged' : 'the HDF5 library aborted on it';
  }
  return h5ErrorText(err);
}

/**
 * Run `fn` (reads of the HDF5 file `path`); any failure that is not already a CosmetaError becomes one
 * naming the file: a damaged file must give one clear line, never a library error.
 */
export function guardH5<T>(path: string, fn: () => T): T {
  try {
    return quietly(fn);
  } catch (err) {
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`${path}: damaged or unexpected HDF5 content (${h5Reason(err)})`);
  }
}

/** Largest dataset read at once (elements): a header claiming more is refused before allocating. */
export const MAX_READ_ELEMENTS = 2 ** 28;

export interface DatasetCheck {
  /** Value kind: floating point, integer or string. */
  kind: 'float' | 'int' | 'string';
  /** Expected shape; -1 (or a missing entry) accepts any length along that axis. */
  shape?: number[];
  /** Refuse NaN and infinities (default true for floats). */
  finite?: boolean;
}

/**
 * Read the dataset `name` of a group after checking its type, shape and size; throws a CosmetaError
 * naming the file, the dataset and what is wrong.
 */
export function readDataset(group: H5Group, name: string, path: string, check: DatasetCheck): Float64Array | Float32Array | Int32Array | string[] {
  return guardH5(path, () => {
    const d = group.get(name);
    if (!(d instanceof h5wasm.Dataset)) throw new CosmetaError(`${path}: no dataset "${name}"`);
    const meta = d.metadata;
    const shape = (d.shape ?? []) as number[];
    const kind = meta.type === 1 ? 'float' : meta.type === 0 ? 'int' : meta.type === 3 ? 'string' : `HDF5 type class ${meta.type}`;
    if (kind !== check.kind) throw new CosmetaError(`${path}: dataset "${name}" holds ${kind} values, expected ${check.kind}`);
    if (check.shape) {
      const ok = shape.length === check.shape.length && check.shape.every((n, i) => n < 0 || n === shape[i]);
      if (!ok) throw new CosmetaError(`${path}: dataset "${name}" has shape (${shape.join(', ')}), expected (${check.shape.map((n) => (n < 0 ? 'any' : n)).join(', ')})`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(count <= MAX_READ_ELEMENTS)) throw new CosmetaError(`${path}: dataset "${name}" claims ${count} elements (shape ${shape.join(' x ')}); refusing to read more than ${MAX_READ_ELEMENTS}`);
    const value = d.value as Float64Array | Float32Array | Int32Array | string[];
    if (kind === 'float' && (check.finite ?? true)) requireFinite(value as Float64Array, path, name);
    return value;
  });
}

/** Throw a CosmetaError naming the first NaN or infinite entry. */
export function requireFinite(values: ArrayLike<number>, path: string, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new CosmetaError(`${path}: dataset "${name}" entry ${i} is ${values[i]}; expected finite numbers`);
  }
}

/** A JSON attribute, parsed; a CosmetaError naming the file when it is missing or not valid JSON. */
export function jsonAttribute<T = unknown>(obj: { attrs: Record<string, { value: unknown }> }, name: string, path: string): T {
  const text = guardH5(path, () => attribute(obj, name));
  if (typeof text !== 'string') throw new CosmetaError(`${path}: attribute "${name}" is missing or not text`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CosmetaError(`${path}: attribute "${name}" is not valid JSON`);
  }
}

/** Run synchronous HDF5 writes with the clock pinned to the epoch (see the module comment). */
export function writeDeterministic<T>(fn: () => T): T {
  const now = Date.now;
  Date.now = () => 0;
  try {
    return quietly(fn);
  } finally {
    Date.now = now;
  }
}

/**
 * Set once the library has aborted (Emscripten's abort, e.g. when a damaged size field asks for more than
 * the 2 GiB heap): every later call would fail, so the next open says so instead.
 */
let aborted = false;

/** Has the HDF5 library aborted in this process (see `aborted`)? */
export function h5Aborted(): boolean {
  return aborted;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'RuntimeError' || /Aborted\(/.test(err.message));
}

/** Create an empty chunked float64 dataset of the given shape (h5wasm needs data, so grow from zero). */
export function createFloat64(group: H5Group, name: string, shape: number[], chunks: number[]): H5Dataset {
  const empty = shape.map((n, i) => (i === 0 ? 0 : n));
  const d = group.create_dataset({ name, data: new Float64Array(0), shape: empty, maxshape: shape, chunks });
  d.resize(shape);
  return d;
}

/** Read a scalar or string attribute as a JS value. */
export function attribute(obj: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  const a = obj.attrs[name];
  return a === undefined ? undefined : a.value;
}

/** The dataset at `name` in a group; throws a CosmetaError if it is missing or not a dataset. */
export function datasetAt(group: H5Group, name: string): H5Dataset {
  const d = group.get(name);
  if (!(d instanceof h5wasm.Dataset)) throw new CosmetaError(`HDF5 file: no dataset "${name}" in group ${group.path}`);
  return d;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Open an existing HDF5 file for reading, with clear errors for a missing file or one that is not HDF5
 * (checked by its signature first, so the HDF5 library never prints diagnostics for it).
 */
export async function openForReading(path: string): Promise<H5File> {
  const h5 = await loadH5();
  if (aborted) throw new CosmetaError(`${path}: not read; the HDF5 library stopped on an earlier damaged file in this process`);
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CosmetaError(`${path}: a directory, not an HDF5 file`);
    size = st.size;
  } catch (err) {
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`}`);
  }
  if (size < SIGNATURE.length) throw new CosmetaError(`${path}: ${size === 0 ? 'empty file' : `${size} bytes`}, not an HDF5 file`);
  const head = Buffer.alloc(8);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new CosmetaError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!head.equals(SIGNATURE)) throw new CosmetaError(`${path}: not an HDF5 file`);
  try {
    return quietly(() => new h5.File(path, 'r'));
  } catch (err) {
    throw new CosmetaError(`${path}: cannot open as HDF5 (${h5Reason(err)})`);
  }
}

/** Open `path`, run `fn` on it under guardH5 and close it (also when `fn` throws). */
export async function readH5<T>(path: string, fn: (f: H5File) => T): Promise<T> {
  const f = await openForReading(path);
  try {
    return guardH5(path, () => fn(f));
  } finally {
    try {
      quietly(() => f.close());
    } catch {
      // closing a damaged file may fail too; the first error is the one to report
    }
  }
}

/**
 * Run HDF5 writes to `path` (with the clock pinned, see the module comment); a failure (full disk,
 * unwritable directory) becomes a CosmetaError naming the file.
 */
export function writeH5<T>(path: string, fn: () => T): T {
  try {
    return writeDeterministic(fn);
  } catch (err) {
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? h5Reason(err)}`);
  }
}
