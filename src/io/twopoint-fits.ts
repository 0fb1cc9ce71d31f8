/**
 * 2pt-FITS, the DES / CosmoSIS two-point convention (joezuntz/2point, twopoint/twopoint.py):
 * - data HDUs with `2PTDATA = T`, `QUANT1`/`QUANT2` (G+R, G-R, GPR, GEF, GBF, GPF), `KERNEL_1`/`KERNEL_2`
 *   naming n(z) HDUs, `WINDOWS = 'SAMPLE'`, columns BIN1, BIN2, ANGBIN, VALUE, ANG (TUNIT: arcmin, deg,
 *   rad or arcsec; ell for Fourier spectra) and optionally ANGLEMIN, ANGLEMAX, NPAIRS;
 * - n(z) HDUs with `NZDATA = T`, columns Z_LOW, Z_MID, Z_HIGH, BIN1..BINn (one grid per HDU);
 * - the covariance as an IMAGE HDU (`COVDATA = T`, usually EXTNAME `COVMAT`) with STRT_i / NAME_i giving
 *   where each named data HDU starts in it.
 *
 * As TwoPointData: tracer `src<i>` for bin i+1 of kernel NZ_SOURCE, `lens<i>` for NZ_LENS, and
 * `<kernel in lower case>_<i>` otherwise (the names DES's SACC conversion uses); data types in SACC's
 * names; theta in arcmin (Z_MID is the n(z) grid); points in covariance order.
 */

import { readFileSync } from 'node:fs';
import { CosmetaError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readFits, writeFits, type FitsColumn, type FitsImageSpec, type FitsTableSpec, type FitsValue } from './fits.js';
import type { DataPoint, NzTracer, TwoPointData } from './sacc-types.js';
import { EXTNAMES, TYPES, twoPointFromFits } from './twopoint-fits-read.js';
import { checkTwoPoint } from './two-point-checks.js';

export { twoPointFromFits } from './twopoint-fits-read.js';

/** Read a 2pt-FITS file (.fits or .fits.gz) into `TwoPointData`, checked. */
export function readTwoPointFits(path: string): TwoPointData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CosmetaError(`${path}: no such file or not readable`);
  }
  return twoPointFromFits(readFits(bytes, path), path);
}

function kernelOf(tracer: string): { kernel: string; index: number } {
  const m = /^(.*?)_?(\d+)$/.exec(tracer);
  if (m === null) throw new CosmetaError(`2pt-FITS needs tracer names ending in a bin number (src0, lens1, ...), got "${tracer}"`);
  const prefix = m[1];
  const kernel = prefix === 'src' ? 'NZ_SOURCE' : prefix === 'lens' ? 'NZ_LENS' : prefix.toUpperCase();
  return { kernel, index: Number(m[2]) };
}

function zEdges(z: Float64Array): [Float64Array, Float64Array] {
  const n = z.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lo[i] = i > 0 ? (z[i - 1] + z[i]) / 2 : Math.max(0, z[0] - (n > 1 ? (z[1] - z[0]) / 2 : 0));
    hi[i] = i < n - 1 ? (z[i] + z[i + 1]) / 2 : z[i] + (n > 1 ? (z[i] - z[i - 1]) / 2 : 0);
  }
  return [lo, hi];
}

const f64 = (name: string, values: ArrayLike<number>, unit?: string): FitsColumn & { unit?: string } => ({ name, type: 'D', repeat: 1, values: Float64Array.from(values), ...(unit ? { unit } : {}) });
const i64 = (name: string, values: ArrayLike<number>): FitsColumn => ({ name, type: 'K', repeat: 1, values: Float64Array.from(values) });

/**
 * The bytes of `data` as 2pt-FITS: COVMAT, one data HDU per data type (its points must be contiguous in
 * covariance order), one n(z) HDU per kernel (its tracers must share a z grid). Theta is written in arcmin.
 */
