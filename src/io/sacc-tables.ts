/**
 * SACC 2's file model, independent of the container: a SACC file is a list of tables (astropy tables
 * in Python), each with header keys (`SACCTYPE`, `SACCCLSS`, `SACCNAME`, ...) and typed columns. HDF5
 * stores each table as a compound dataset with the keys as attributes; FITS stores it as a BINTABLE
 * with the keys as header cards. This module turns such tables into `TwoPointData` and back, in the
 * layout sacc 2.x writes (sacc/io.py `to_tables`, sacc/data_types.py `DataPoint.to_table`,
 * sacc/tracers/nz.py, sacc/covariance.py, sacc/windows.py), so both containers share one reading of
 * the content.
 */

import { CosmetaError } from '../errors.js';
import type { BandpowerWindow, DataPoint, NzTracer, TwoPointData } from './sacc-types.js';

export type MetaValue = string | number | boolean;

/** One column: `width` values per row, row-major; integer columns hold exact integers as numbers. */
export interface TableColumn {
  readonly name: string;
  readonly kind: 'float' | 'int' | 'string' | 'bool';
  readonly width: number;
  readonly values: Float64Array | readonly string[] | readonly boolean[];
}

export interface SaccTable {
  readonly meta: Readonly<Record<string, MetaValue>>;
  readonly columns: readonly TableColumn[];
  readonly nrows: number;
}

/** sacc's markers for a tag a data point does not have (sacc/utils.py `null_values`). */
const NULL_FLOAT = -1.4375304375e30;
const NULL_INT = Number(-1437530437530211245n);
/** Tags written as int64 columns when all their values are integers (the others are float64). */
const INTEGER_TAGS = new Set(['window', 'window_ind', 'bin', 'angbin', 'bin1', 'bin2']);

export function column(table: SaccTable, name: string): TableColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

function numbers(table: SaccTable, name: string, file: string, what: string): Float64Array {
  const c = column(table, name);
  if (c === undefined || !(c.values instanceof Float64Array)) throw new CosmetaError(`${file}: ${what} has no numeric column "${name}"`);
  return c.values;
}

function metaString(table: SaccTable, key: string): string {
  const v = table.meta[key];
  return v === undefined ? '' : String(v);
}

function metaInt(table: SaccTable, key: string, file: string, what: string): number {
  const v = Number(table.meta[key]);
  if (!Number.isSafeInteger(v) || v < 0) throw new CosmetaError(`${file}: ${what} has no valid ${key} (got ${table.meta[key]})`);
  return v;
}

/** Rows of a width-w column as a dense row-major matrix. */
function rowsOf(table: SaccTable, name: string, file: string, what: string): { n: number; w: number; v: Float64Array } {
  const c = column(table, name);
  if (c === undefined || !(c.values instanceof Float64Array)) throw new CosmetaError(`${file}: ${what} has no numeric column "${name}"`);
  return { n: table.nrows, w: c.width, v: c.values };
}

