/**
 * A small FITS reader and writer (FITS Standard 4.0, Pence et al. 2010, A&A 524, A42): primary and IMAGE
 * HDUs (BITPIX 8/16/32/64/-32/-64, BSCALE/BZERO) and BINTABLE HDUs (TFORM L, B, I, J, K, E, D, A with
 * repeat counts, TDIM, TSCAL/TZERO), in 2880-byte blocks of 80-character header cards, big-endian data.
 * Gzip-compressed files (.fits.gz) are read and written through fflate.
 *
 * No npm FITS package reads tables in Node (measured: the ones published target browsers or images
 * only), hence this module. Every size a header claims is checked against the bytes that remain before
 * anything is allocated, so a truncated file or a header claiming 10^12 rows is refused with one line.
 */

import { gunzipSync, gzipSync } from 'fflate';
import { CosmetaError } from '../errors.js';

export type FitsValue = string | number | boolean;
/** Header keywords in file order (COMMENT, HISTORY and blank cards are dropped). */
export type FitsHeader = Map<string, FitsValue>;

/** TFORM data types this module reads and writes. */
export type FitsType = 'L' | 'B' | 'I' | 'J' | 'K' | 'E' | 'D' | 'A';

export interface FitsColumn {
  readonly name: string;
  readonly type: FitsType;
  /** Values per row (characters per row for 'A'). */
  readonly repeat: number;
  /** TDIM, fastest-varying first, when the file gives one. */
  readonly dim?: readonly number[];
  /** Numbers: nrows x repeat row-major; 'A': one string per row; 'L': nrows x repeat booleans. */
  readonly values: Float64Array | readonly string[] | readonly boolean[];
}

export interface FitsTable {
  readonly kind: 'bintable';
  readonly header: FitsHeader;
  readonly nrows: number;
  readonly columns: readonly FitsColumn[];
}

export interface FitsImage {
  readonly kind: 'image';
  readonly header: FitsHeader;
  /** NAXIS1, NAXIS2, ... (NAXIS1 varies fastest); [] for a primary HDU without data. */
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export type FitsHdu = FitsTable | FitsImage;

const BLOCK = 2880;
const CARD = 80;
const TYPE_BYTES: Record<FitsType, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1 };

function parseValue(text: string): FitsValue | undefined {
  const t = text.trimStart();
  if (t.startsWith("'")) {
    let s = '';
    for (let i = 1; i < t.length; i++) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") {
          s += "'";
          i++;
        } else break;
      } else s += t[i];
    }
    return s.replace(/ +$/, '');
  }
  const v = t.split('/')[0].trim();
  if (v === 'T') return true;
  if (v === 'F') return false;
  if (v === '') return undefined;
  const n = Number(v.replace(/[dD]/, 'E'));
  return Number.isNaN(n) ? v : n;
}

/** Parse one header starting at `offset`; returns the header and the offset of the data. */
function readHeader(bytes: Uint8Array, offset: number, file: string): { header: FitsHeader; dataStart: number } {
  const header: FitsHeader = new Map();
  let pos = offset;
  let pendingKey: string | null = null;
  for (;;) {
    if (pos + CARD > bytes.length) throw new CosmetaError(`${file}: FITS header at byte ${offset} has no END card (truncated file?)`);
    const card = String.fromCharCode(...bytes.subarray(pos, pos + CARD));
    pos += CARD;
    const key = card.slice(0, 8).trim();
    if (key === 'END') break;
    if (key === 'CONTINUE' && pendingKey !== null) {
      const more = parseValue(card.slice(8));
      const prev = String(header.get(pendingKey));
      header.set(pendingKey, prev.slice(0, -1) + String(more ?? ''));
      if (!String(more).endsWith('&')) pendingKey = null;
      continue;
    }
    pendingKey = null;
    if (key === 'HIERARCH') {
      const eq = card.indexOf('=');
      if (eq < 0) continue;
      const v = parseValue(card.slice(eq + 1));
      if (v !== undefined) header.set(card.slice(9, eq).trim(), v);
      continue;
    }
    if (key === '' || key === 'COMMENT' || key === 'HISTORY' || card.slice(8, 10) !== '= ') continue;
    const v = parseValue(card.slice(10));
    if (v === undefined) continue;
    header.set(key, v);
    if (typeof v === 'string' && v.endsWith('&')) pendingKey = key;
  }
  return { header, dataStart: Math.ceil(pos / BLOCK) * BLOCK };
}

