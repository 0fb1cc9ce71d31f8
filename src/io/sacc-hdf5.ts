/**
 * SACC 2 in HDF5 (sacc/sacc.py `save_hdf5` / `load_hdf5`): a root dataset `sacc_hdf5_version` (int32 [1]),
 * groups `tracer/`, `data/`, `window/` holding one dataset per table, and root datasets
 * `covariance_<name>` and `metadata`. Each table is a compound dataset (astropy's HDF5 writer: one member
 * per column, vector columns as array members, strings as fixed-length ASCII), its header keys as
 * attributes (strings variable-length UTF-8, integers int64), chunked and gzip level 4.
 *
 * Reading goes through h5wasm (the HDF5 C library), which reads every layout HDF5 1.8+ writes
 * (superblock v0 with symbol-table groups, chunked gzip, fixed- and variable-length strings). Before
 * anything reaches the library the signature and each dataset's claimed size are checked, so a bad file
 * gives one CosmetaError line and the library never allocates for a lie. The table reading itself is
 * sacc-hdf5-read.ts, which the web page uses too.
 */

import { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { Module, dtype_to_metadata, type CompoundDtype } from 'h5wasm/node';
import { CosmetaError } from '../errors.js';
import { quietly } from './h5-console.js';
import { h5Reason, loadH5, writeDeterministic, type H5Dataset, type H5Group } from './h5.js';
import { MAX_EXPANSION, readSaccHdf5Data, SACC_HDF5_VERSION } from './sacc-hdf5-read.js';
import { twoPointToTables, type MetaValue, type SaccTable, type TableColumn } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

export { SACC_HDF5_VERSION };

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Read a SACC 2 HDF5 file (any HDF5 layout) into `TwoPointData`, checked (see two-point-checks.ts). */
export async function readSaccHdf5(path: string): Promise<TwoPointData> {
  const h5 = await loadH5();
  let size: number;
  const head = Buffer.alloc(8);
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CosmetaError(`${path}: not a file`);
    size = st.size;
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!SIGNATURE.every((b, i) => head[i] === b)) throw new CosmetaError(`${path}: not an HDF5 file (no HDF5 signature)`);
  const limit = Math.max(size * MAX_EXPANSION, 1 << 20);
  return readSaccHdf5Data({ File: h5.File, Dataset: h5.Dataset, Group: h5.Group, module: Module, reason: h5Reason }, path, path, limit);
}

function maxLength(values: readonly string[]): number {
  return Math.max(1, ...values.map((s) => Buffer.byteLength(s, 'ascii')));
}

/** Pack a table into compound rows (little-endian, no padding, as h5py lays numpy records out). */
function packTable(t: SaccTable): { dtype: CompoundDtype; bytes: Uint8Array; rowSize: number } {
  const dtype: CompoundDtype = [];
  const sizes: number[] = [];
  for (const c of t.columns) {
    const base = c.kind === 'string' ? `A${maxLength(c.values as string[])}` : c.kind === 'float' ? '<d' : c.kind === 'int' ? '<q' : '<b';
    dtype.push(c.width === 1 ? [c.name, base] : [c.name, base, [c.width]]);
    sizes.push(c.kind === 'string' ? maxLength(c.values as string[]) : c.kind === 'bool' ? c.width : 8 * c.width);
  }
  const rowSize = sizes.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(rowSize * t.nrows);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  t.columns.forEach((c, j) => {
    for (let r = 0; r < t.nrows; r++) {
      const at = r * rowSize + offset;
      if (c.kind === 'string') bytes.set(Buffer.from((c.values as string[])[r], 'ascii'), at);
      else if (c.kind === 'bool') for (let k = 0; k < c.width; k++) view.setInt8(at + k, (c.values as boolean[])[r * c.width + k] ? 1 : 0);
      else {
        const v = c.values as Float64Array;
        for (let k = 0; k < c.width; k++) {
          if (c.kind === 'float') view.setFloat64(at + 8 * k, v[r * c.width + k], true);
          else view.setBigInt64(at + 8 * k, BigInt(v[r * c.width + k]), true);
        }
      }
    }
    offset += sizes[j];
  });
  return { dtype, bytes, rowSize };
}

function writeAttributes(d: H5Dataset, meta: Readonly<Record<string, MetaValue>>): void {
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string') d.create_attribute(k, v);
    else if (typeof v === 'boolean') d.create_attribute(k, Int8Array.of(v ? 1 : 0), [], '<b');
    else if (Number.isSafeInteger(v)) d.create_attribute(k, BigInt64Array.of(BigInt(v)), [], '<q');
    else d.create_attribute(k, Float64Array.of(v), [], '<d');
  }
}

/**
 * A compound dataset from packed rows. h5wasm 0.10's `create_dataset` cannot prepare array members
 * (the covariance's `row: float64[n]`), so the packed bytes go to the library's own create call.
 */