function readCovariance(tables: SaccTable[], file: string): Float64Array | null {
  if (tables.length === 0) return null;
  const cls = metaString(tables[0], 'SACCCLSS').toLowerCase();
  const size = metaInt(tables[0], 'SIZE', file, 'the covariance');
  if (size > 1e5) throw new CosmetaError(`${file}: covariance SIZE ${size} exceeds the supported 100000`);
  const out = new Float64Array(size * size);
  if (cls === 'full') {
    const t = tables[0];
    if (column(t, 'row') !== undefined) {
      const { n, w, v } = rowsOf(t, 'row', file, 'the covariance');
      if (n !== size || w !== size) throw new CosmetaError(`${file}: covariance SIZE is ${size} but its table is ${n} x ${w}`);
      out.set(v);
    } else {
      for (let j = 0; j < size; j++) {
        const col = numbers(t, `col_${j}`, file, 'the covariance');
        if (col.length !== size) throw new CosmetaError(`${file}: covariance column col_${j} has ${col.length} rows, SIZE is ${size}`);
        for (let i = 0; i < size; i++) out[j * size + i] = col[i];
      }
    }
  } else if (cls === 'diagonal') {
    const d = numbers(tables[0], 'variance', file, 'the covariance');
    if (d.length !== size) throw new CosmetaError(`${file}: diagonal covariance has ${d.length} variances, SIZE is ${size}`);
    for (let i = 0; i < size; i++) out[i * size + i] = d[i];
  } else if (cls === 'block') {
    const count = metaInt(tables[0], 'SACCBCNT', file, 'the block covariance');
    const byIndex = new Map<number, SaccTable>();
    for (const t of tables) {
      const part = metaString(t, 'SACCPART') || metaString(t, 'EXTNAME').split(':').pop() || '';
      const idx = t.meta.SACCBIDX !== undefined ? Number(t.meta.SACCBIDX) : Number(part.replace('block_', ''));
      byIndex.set(idx, t);
    }
    let start = 0;
    for (let b = 0; b < count; b++) {
      const t = byIndex.get(b);
      if (t === undefined) throw new CosmetaError(`${file}: block covariance lacks block ${b} of ${count}`);
      const bs = metaInt(t, 'SACCBSZE', file, `covariance block ${b}`);
      if (start + bs > size) throw new CosmetaError(`${file}: covariance blocks exceed SIZE ${size}`);
      const { n, w, v } = rowsOf(t, 'block_row', file, `covariance block ${b}`);
      if (n !== bs || w !== bs) throw new CosmetaError(`${file}: covariance block ${b} is ${n} x ${w}, SACCBSZE is ${bs}`);
      for (let i = 0; i < bs; i++) for (let j = 0; j < bs; j++) out[(start + i) * size + start + j] = v[i * bs + j];
      start += bs;
    }
    if (start !== size) throw new CosmetaError(`${file}: covariance blocks cover ${start} of SIZE ${size}`);
  } else {
    throw new CosmetaError(`${file}: covariance class "${cls}" is not one of full, block, diagonal`);
  }
  return out;
}

function readTracer(t: SaccTable, file: string): NzTracer {
  const name = metaString(t, 'SACCNAME');
  const z = numbers(t, 'z', file, `tracer ${name}`);
  const nz = numbers(t, 'nz', file, `tracer ${name}`);
  return { name, quantity: metaString(t, 'SACCQTTY'), z: Float64Array.from(z), nz: Float64Array.from(nz) };
}

function readWindow(t: SaccTable, file: string): BandpowerWindow {
  const ell = numbers(t, 'values', file, 'a bandpower window');
  const { w, v } = rowsOf(t, 'weight', file, 'a bandpower window');
  const weight: Float64Array[] = [];
  for (let b = 0; b < w; b++) {
    const row = new Float64Array(ell.length);
    for (let i = 0; i < ell.length; i++) row[i] = v[i * w + b];
    weight.push(row);
  }
  return { ell: Float64Array.from(ell), weight };
}

interface RawPoint {
  point: DataPoint;
  order: number | undefined;
}

function readDataTable(t: SaccTable, file: string, windowIndex: Map<string, number>): RawPoint[] {
  const dataType = metaString(t, 'SACCNAME');
  const nt = metaInt(t, 'NTRACER', file, `data table ${dataType}`);
  const tracerCols: (readonly string[])[] = [];
  for (let i = 0; i < nt; i++) {
    const c = column(t, `tracer_${i}`);
    if (c === undefined || c.kind !== 'string') throw new CosmetaError(`${file}: data table ${dataType} has no string column tracer_${i}`);
    tracerCols.push(c.values as readonly string[]);
  }
  const value = numbers(t, 'value', file, `data table ${dataType}`);
  const tagCols = t.columns.filter((c) => c.name !== 'value' && !/^tracer_\d+$/.test(c.name));
  const out: RawPoint[] = [];
  for (let r = 0; r < t.nrows; r++) {
    const tags: Record<string, number | string> = {};
    for (const c of tagCols) {
      const v = c.values[r];
      if (c.kind === 'float' && v === NULL_FLOAT) continue;
      if (c.kind === 'int' && v === NULL_INT) continue;
      if (c.kind === 'string' && v === '') continue;
      tags[c.name] = typeof v === 'boolean' ? Number(v) : v;
    }
    const { theta, ell, window, window_ind: band, sacc_ordering: order, ...rest } = tags;
    let win: DataPoint['window'];
    if (window !== undefined) {
      const index = windowIndex.get(String(window));
      if (index === undefined) rest.window = window;
      else win = { index, band: Number(band ?? 0) };
    }
    const tr = tracerCols.map((c) => c[r]);
    const point: DataPoint = {
      dataType,
      tracers: [tr[0] ?? '', tr[1] ?? ''],
      value: value[r],
      ...(theta !== undefined ? { theta: Number(theta) } : {}),
      ...(ell !== undefined ? { ell: Number(ell) } : {}),
      ...(win !== undefined ? { window: win } : {}),
      tags: rest,
    };
    out.push({ point, order: order === undefined ? undefined : Number(order) });
  }
  return out;
}