function intKey(h: FitsHeader, key: string, file: string, fallback?: number): number {
  const v = h.get(key) ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CosmetaError(`${file}: FITS keyword ${key} = ${v} is not a non-negative integer`);
  return v;
}

function readImage(bytes: Uint8Array, header: FitsHeader, start: number, file: string): FitsImage {
  const bitpix = header.get('BITPIX');
  const naxis = intKey(header, 'NAXIS', file);
  const shape: number[] = [];
  for (let i = 1; i <= naxis; i++) shape.push(intKey(header, `NAXIS${i}`, file));
  const n = naxis === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  const size = Math.abs(Number(bitpix)) / 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, n * size);
  const scale = Number(header.get('BSCALE') ?? 1);
  const zero = Number(header.get('BZERO') ?? 0);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    let v: number;
    if (bitpix === -64) v = view.getFloat64(at, false);
    else if (bitpix === -32) v = view.getFloat32(at, false);
    else if (bitpix === 8) v = view.getUint8(at);
    else if (bitpix === 16) v = view.getInt16(at, false);
    else if (bitpix === 32) v = view.getInt32(at, false);
    else v = Number(view.getBigInt64(at, false));
    data[i] = v * scale + zero;
  }
  return { kind: 'image', header, shape, data };
}

function parseTform(tform: string, file: string, i: number): { type: FitsType; repeat: number } {
  const m = /^\s*(\d*)([A-Z])/.exec(tform);
  if (m === null || !(m[2] in TYPE_BYTES)) throw new CosmetaError(`${file}: TFORM${i} = '${tform}' is not a supported binary-table format (L, B, I, J, K, E, D, A)`);
  return { type: m[2] as FitsType, repeat: m[1] === '' ? 1 : Number(m[1]) };
}

function readTable(bytes: Uint8Array, header: FitsHeader, start: number, file: string): FitsTable {
  const rowBytes = intKey(header, 'NAXIS1', file);
  const nrows = intKey(header, 'NAXIS2', file);
  const nfields = intKey(header, 'TFIELDS', file, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, rowBytes * nrows);
  const columns: FitsColumn[] = [];
  let offset = 0;
  for (let c = 1; c <= nfields; c++) {
    const { type, repeat } = parseTform(String(header.get(`TFORM${c}`) ?? ''), file, c);
    const name = String(header.get(`TTYPE${c}`) ?? `col${c}`);
    const width = repeat * TYPE_BYTES[type];
    if (offset + width > rowBytes) throw new CosmetaError(`${file}: column ${name} ends at byte ${offset + width} of a ${rowBytes}-byte row`);
    const tdim = header.get(`TDIM${c}`);
    const dim = typeof tdim === 'string' ? tdim.replace(/[()\s]/g, '').split(',').map(Number) : undefined;
    let values: FitsColumn['values'];
    if (type === 'A') {
      const out: string[] = [];
      for (let r = 0; r < nrows; r++) {
        const at = start + r * rowBytes + offset;
        out.push(String.fromCharCode(...bytes.subarray(at, at + repeat)).replace(/[\0 ]+$/, ''));
      }
      values = out;
    } else if (type === 'L') {
      const out: boolean[] = [];
      for (let r = 0; r < nrows; r++) for (let k = 0; k < repeat; k++) out.push(view.getUint8(r * rowBytes + offset + k) === 0x54);
      values = out;
    } else {
      const scale = Number(header.get(`TSCAL${c}`) ?? 1);
      const zero = Number(header.get(`TZERO${c}`) ?? 0);
      const out = new Float64Array(nrows * repeat);
      const size = TYPE_BYTES[type];
      for (let r = 0; r < nrows; r++) {
        for (let k = 0; k < repeat; k++) {
          const at = r * rowBytes + offset + k * size;
          let v: number;
          if (type === 'D') v = view.getFloat64(at, false);
          else if (type === 'E') v = view.getFloat32(at, false);
          else if (type === 'K') v = Number(view.getBigInt64(at, false));
          else if (type === 'J') v = view.getInt32(at, false);
          else if (type === 'I') v = view.getInt16(at, false);
          else v = view.getUint8(at);
          out[r * repeat + k] = scale === 1 && zero === 0 ? v : v * scale + zero;
        }
      }
      values = out;
    }
    columns.push({ name, type, repeat, ...(dim ? { dim } : {}), values });
    offset += width;
  }
  return { kind: 'bintable', header, nrows, columns };
}