export function twoPointFitsBytes(data: TwoPointData): Uint8Array {
  const kernels = new Map<string, NzTracer[]>();
  for (const t of data.tracers) {
    const { kernel, index } = kernelOf(t.name);
    const list = kernels.get(kernel) ?? [];
    list[index] = t;
    kernels.set(kernel, list);
  }
  const binOf = new Map<string, { kernel: string; bin: number }>();
  const nzHdus: FitsTableSpec[] = [];
  for (const [kernel, list] of kernels) {
    if (list.some((t) => t === undefined)) throw new CosmetaError(`2pt-FITS: kernel ${kernel} has missing bin numbers (tracers must be numbered 0..n-1)`);
    const z = list[0].z;
    for (const t of list) {
      if (t.z.length !== z.length || t.z.some((v, i) => v !== z[i])) throw new CosmetaError(`2pt-FITS: tracers of kernel ${kernel} must share one z grid (${t.name} differs from ${list[0].name})`);
    }
    list.forEach((t, i) => binOf.set(t.name, { kernel, bin: i + 1 }));
    const [lo, hi] = zEdges(z);
    nzHdus.push({
      kind: 'bintable',
      keys: [['NZDATA', true], ['EXTNAME', kernel]],
      nrows: z.length,
      columns: [f64('Z_LOW', lo), f64('Z_MID', z), f64('Z_HIGH', hi), ...list.map((t, i) => f64(`BIN${i + 1}`, t.nz))],
    });
  }
  const spectra: FitsTableSpec[] = [];
  const covKeys: [string, FitsValue][] = [['COVDATA', true], ['EXTNAME', 'COVMAT']];
  const seen = new Set<string>();
  for (let i = 0; i < data.points.length; ) {
    const type = data.points[i].dataType;
    if (seen.has(type)) throw new CosmetaError(`2pt-FITS: the points of ${type} are not contiguous in covariance order`);
    seen.add(type);
    let j = i;
    while (j < data.points.length && data.points[j].dataType === type) j++;
    const pts = data.points.slice(i, j);
    const spec = TYPES.find((x) => x.type === type);
    if (spec === undefined) throw new CosmetaError(`2pt-FITS: data type ${type} has no 2pt-FITS quantity`);
    const pair = (p: DataPoint) => (spec.swap ? [p.tracers[1], p.tracers[0]] : [p.tracers[0], p.tracers[1]]).map((t) => {
      const b = binOf.get(t);
      if (b === undefined) throw new CosmetaError(`2pt-FITS: data point tracer "${t}" has no n(z)`);
      return b;
    });
    const pairs = pts.map(pair);
    if (pairs.some((p) => p[0].kernel !== pairs[0][0].kernel || p[1].kernel !== pairs[0][1].kernel)) {
      throw new CosmetaError(`2pt-FITS: the ${type} points mix tracers of different kernels`);
    }
    const counts = new Map<string, number>();
    const angbin = pts.map((p, k) => {
      if (typeof p.tags.angbin === 'number') return p.tags.angbin;
      const key = `${pairs[k][0].bin},${pairs[k][1].bin}`;
      const c = counts.get(key) ?? 0;
      counts.set(key, c + 1);
      return c;
    });
    const ang = pts.map((p) => (spec.fourier ? p.ell : p.theta));
    if (ang.some((a) => a === undefined)) throw new CosmetaError(`2pt-FITS: every ${type} point needs ${spec.fourier ? 'ell' : 'theta'}`);
    const key = spec.fourier ? 'ell' : 'theta';
    const cols: (FitsColumn & { unit?: string })[] = [
      i64('BIN1', pairs.map((p) => p[0].bin)), i64('BIN2', pairs.map((p) => p[1].bin)), i64('ANGBIN', angbin),
      f64('VALUE', pts.map((p) => p.value)), f64('ANG', ang as number[], spec.fourier ? undefined : 'arcmin'),
    ];
    for (const [tag, col] of [[`${key}_min`, 'ANGLEMIN'], [`${key}_max`, 'ANGLEMAX']]) {
      if (pts.every((p) => typeof p.tags[tag] === 'number')) cols.push(f64(col, pts.map((p) => p.tags[tag] as number), spec.fourier ? undefined : 'arcmin'));
    }
    const name = EXTNAMES[type];
    const units: [string, FitsValue][] = cols.flatMap((c, k) => (c.unit ? [[`TUNIT${k + 1}`, c.unit] as [string, FitsValue]] : []));
    spectra.push({
      kind: 'bintable',
      keys: [...units, ['2PTDATA', true], ['EXTNAME', name], ['QUANT1', spec.q[0]], ['QUANT2', spec.q[1]],
        ['KERNEL_1', pairs[0][0].kernel], ['KERNEL_2', pairs[0][1].kernel], ['WINDOWS', 'SAMPLE'],
        ['N_ZBIN_1', new Set(pairs.map((p) => p[0].bin)).size], ['N_ZBIN_2', new Set(pairs.map((p) => p[1].bin)).size],
        ['N_ANG', new Set(angbin).size]],
      nrows: pts.length,
      columns: cols,
    });
    covKeys.push([`STRT_${spectra.length - 1}`, i], [`NAME_${spectra.length - 1}`, name]);
    i = j;
  }
  const n = data.points.length;
  const extensions: (FitsTableSpec | FitsImageSpec)[] = [];
  if (data.covariance.length > 0) extensions.push({ kind: 'image', keys: covKeys, shape: [n, n], data: data.covariance });
  extensions.push(...spectra, ...nzHdus);
  return writeFits({ kind: 'image', keys: [], shape: [], data: new Float64Array(0) }, extensions);
}

/** Write `data` as a 2pt-FITS file, atomically. */
export function writeTwoPointFits(data: TwoPointData, path: string): void {
  checkTwoPoint(data, `${path} (to write)`);
  writeFileAtomic(path, twoPointFitsBytes(data));
}
