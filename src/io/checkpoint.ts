/**
 * Checkpoint files for resumable jobs (meta-training, training, studies): a JSON state and named numeric
 * arrays in one file, written atomically (src/io/atomic.ts), so a kill at any moment leaves either the
 * previous checkpoint or the new one, never a torn file. Layout (little-endian):
 *
 *   "COSMETA-CHECKPOINT-1\n"   magic
 *   uint32                     byte length H of the header
 *   H bytes                    JSON {identity, state, arrays: [{name, dtype, length}], checksum}
 *   the arrays' bytes, in header order (float32, float64 or int32)
 *
 * `identity` names the job (its configuration): a checkpoint of another job is refused, not resumed.
 * The checksum (FNV-1a over the array bytes) catches damage the header cannot.
 */

import { existsSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { CosmetaError } from '../errors.js';
import type { HmcState } from '../inference/hmc.js';
import type { HmcCheckpointer, HmcSnapshot } from '../inference/hmc-run.js';
import type { Checkpointer, FitState } from '../nn/train.js';
import { writeFileAtomic } from './atomic.js';

const MAGIC = 'COSMETA-CHECKPOINT-1\n';

export type CheckpointArray = Float32Array | Float64Array | Int32Array;

export interface CheckpointData {
  state: Record<string, unknown>;
  arrays: Record<string, CheckpointArray>;
}

const DTYPES = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
type Dtype = keyof typeof DTYPES;

function dtypeOf(a: CheckpointArray): Dtype {
  return a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'i32';
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

/** Write a checkpoint atomically. */
export function writeCheckpoint(path: string, identity: string, data: CheckpointData): void {
  const entries = Object.entries(data.arrays);
  const body = Buffer.concat(entries.map(([, a]) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  const header = Buffer.from(
    JSON.stringify({ identity, state: data.state, arrays: entries.map(([name, a]) => ({ name, dtype: dtypeOf(a), length: a.length })), checksum: fnv1a(body) }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  writeFileAtomic(path, Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, header, body]));
}

/**
 * Read the checkpoint at `path` (null if there is none). A checkpoint of another job, or a damaged one,
 * gives a CosmetaError saying what to do.
 */
export function readCheckpoint(path: string, identity: string): CheckpointData | null {
  if (!existsSync(path)) return null;
  const damaged = (what: string) => new CosmetaError(`${path}: damaged checkpoint (${what}); delete it to start again`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CosmetaError(`${path}: cannot read the checkpoint (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw damaged('not a Cosmeta checkpoint');
  const h = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + h;
  if (start > bytes.length) throw damaged('truncated header');
  let header: { identity: string; state: Record<string, unknown>; arrays: Array<{ name: string; dtype: Dtype; length: number }>; checksum: number };
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, start));
  } catch {
    throw damaged('header is not JSON');
  }
  if (header.identity !== identity) {
    throw new CosmetaError(`${path} holds a checkpoint of a run with a different configuration; rerun with the same arguments, or delete it`);
  }
  if (!Array.isArray(header.arrays)) throw damaged('no array list');
  const body = bytes.subarray(start);
  let total = 0;
  for (const a of header.arrays) {
    if (!(a.dtype in DTYPES) || !Number.isSafeInteger(a.length) || a.length < 0) throw damaged(`array "${a.name}" has no valid type and length`);
    total += a.length * DTYPES[a.dtype].BYTES_PER_ELEMENT;
  }
  if (total !== body.length) throw damaged(`${body.length} bytes of arrays, the header lists ${total}`);
  if (fnv1a(body) !== header.checksum) throw damaged('checksum mismatch');
  const arrays: Record<string, CheckpointArray> = {};
  let offset = 0;
  for (const a of header.arrays) {
    const T = DTYPES[a.dtype];
    const n = a.length * T.BYTES_PER_ELEMENT;
    const copy = new Uint8Array(n);
    copy.set(body.subarray(offset, offset + n));
    arrays[a.name] = new T(copy.buffer);
    offset += n;
  }
  return { state: header.state, arrays };
}

/** Remove a checkpoint once its job's output is written. */
export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Seconds between training checkpoints (COSMETA_CHECKPOINT_SECONDS, default 5; 0 saves after every
 * epoch). Results do not depend on it: a resumed run continues from whichever state was saved last.
 */
export function checkpointInterval(): number {
  const v = Number(process.env.COSMETA_CHECKPOINT_SECONDS ?? 5);
  return Number.isFinite(v) && v >= 0 ? v : 5;
}

/** A Checkpointer of `fit`'s state in a checkpoint file, saving at most every `checkpointInterval()` s. */
export function fitCheckpointer(path: string, identity: string): Checkpointer<FitState> {
  let last = performance.now();
  const interval = checkpointInterval() * 1000;
  const float = (a: CheckpointArray | undefined, name: string): Float32Array | Float64Array => {
    if (!(a instanceof Float32Array) && !(a instanceof Float64Array)) throw new CosmetaError(`${path}: the checkpoint has no float array "${name}"`);
    return a;
  };
  return {
    load: () => {
      const c = readCheckpoint(path, identity);
      if (!c) return null;
      const s = c.state as Omit<FitState, 'params' | 'best' | 'adam' | 'order'> & { adamT: number; hasBest: boolean };
      const order = c.arrays.order;
      if (!(order instanceof Int32Array)) throw new CosmetaError(`${path}: the checkpoint has no row order`);
      return {
        epoch: s.epoch,
        stopped: s.stopped,
        rng: s.rng,
        bestVal: s.bestVal,
        bestEpoch: s.bestEpoch,
        trainLoss: s.trainLoss,
        params: float(c.arrays.params, 'params'),
        best: s.hasBest ? float(c.arrays.best, 'best') : null,
        adam: { m: float(c.arrays.m, 'm'), v: float(c.arrays.v, 'v'), t: s.adamT },
        order,
      };
    },
    save: (st) => {
      if (!st.stopped && performance.now() - last < interval) return;
      last = performance.now();
      const { params, best, adam, order, ...rest } = st;
      const arrays: Record<string, CheckpointArray> = { params, m: adam.m, v: adam.v, order };
      if (best) arrays.best = best;
      writeCheckpoint(path, identity, { state: { ...rest, adamT: adam.t, hasBest: best !== null }, arrays });
    },
  };
}

/**
 * Rows of a study finished so far, kept in a JSON file (written atomically after every row) so a rerun
 * with the same identity reuses them and computes only the rest.
 */
export function rowCheckpoint<T>(path: string, identity: string): { rows: T[]; add(row: T): void } {
  let rows: T[] = [];
  if (existsSync(path)) {
    let saved: { identity?: unknown; rows?: unknown };
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as { identity?: unknown; rows?: unknown };
    } catch {
      throw new CosmetaError(`${path}: damaged checkpoint (not JSON); delete it to start again`);
    }
    if (saved.identity !== identity) throw new CosmetaError(`${path} holds rows of a run with a different configuration; rerun with the same arguments, or delete it`);
    if (!Array.isArray(saved.rows)) throw new CosmetaError(`${path}: damaged checkpoint (no rows); delete it to start again`);
    rows = saved.rows as T[];
  }
  return {
    rows: [...rows],
    add(row: T) {
      rows.push(row);
      writeFileAtomic(path, `${JSON.stringify({ identity, rows })}\n`);
    },
  };
}

/**
 * Remove, under `dir` (recursively), every checkpoint `X.partial` (file or directory) whose output `X`
 * exists: a job killed between writing its output and removing its checkpoint leaves one, and a rerun
 * that skips the finished output would otherwise keep it forever. The output is written atomically, so
 * its existence means the checkpoint is spent.
 */
export function removeFinishedCheckpoints(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.name.endsWith('.partial') && existsSync(p.slice(0, -'.partial'.length))) rmSync(p, { recursive: true, force: true });
    else if (e.isDirectory()) removeFinishedCheckpoints(p);
  }
}

/** Rows of equal length flattened into one array, and back. */
function flatten(rows: readonly Float64Array[]): { flat: Float64Array; dim: number } {
  const dim = rows[0]?.length ?? 0;
  const flat = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return { flat, dim };
}

function unflatten(flat: Float64Array, count: number, dim: number): Float64Array[] {
  return Array.from({ length: count }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
}

/**
 * An HmcCheckpointer (src/inference/hmc-run.ts) in a checkpoint file: the sampler's state, the random
 * generator, the running moments and every stored map, saved at most every `checkpointInterval()` s.
 */
export function hmcCheckpointer(path: string, identity: string): HmcCheckpointer {
  let last = performance.now();
  const interval = checkpointInterval() * 1000;
  const f64 = (c: CheckpointData, name: string): Float64Array => {
    const a = c.arrays[name];
    if (!(a instanceof Float64Array)) throw new CosmetaError(`${path}: the checkpoint has no float64 array "${name}"; delete it to start again`);
    return a;
  };
  return {
    load: () => {
      const c = readCheckpoint(path, identity);
      if (!c) return null;
      const s = c.state as { done: number; sampler: Omit<HmcState, 'position' | 'gradient'>; rng: HmcSnapshot['rng']; hasMean: boolean; kept: [number, number]; tracks: [number, number] };
      const kept = f64(c, 'kept');
      const tracks = f64(c, 'tracks');
      if (kept.length !== s.kept[0] * s.kept[1] || tracks.length !== s.tracks[0] * s.tracks[1]) throw new CosmetaError(`${path}: damaged checkpoint (stored maps do not match their counts); delete it to start again`);
      return {
        done: s.done,
        state: { ...s.sampler, position: f64(c, 'position'), gradient: f64(c, 'gradient') },
        rng: s.rng,
        mean: s.hasMean ? f64(c, 'mean') : null,
        m2: s.hasMean ? f64(c, 'm2') : null,
        kept: unflatten(kept, s.kept[0], s.kept[1]),
        tracks: unflatten(tracks, s.tracks[0], s.tracks[1]),
        logProb: f64(c, 'logProb'),
        scalars: f64(c, 'scalars'),
      };
    },
    save: (done, total, snapshot) => {
      if (done < total && performance.now() - last < interval) return;
      last = performance.now();
      const snap = snapshot();
      const { position, gradient, ...sampler } = snap.state;
      const kept = flatten(snap.kept);
      const tracks = flatten(snap.tracks);
      const arrays: Record<string, CheckpointArray> = { position, gradient, logProb: snap.logProb, scalars: snap.scalars, kept: kept.flat, tracks: tracks.flat };
      if (snap.mean && snap.m2) Object.assign(arrays, { mean: snap.mean, m2: snap.m2 });
      writeCheckpoint(path, identity, {
        state: { done: snap.done, sampler, rng: snap.rng, hasMean: snap.mean !== null, kept: [snap.kept.length, kept.dim], tracks: [snap.tracks.length, tracks.dim] },
        arrays,
      });
    },
  };
}