/** Every HDU of a FITS file's bytes (gzip-compressed or not). `file` names the file in errors. */
export function readFits(input: Uint8Array, file: string): FitsHdu[] {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new CosmetaError(`${file}: corrupt gzip stream (${(err as Error).message})`);
    }
  }
  if (String.fromCharCode(...bytes.subarray(0, 9)) !== 'SIMPLE  =') throw new CosmetaError(`${file}: not a FITS file (it must start with a SIMPLE card)`);
  if (bytes.length < BLOCK) throw new CosmetaError(`${file}: ${bytes.length} bytes, less than one 2880-byte FITS block (truncated file)`);
  const hdus: FitsHdu[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // Trailing blocks of zeros or spaces after the last HDU are allowed padding.
    if (hdus.length > 0 && (bytes[offset] === 0 || bytes[offset] === 0x20) && bytes.subarray(offset).every((b) => b === 0 || b === 0x20)) break;
    const { header, dataStart } = readHeader(bytes, offset, file);
    if (dataStart > bytes.length) throw new CosmetaError(`${file}: HDU ${hdus.length} header block is cut short at byte ${bytes.length} (truncated file)`);
    const naxis = intKey(header, 'NAXIS', file);
    const bitpix = Math.abs(Number(header.get('BITPIX')));
    if (![8, 16, 32, 64].includes(bitpix)) throw new CosmetaError(`${file}: BITPIX = ${header.get('BITPIX')} is not a FITS BITPIX`);
    let elements = naxis === 0 ? 0 : 1;
    for (let i = 1; i <= naxis; i++) elements *= intKey(header, `NAXIS${i}`, file);
    const pcount = intKey(header, 'PCOUNT', file, 0);
    const gcount = intKey(header, 'GCOUNT', file, 1);
    const dataBytes = (bitpix / 8) * gcount * (pcount + elements);
    const remaining = bytes.length - dataStart;
    if (!(dataBytes <= remaining)) {
      const what = naxis === 0 ? 'data' : Array.from({ length: naxis }, (_, i) => `NAXIS${i + 1}=${header.get(`NAXIS${i + 1}`)}`).join(' ');
      throw new CosmetaError(`${file}: HDU ${hdus.length} header (${what}) claims ${dataBytes} bytes of data but only ${Math.max(remaining, 0)} remain (truncated or corrupt file)`);
    }
    const xt = hdus.length === 0 ? 'PRIMARY' : String(header.get('XTENSION') ?? '').trim();
    if (xt === 'BINTABLE') hdus.push(readTable(bytes, header, dataStart, file));
    else if (xt === 'PRIMARY' || xt === 'IMAGE') hdus.push(readImage(bytes, header, dataStart, file));
    else hdus.push({ kind: 'image', header, shape: [], data: new Float64Array(0) }); // e.g. ASCII TABLE: skipped
    offset = dataStart + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return hdus;
}

// ----------------------------------------------------------------------------------------------- writing

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const s = String(v).toUpperCase();
  return s.includes('.') || s.includes('E') ? s : `${s}.0`;
}

/** One 80-character card (fixed format: strings from column 11, numbers right-justified to column 30). */
export function card(key: string, value: FitsValue): string {
  if (key.length > 8) throw new CosmetaError(`FITS keyword "${key}" is longer than 8 characters`);
  let v: string;
  if (typeof value === 'string') {
    const quoted = `'${value.replace(/'/g, "''").padEnd(8)}'`;
    if (quoted.length > 70) throw new CosmetaError(`FITS keyword ${key}: string value longer than 68 characters`);
    v = quoted;
  } else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else if (!Number.isFinite(value)) throw new CosmetaError(`FITS keyword ${key}: ${value} is not a finite number`);
  else v = formatNumber(value).padStart(20);
  return `${key.padEnd(8)}= ${v}`.padEnd(CARD);
}

