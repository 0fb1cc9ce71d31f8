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
 *
 * The reading half, free of Node (the web page reads uploaded files with it); twopoint-fits.ts adds paths and writing.
 */

import { CosmetaError } from '../errors.js';
import type { FitsHdu, FitsTable } from './fits.js';
import type { DataPoint, NzTracer, TwoPointData } from './sacc-types.js';
import { checkTwoPoint } from './two-point-checks.js';

/** 2pt-FITS quantity pairs and SACC's data-type names; `swap` when SACC lists the tracers the other way. */
export const TYPES: readonly { q: [string, string]; type: string; fourier: boolean; swap?: boolean }[] = [
  { q: ['G+R', 'G+R'], type: 'galaxy_shear_xi_plus', fourier: false },
  { q: ['G-R', 'G-R'], type: 'galaxy_shear_xi_minus', fourier: false },
  { q: ['GPR', 'G+R'], type: 'galaxy_shearDensity_xi_t', fourier: false, swap: true },
  { q: ['GPR', 'GPR'], type: 'galaxy_density_xi', fourier: false },
  { q: ['GEF', 'GEF'], type: 'galaxy_shear_cl_ee', fourier: true },
  { q: ['GBF', 'GBF'], type: 'galaxy_shear_cl_bb', fourier: true },
  { q: ['GPF', 'GEF'], type: 'galaxy_shearDensity_cl_e', fourier: true, swap: true },
  { q: ['GPF', 'GPF'], type: 'galaxy_density_cl', fourier: true },
];
/** Conventional 2pt-FITS extension names for the data types (twopoint.py's builders). */
export const EXTNAMES: Record<string, string> = {
  galaxy_shear_xi_plus: 'xip', galaxy_shear_xi_minus: 'xim', galaxy_shearDensity_xi_t: 'gammat', galaxy_density_xi: 'wtheta',
  galaxy_shear_cl_ee: 'shear_cl', galaxy_shear_cl_bb: 'shear_cl_bb', galaxy_shearDensity_cl_e: 'galaxy_shear_cl', galaxy_density_cl: 'galaxy_cl',
};
/** Arcminutes per angular unit (FITS TUNIT spellings twopoint.py accepts). */
const ARCMIN: Record<string, number> = { arcmin: 1, deg: 60, rad: (180 * 60) / Math.PI, arcsec: 1 / 60 };

function tracerName(kernel: string, bin: number): string {
  const k = kernel.toUpperCase();
  return k === 'NZ_SOURCE' ? `src${bin - 1}` : k === 'NZ_LENS' ? `lens${bin - 1}` : `${kernel.toLowerCase()}_${bin - 1}`;
}

function nums(t: FitsTable, name: string, file: string): Float64Array {
  const c = t.columns.find((x) => x.name.toUpperCase() === name);
  if (c === undefined || !(c.values instanceof Float64Array)) throw new CosmetaError(`${file}: HDU ${t.header.get('EXTNAME')} has no numeric column ${name}`);
  return c.values;
}

function optionalNums(t: FitsTable, name: string): Float64Array | undefined {
  const c = t.columns.find((x) => x.name.toUpperCase() === name);
  return c !== undefined && c.values instanceof Float64Array ? c.values : undefined;
}

function extname(h: FitsHdu): string {
  return String(h.header.get('EXTNAME') ?? '');
}

function readKernel(t: FitsTable, file: string, quantity: string): NzTracer[] {
  const z = nums(t, 'Z_MID', file);
  const out: NzTracer[] = [];
  for (let i = 1; t.columns.some((c) => c.name.toUpperCase() === `BIN${i}`); i++) {
    out.push({ name: tracerName(extname(t), i), quantity, z: Float64Array.from(z), nz: Float64Array.from(nums(t, `BIN${i}`, file)) });
  }
  return out;
}

