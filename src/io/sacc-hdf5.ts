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
 * gives one CosmetaError line and the library never allocates for a lie.
 */

import { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { Module, dtype_to_metadata, type CompoundDtype } from 'h5wasm/node';
import { CosmetaError } from '../errors.js';
import { quietly } from './h5-console.js';
import { h5Reason, loadH5, writeDeterministic, type H5Dataset, type H5File, type H5Group } from './h5.js';
import { tablesToTwoPoint, twoPointToTables, type MetaValue, type SaccTable, type TableColumn } from './sacc-tables.js';
import type { TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

/** The `sacc_hdf5_version` sacc 2.x writes and the newest this reader understands. */
export const SACC_HDF5_VERSION = 1;
/** Deflate expands by at most 1032:1, so a dataset claiming more than this many bytes per file byte is a lie. */
const MAX_EXPANSION = 1032;

// HDF5 type classes (H5T_class_t).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;
const H5T_ARRAY = 10;

interface TypeMeta {
  type: number;
  size: number;
  signed?: boolean;
  littleEndian?: boolean;
  vlen?: boolean;
  shape?: number[];
}

interface MemberMeta extends TypeMeta {
  name: string;
  offset: number;
  array_type?: TypeMeta;
}

interface DatasetIo {
  get_dataset_data(fileId: bigint, path: string, count: null, offset: null, stride: null, ptr: bigint): number;
}

/** One element of a fixed-size numeric HDF5 type at byte `at`. */
function numberAt(view: DataView, at: number, t: TypeMeta): number {
  const le = t.littleEndian !== false;
  if (t.type === H5T_FLOAT) return t.size === 8 ? view.getFloat64(at, le) : view.getFloat32(at, le);
  const signed = t.signed !== false;
  if (t.size === 8) return Number(signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le));
  if (t.size === 4) return signed ? view.getInt32(at, le) : view.getUint32(at, le);
  if (t.size === 2) return signed ? view.getInt16(at, le) : view.getUint16(at, le);
  return signed ? view.getInt8(at) : view.getUint8(at);
}

/**
 * Columns of a compound table decoded from its raw bytes (members at their HDF5 offsets): h5wasm's
 * `value` builds a JS array per row, which takes seconds for a 2000 x 2000 covariance. Returns null
 * when a member is a variable-length string (its bytes are heap pointers); `value` reads those.
 */
function rawColumns(d: H5Dataset, size: number, nrows: number, members: MemberMeta[]): TableColumn[] | null {
  if (members.some((m) => m.vlen || m.array_type?.vlen)) return null;
  const nbytes = size * nrows;
  const ptr = Module._malloc(Math.max(1, nbytes));
  let bytes: Uint8Array;
  try {
    (Module as unknown as DatasetIo).get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
    bytes = Module.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    Module._free(ptr);
  }
  const view = new DataView(bytes.buffer);
  return members.map((mem): TableColumn => {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    const width = mem.type === H5T_ARRAY ? (mem.array_type?.shape ?? []).reduce((a, b) => a * b, 1) : 1;
    if (base.type === H5T_STRING) {
      const out: string[] = [];
      for (let r = 0; r < nrows; r++) {
        const at = r * size + mem.offset;
        let end = at;
        while (end < at + mem.size && bytes[end] !== 0) end++;
        out.push(Buffer.from(bytes.subarray(at, end)).toString('utf8').replace(/ +$/, ''));
      }
      return { name: mem.name, kind: 'string', width: 1, values: out };
    }
    const values = new Float64Array(nrows * width);
    for (let r = 0; r < nrows; r++) {
      for (let k = 0; k < width; k++) values[r * width + k] = numberAt(view, r * size + mem.offset + k * base.size, base);
    }
    if (base.type === H5T_ENUM) return { name: mem.name, kind: 'bool', width, values: Array.from(values, (v) => v !== 0) };
    return { name: mem.name, kind: base.type === H5T_INTEGER ? 'int' : 'float', width, values };
  });
}

function claimedBytes(d: H5Dataset): number {
  const m = d.metadata as { shape: number[] | null; size: number };
  return (m.shape ?? []).reduce((a, b) => a * Number(b), 1) * m.size;
}

function scalar(v: unknown): MetaValue {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = v as ArrayLike<unknown>;
    if (a.length === 1) return scalar(a[0]);
  }
  return String(v);
}

function trimString(s: unknown): string {
  return String(s).replace(/[\0 ]+$/, '');
}