/** Points in covariance order: by `sacc_ordering` when every point has it, else in file order (sacc < 1). */
function orderPoints(raw: RawPoint[], file: string): DataPoint[] {
  const have = raw.filter((p) => p.order !== undefined).length;
  if (have === 0) return raw.map((p) => p.point);
  if (have !== raw.length) throw new CosmetaError(`${file}: ${have} of ${raw.length} data points have sacc_ordering (all or none must)`);
  const out: DataPoint[] = new Array(raw.length);
  for (const p of raw) {
    const i = p.order as number;
    if (!Number.isInteger(i) || i < 0 || i >= raw.length || out[i] !== undefined) {
      throw new CosmetaError(`${file}: sacc_ordering ${i} is not a permutation of 0..${raw.length - 1}`);
    }
    out[i] = p.point;
  }
  return out;
}

/** The content of a SACC file's tables; `legacyCovariance` is the dense matrix of an old image HDU. */
export function tablesToTwoPoint(tables: readonly SaccTable[], file: string, legacyCovariance: Float64Array | null = null): TwoPointData {
  const tracers: NzTracer[] = [];
  const windowTables: SaccTable[] = [];
  const dataTables: SaccTable[] = [];
  const covTables: SaccTable[] = [];
  const metadata: Record<string, MetaValue> = {};
  for (const t of tables) {
    const type = metaString(t, 'SACCTYPE').toLowerCase();
    const cls = metaString(t, 'SACCCLSS').toLowerCase();
    if (type === 'tracer' && cls === 'nz') tracers.push(readTracer(t, file));
    else if (type === 'window' && cls === 'bandpower') windowTables.push(t);
    else if (type === 'data') dataTables.push(t);
    else if (type === 'covariance') covTables.push(t);
    else if (type === 'metadata') {
      for (const c of t.columns) if (t.nrows > 0) metadata[c.name] = c.values[0];
    }
  }
  // Tracers in name order and windows in numeric order, whatever order the container lists them in
  // (HDF5 lists group members by name, FITS by HDU position), so every container gives the same content.
  tracers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  windowTables.sort((a, b) => Number(a.meta.SACCNAME) - Number(b.meta.SACCNAME) || (metaString(a, 'SACCNAME') < metaString(b, 'SACCNAME') ? -1 : 1));
  const windows = windowTables.map((t) => readWindow(t, file));
  const windowIndex = new Map(windowTables.map((t, i) => [metaString(t, 'SACCNAME'), i]));
  const points = orderPoints(dataTables.flatMap((t) => readDataTable(t, file, windowIndex)), file);
  if (covTables.length > 0 && legacyCovariance !== null) throw new CosmetaError(`${file}: both a covariance table and a legacy covariance HDU`);
  const covariance = legacyCovariance ?? readCovariance(covTables, file) ?? new Float64Array(0);
  return { tracers, points, covariance, windows, metadata };
}

function float(name: string, values: ArrayLike<number>, width = 1): TableColumn {
  return { name, kind: 'float', width, values: Float64Array.from(values) };
}