function headerBytes(cards: [string, FitsValue][]): Uint8Array {
  const text = cards.map(([k, v]) => card(k, v)).join('') + 'END'.padEnd(CARD);
  const out = new Uint8Array(Math.ceil(text.length / BLOCK) * BLOCK).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

export interface FitsTableSpec {
  readonly kind: 'bintable';
  /** Keywords after the table structure keywords, in order (e.g. EXTNAME, SACCTYPE). */
  readonly keys: readonly (readonly [string, FitsValue])[];
  readonly nrows: number;
  /** Columns; for 'A' columns `repeat` is the field width (strings longer than it are refused). */
  readonly columns: readonly FitsColumn[];
}

export interface FitsImageSpec {
  readonly kind: 'image';
  readonly keys: readonly (readonly [string, FitsValue])[];
  readonly shape: readonly number[];
  /** Written as BITPIX = -64. */
  readonly data: Float64Array;
}

function tableBytes(t: FitsTableSpec): Uint8Array[] {
  const widths = t.columns.map((c) => c.repeat * TYPE_BYTES[c.type]);
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  const cards: [string, FitsValue][] = [
    ['XTENSION', 'BINTABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', rowBytes], ['NAXIS2', t.nrows],
    ['PCOUNT', 0], ['GCOUNT', 1], ['TFIELDS', t.columns.length],
  ];
  t.columns.forEach((c, i) => {
    cards.push([`TTYPE${i + 1}`, c.name], [`TFORM${i + 1}`, `${c.repeat === 1 && c.type !== 'A' ? '' : c.repeat}${c.type}`]);
    if (c.dim !== undefined) cards.push([`TDIM${i + 1}`, `(${c.dim.join(',')})`]);
  });
  for (const [k, v] of t.keys) cards.push([k, v]);
  const data = new Uint8Array(rowBytes * t.nrows);
  const view = new DataView(data.buffer);
  let offset = 0;
  t.columns.forEach((c, j) => {
    for (let r = 0; r < t.nrows; r++) {
      const at = r * rowBytes + offset;
      if (c.type === 'A') {
        const s = (c.values as readonly string[])[r];
        if (s.length > c.repeat || /[^\x20-\x7e]/.test(s)) throw new CosmetaError(`FITS column ${c.name}: "${s}" is not printable ASCII of at most ${c.repeat} characters`);
        for (let k = 0; k < s.length; k++) data[at + k] = s.charCodeAt(k);
        continue;
      }
      for (let k = 0; k < c.repeat; k++) {
        const i = r * c.repeat + k;
        const p = at + k * TYPE_BYTES[c.type];
        if (c.type === 'L') view.setUint8(p, (c.values as readonly boolean[])[i] ? 0x54 : 0x46);
        else {
          const v = (c.values as Float64Array)[i];
          if (c.type === 'D') view.setFloat64(p, v, false);
          else if (c.type === 'E') view.setFloat32(p, v, false);
          else if (c.type === 'K') view.setBigInt64(p, BigInt(v), false);
          else if (c.type === 'J') view.setInt32(p, v, false);
          else if (c.type === 'I') view.setInt16(p, v, false);
          else view.setUint8(p, v);
        }
      }
    }
    offset += widths[j];
  });
  return [headerBytes(cards), padded(data)];
}

function imageBytes(img: FitsImageSpec, primary: boolean): Uint8Array[] {
  const cards: [string, FitsValue][] = primary ? [['SIMPLE', true]] : [['XTENSION', 'IMAGE']];
  cards.push(['BITPIX', img.shape.length === 0 ? 8 : -64], ['NAXIS', img.shape.length]);
  img.shape.forEach((n, i) => cards.push([`NAXIS${i + 1}`, n]));
  if (primary) cards.push(['EXTEND', true]);
  else cards.push(['PCOUNT', 0], ['GCOUNT', 1]);
  for (const [k, v] of img.keys) cards.push([k, v]);
  const data = new Uint8Array(img.shape.length === 0 ? 0 : 8 * img.data.length);
  const view = new DataView(data.buffer);
  for (let i = 0; i < data.length / 8; i++) view.setFloat64(8 * i, img.data[i], false);
  return [headerBytes(cards), padded(data)];
}

/** The bytes of a FITS file: `primary` (shape [] for no data) then the extensions; gzip if asked. */
export function writeFits(primary: FitsImageSpec, extensions: readonly (FitsTableSpec | FitsImageSpec)[], gzip = false): Uint8Array {
  const parts = [...imageBytes(primary, true), ...extensions.flatMap((e) => (e.kind === 'bintable' ? tableBytes(e) : imageBytes(e, false)))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return gzip ? gzipSync(out, { level: 6, mtime: 0 }) : out;
}