function readSpectrum(t: FitsTable, file: string): DataPoint[] {
  const q: [string, string] = [String(t.header.get('QUANT1') ?? ''), String(t.header.get('QUANT2') ?? '')];
  // Files list mixed pairs either way round (DES: GPR/G+R; others GEF/GPF): SACC puts shear first.
  const direct = TYPES.find((x) => x.q[0] === q[0] && x.q[1] === q[1]);
  const reversed = TYPES.find((x) => x.q[0] === q[1] && x.q[1] === q[0]);
  const known = direct ?? reversed;
  const swap = direct !== undefined ? direct.swap === true : reversed?.swap !== true && reversed !== undefined;
  const dataType = known?.type ?? `twopoint_${q[0]}_${q[1]}`;
  const windows = String(t.header.get('WINDOWS') ?? 'SAMPLE');
  if (windows !== 'SAMPLE') throw new CosmetaError(`${file}: HDU ${extname(t)} has WINDOWS = '${windows}'; only SAMPLE (values at the given angle) is supported`);
  const k1 = String(t.header.get('KERNEL_1') ?? '');
  const k2 = String(t.header.get('KERNEL_2') ?? '');
  const [b1, b2, angbin, value] = ['BIN1', 'BIN2', 'ANGBIN', 'VALUE'].map((c) => nums(t, c, file));
  const angIndex = t.columns.findIndex((c) => c.name.toUpperCase() === 'ANG');
  const ang = optionalNums(t, 'ANG');
  const unit = angIndex < 0 ? 'arcmin' : String(t.header.get(`TUNIT${angIndex + 1}`) ?? 'arcmin').trim() || 'arcmin';
  const fourier = known?.fourier ?? false;
  const scale = fourier ? 1 : ARCMIN[unit];
  if (scale === undefined) throw new CosmetaError(`${file}: HDU ${extname(t)} gives ANG in unknown unit '${unit}' (arcmin, deg, rad or arcsec)`);
  const lo = optionalNums(t, 'ANGLEMIN');
  const hi = optionalNums(t, 'ANGLEMAX');
  const npairs = optionalNums(t, 'NPAIRS');
  const points: DataPoint[] = [];
  for (let r = 0; r < t.nrows; r++) {
    const a = tracerName(k1, b1[r]);
    const b = tracerName(k2, b2[r]);
    const tags: Record<string, number> = { angbin: angbin[r] };
    const key = fourier ? 'ell' : 'theta';
    if (lo) tags[`${key}_min`] = lo[r] * scale;
    if (hi) tags[`${key}_max`] = hi[r] * scale;
    if (npairs) tags.npairs = npairs[r];
    points.push({
      dataType,
      tracers: swap ? [b, a] : [a, b],
      value: value[r],
      ...(ang ? (fourier ? { ell: ang[r] } : { theta: ang[r] * scale }) : {}),
      tags,
    });
  }
  return points;
}

/** TwoPointData from the HDUs of a 2pt-FITS file (already parsed). */
export function twoPointFromFits(hdus: readonly FitsHdu[], file: string): TwoPointData {
  const tables = hdus.filter((h): h is FitsTable => h.kind === 'bintable');
  const spectra = tables.filter((t) => t.header.get('2PTDATA') === true);
  if (spectra.length === 0) throw new CosmetaError(`${file}: no 2pt-FITS data HDUs (2PTDATA = T)`);
  const quantity = new Map<string, string>();
  for (const s of spectra) {
    for (const [k, qk] of [['KERNEL_1', 'QUANT1'], ['KERNEL_2', 'QUANT2']]) {
      const kernel = String(s.header.get(k) ?? '').toUpperCase();
      const qv = String(s.header.get(qk) ?? '');
      quantity.set(kernel, qv.startsWith('GP') ? 'galaxy_density' : qv.startsWith('G') ? 'galaxy_shear' : '');
    }
  }
  const tracers = tables
    .filter((t) => t.header.get('NZDATA') === true)
    .flatMap((t) => readKernel(t, file, quantity.get(extname(t).toUpperCase()) ?? ''))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cov = hdus.find((h) => h.header.get('COVDATA') === true || extname(h).toUpperCase() === 'COVMAT');
  const byName = new Map(spectra.map((s) => [extname(s), s]));
  let points: DataPoint[];
  let covariance = new Float64Array(0);
  if (cov === undefined || cov.kind !== 'image') {
    points = spectra.flatMap((s) => readSpectrum(s, file));
  } else {
    const n = cov.shape[0];
    if (cov.shape.length !== 2 || cov.shape[1] !== n) throw new CosmetaError(`${file}: covariance HDU ${extname(cov)} is [${cov.shape}], not square`);
    points = [];
    for (let i = 0; cov.header.has(`NAME_${i}`); i++) {
      const name = String(cov.header.get(`NAME_${i}`));
      const start = Number(cov.header.get(`STRT_${i}`));
      const s = byName.get(name);
      if (s === undefined) throw new CosmetaError(`${file}: covariance NAME_${i} = '${name}' names no 2PTDATA HDU`);
      if (start !== points.length) throw new CosmetaError(`${file}: covariance STRT_${i} = ${start} but the spectra before '${name}' hold ${points.length} points`);
      points.push(...readSpectrum(s, file));
    }
    if (points.length !== n) throw new CosmetaError(`${file}: the covariance is ${n} x ${n} but its NAME_i spectra hold ${points.length} points`);
    covariance = Float64Array.from(cov.data);
  }
  return checkTwoPoint({ tracers, points, covariance, windows: [], metadata: {} }, file);
}