function readTable(d: H5Dataset, file: string, limit: number): SaccTable {
  const meta: Record<string, MetaValue> = {};
  for (const [k, a] of Object.entries(d.attrs)) meta[k] = scalar(a.value);
  const bytes = claimedBytes(d);
  if (!(bytes <= limit)) throw new CosmetaError(`${file}: dataset ${d.path} claims ${bytes} bytes, impossible for a file of this size`);
  const m = d.metadata as { type: number; size: number; shape: number[] | null; compound_type?: { members: MemberMeta[] } };
  const shape = (m.shape ?? []).map(Number);
  if (m.type !== H5T_COMPOUND) {
    if (shape.reduce((a, b) => a * b, 1) === 0) return { meta, columns: [], nrows: 0 };
    throw new CosmetaError(`${file}: dataset ${d.path} is not a table (compound dataset)`);
  }
  if (shape.length !== 1) throw new CosmetaError(`${file}: table ${d.path} has shape [${shape}], expected one dimension`);
  const nrows = shape[0];
  const members = m.compound_type?.members ?? [];
  for (const mem of members) {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    if (base.type !== H5T_INTEGER && base.type !== H5T_FLOAT && base.type !== H5T_ENUM && base.type !== H5T_STRING) {
      throw new CosmetaError(`${file}: column ${mem.name} of ${d.path} has an unsupported HDF5 type class ${base.type}`);
    }
  }
  let rows: unknown[][] = [];
  try {
    const raw = nrows === 0 ? null : rawColumns(d, m.size, nrows, members);
    if (raw !== null) return { meta, columns: raw, nrows };
    rows = (nrows === 0 ? [] : d.value) as unknown[][];
  } catch (err) {
    throw new CosmetaError(`${file}: cannot read ${d.path}: ${h5Reason(err)} (corrupt file?)`);
  }
  const columns: TableColumn[] = members.map((mem, j): TableColumn => {
    const base = mem.type === H5T_ARRAY && mem.array_type ? mem.array_type : mem;
    const width = mem.type === H5T_ARRAY ? (mem.array_type?.shape ?? []).reduce((a, b) => a * b, 1) : 1;
    if (base.type === H5T_STRING) return { name: mem.name, kind: 'string', width: 1, values: rows.map((r) => trimString(r[j])) };
    const values = new Float64Array(nrows * width);
    for (let r = 0; r < nrows; r++) {
      const cell = rows[r][j];
      if (width === 1) values[r] = Number(cell);
      else {
        const arr = cell as ArrayLike<number | bigint>;
        for (let k = 0; k < width; k++) values[r * width + k] = Number(arr[k]);
      }
    }
    if (base.type === H5T_ENUM) return { name: mem.name, kind: 'bool', width, values: Array.from(values, (v) => v !== 0) };
    return { name: mem.name, kind: base.type === H5T_INTEGER ? 'int' : 'float', width, values };
  });
  return { meta, columns, nrows };
}

function isDataset(h5: Awaited<ReturnType<typeof loadH5>>, o: unknown): o is H5Dataset {
  return o instanceof h5.Dataset;
}

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
  const tables = quietly(() => {
    let f: H5File;
    try {
      f = new h5.File(path, 'r');
    } catch (err) {
      throw new CosmetaError(`${path}: cannot open as HDF5: ${h5Reason(err)} (truncated or corrupt file?)`);
    }
    try {
      return readTables(h5, f, path, limit);
    } catch (err) {
      if (err instanceof CosmetaError) throw err;
      throw new CosmetaError(`${path}: cannot read as SACC HDF5: ${h5Reason(err)} (truncated or corrupt file?)`);
    } finally {
      try {
        f.close();
      } catch {
        // closing a damaged file can fail too; the read error above is the one to report
      }
    }
  });
  return checkTwoPoint(tablesToTwoPoint(tables, path), path);
}

function readTables(h5: Awaited<ReturnType<typeof loadH5>>, f: H5File, path: string, limit: number): SaccTable[] {
  const version = f.get('sacc_hdf5_version');
  if (isDataset(h5, version)) {
    const v = Number((version.value as ArrayLike<number>)[0]);
    if (v > SACC_HDF5_VERSION) throw new CosmetaError(`${path}: sacc_hdf5_version ${v} is newer than the supported ${SACC_HDF5_VERSION}`);
  }
  const tables: SaccTable[] = [];
  for (const key of f.keys()) {
    if (key === 'sacc_hdf5_version') continue;
    const item = f.get(key);
    if (isDataset(h5, item)) tables.push(readTable(item, path, limit));
    else if (item instanceof h5.Group) {
      for (const sub of item.keys()) {
        const d = item.get(sub);
        if (isDataset(h5, d)) tables.push(readTable(d, path, limit));
      }
    }
  }
  if (!tables.some((t) => String(t.meta.SACCTYPE ?? '').toLowerCase() === 'data')) {
    throw new CosmetaError(`${path}: no SACC data tables (datasets with SACCTYPE=data) in this HDF5 file`);
  }
  return tables;
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