function writeTable(group: H5Group, name: string, t: SaccTable): void {
  if (t.columns.length === 0) {
    writeAttributes(group.create_dataset({ name, data: new Float64Array(0), shape: [0] }), t.meta);
    return;
  }
  const { dtype, bytes, rowSize } = packTable(t);
  const chunkRows = Math.max(1, Math.min(t.nrows, Math.floor(16384 / rowSize)));
  const meta = {
    ...dtype_to_metadata(dtype),
    shape: [BigInt(t.nrows)],
    maxshape: [BigInt(t.nrows)],
    chunks: t.nrows > 0 ? [BigInt(chunkRows)] : null,
    compression: t.nrows > 0 ? 1 : 0,
    compression_opts: t.nrows > 0 ? [4] : [],
    track_order: false,
  };
  const ptr = Module._malloc(Math.max(1, bytes.byteLength));
  try {
    Module.HEAPU8.set(bytes, ptr);
    (Module.create_dataset as unknown as (fid: bigint, p: string, ptr: bigint, m: unknown) => number)(group.file_id, `${group.path}/${name}`, BigInt(ptr), meta);
  } finally {
    Module._free(ptr);
  }
  writeAttributes(group.get(name) as H5Dataset, t.meta);
}

/**
 * h5wasm 0.10 cannot create array members (its C layer leaves H5T_ARRAY writes unimplemented), so the
 * covariance's vector column `row` is written in sacc's other full-covariance form, one float64 member
 * `col_i` per row (sacc/covariance.py `FullCovariance.from_table` reads both), and vector columns
 * elsewhere (bandpower weights) are refused with a pointer to the FITS writer.
 */
function hdf5Columns(t: SaccTable, path: string): SaccTable {
  const row = t.columns.find((c) => c.name === 'row');
  if (t.meta.SACCTYPE === 'covariance' && row !== undefined) {
    const n = row.width;
    if (n > MAX_COLUMN_MEMBERS) {
      throw new CosmetaError(`${path}: a ${n} x ${n} covariance needs ${n} col_i members, more than the ${MAX_COLUMN_MEMBERS} an HDF5 compound type holds here (its 64 KiB header-message limit); write FITS (--format fits) instead`);
    }
    const v = row.values as Float64Array;
    const columns: TableColumn[] = [];
    for (let i = 0; i < n; i++) columns.push({ name: `col_${i}`, kind: 'float', width: 1, values: v.slice(i * n, (i + 1) * n) });
    return { meta: t.meta, columns, nrows: t.nrows };
  }
  const wide = t.columns.find((c) => c.width > 1);
  if (wide !== undefined) {
    throw new CosmetaError(`${path}: column ${wide.name} of ${String(t.meta.SACCTYPE)} ${String(t.meta.SACCNAME)} is a vector column, which the HDF5 writer cannot store yet; write FITS (--format fits) instead`);
  }
  return t;
}

/** Largest covariance written as col_i members (2000 measured to work, 2200 exceeds the message limit). */
const MAX_COLUMN_MEMBERS = 2000;

/** HDF5 path of a table, as sacc's `save_hdf5` names it. */
function tablePath(t: SaccTable): [string | null, string] {
  const type = String(t.meta.SACCTYPE);
  const name = String(t.meta.SACCNAME);
  if (type === 'data' || type === 'tracer' || type === 'window') return [type, name];
  if (type === 'covariance') return [null, `covariance_${name}`];
  return [null, type];
}

/** Write `data` as SACC 2 HDF5 (the layout sacc 2.x's `save_hdf5` writes), atomically. */
export async function writeSaccHdf5(data: TwoPointData, path: string): Promise<void> {
  checkTwoPoint(data, `${path} (to write)`);
  const h5 = await loadH5();
  const tables = twoPointToTables(data).map((t) => hdf5Columns(t, path));
  const tmp = `${path}.cosmeta-tmp-${process.pid}`;
  try {
    writeDeterministic(() => quietly(() => {
      const f = new h5.File(tmp, 'w');
      try {
        f.create_dataset({ name: 'sacc_hdf5_version', data: Int32Array.of(SACC_HDF5_VERSION), shape: [1], dtype: '<i' });
        const groups = new Map<string, H5Group>();
        for (const t of tables) {
          const [groupName, name] = tablePath(t);
          let g: H5Group = f;
          if (groupName !== null) {
            g = groups.get(groupName) ?? f.create_group(groupName);
            groups.set(groupName, g);
          }
          writeTable(g, name, t);
        }
      } finally {
        f.close();
      }
    }));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof CosmetaError) throw err;
    throw new CosmetaError(`cannot write ${path}: ${h5Reason(err)}`);
  }
}