function dataTable(dataType: string, pts: { p: DataPoint; i: number }[], windowIds: readonly number[]): SaccTable {
  const columns: TableColumn[] = [];
  for (const k of [0, 1]) columns.push({ name: `tracer_${k}`, kind: 'string', width: 1, values: pts.map(({ p }) => p.tracers[k]) });
  columns.push(float('value', pts.map(({ p }) => p.value)));
  const tagNames: string[] = [];
  if (pts.some(({ p }) => p.theta !== undefined)) tagNames.push('theta');
  if (pts.some(({ p }) => p.ell !== undefined)) tagNames.push('ell');
  for (const { p } of pts) for (const k of Object.keys(p.tags)) if (!tagNames.includes(k)) tagNames.push(k);
  const tagOf = (p: DataPoint, k: string): number | string | undefined => (k === 'theta' ? p.theta : k === 'ell' ? p.ell : p.tags[k]);
  for (const k of tagNames) {
    const vals = pts.map(({ p }) => tagOf(p, k));
    if (vals.some((v) => typeof v === 'string')) {
      columns.push({ name: k, kind: 'string', width: 1, values: vals.map((v) => (v === undefined ? '' : String(v))) });
    } else {
      const isInt = INTEGER_TAGS.has(k) && vals.every((v) => v === undefined || Number.isSafeInteger(v));
      const nul = isInt ? NULL_INT : NULL_FLOAT;
      columns.push({ name: k, kind: isInt ? 'int' : 'float', width: 1, values: Float64Array.from(vals, (v) => (v === undefined ? nul : Number(v))) });
    }
  }
  if (pts.some(({ p }) => p.window !== undefined)) {
    columns.push({ name: 'window', kind: 'int', width: 1, values: Float64Array.from(pts, ({ p }) => (p.window ? windowIds[p.window.index] : NULL_INT)) });
    columns.push({ name: 'window_ind', kind: 'int', width: 1, values: Float64Array.from(pts, ({ p }) => (p.window ? p.window.band : NULL_INT)) });
  }
  columns.push({ name: 'sacc_ordering', kind: 'int', width: 1, values: Float64Array.from(pts, ({ i }) => i) });
  return { meta: { NTRACER: 2, SACCTYPE: 'data', SACCNAME: dataType }, columns, nrows: pts.length };
}

/**
 * The tables sacc 2.x writes for this content, in its order: tracers, windows, covariance, data (one
 * table per data type, first-seen order), metadata. `EXTNAME` is `type:class:name` except on data tables.
 */
export function twoPointToTables(data: TwoPointData): SaccTable[] {
  const tables: SaccTable[] = [];
  for (const t of [...data.tracers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    tables.push({
      meta: { SACCQTTY: t.quantity || 'generic', SACCNAME: t.name, SACCTYPE: 'tracer', SACCCLSS: 'NZ', EXTNAME: `tracer:NZ:${t.name}` },
      columns: [float('z', t.z), float('nz', t.nz)],
      nrows: t.z.length,
    });
  }
  // sacc names a window by a number (its Python id); we number them 0, 1, ...
  const windowIds = data.windows.map((_, i) => i);
  data.windows.forEach((w, i) => {
    const nv = w.weight.length;
    const weight = new Float64Array(w.ell.length * nv);
    for (let b = 0; b < nv; b++) for (let k = 0; k < w.ell.length; k++) weight[k * nv + b] = w.weight[b][k];
    tables.push({
      // SACCNAME a number, as the data's `window` column holds it: sacc looks windows up by that value.
      meta: { SACCTYPE: 'window', SACCCLSS: 'Bandpower', SACCNAME: windowIds[i], EXTNAME: `window:Bandpower:${windowIds[i]}` },
      columns: [float('values', w.ell), float('weight', weight, nv)],
      nrows: w.ell.length,
    });
  });
  // The covariance's own size (checked writers have made sure it is the number of points).
  const n = Math.round(Math.sqrt(data.covariance.length));
  if (data.covariance.length > 0) {
    tables.push({
      meta: { SIZE: n, SACCTYPE: 'covariance', SACCCLSS: 'full', SACCNAME: 'cov', EXTNAME: 'covariance:full:cov' },
      columns: [float('row', data.covariance, n)],
      nrows: n,
    });
  }
  const byType = new Map<string, { p: DataPoint; i: number }[]>();
  data.points.forEach((p, i) => {
    const list = byType.get(p.dataType) ?? [];
    list.push({ p, i });
    byType.set(p.dataType, list);
  });
  for (const [dt, pts] of byType) tables.push(dataTable(dt, pts, windowIds));
  const metaCols: TableColumn[] = Object.entries(data.metadata).map(([k, v]) =>
    typeof v === 'string'
      ? { name: k, kind: 'string', width: 1, values: [v] }
      : typeof v === 'boolean'
        ? { name: k, kind: 'bool', width: 1, values: [v] }
        : { name: k, kind: Number.isSafeInteger(v) ? 'int' : 'float', width: 1, values: Float64Array.of(v) },
  );
  tables.push({ meta: { SACCTYPE: 'metadata', SACCCLSS: 'metadata', SACCNAME: 'metadata', EXTNAME: 'metadata:metadata:metadata' }, columns: metaCols, nrows: metaCols.length > 0 ? 1 : 0 });
  return tables;
}
