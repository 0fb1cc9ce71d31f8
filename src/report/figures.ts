/**
 * Figures as Vega-Lite specifications, rendered to SVG by Vega and to PNG by resvg; written atomically,
 * the format chosen by the file extension (.svg or .png). Contours come from src/report/contours.ts.
 */

import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CosmetaError } from '../errors.js';
import type { Samples } from '../inference/compare.js';
import { writeFileAtomic } from '../io/atomic.js';
import { commonRange, credibleContours, marginal } from './contours.js';

/** Matplotlib's default colour cycle, so figures read like the field's usual plots. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Display labels for the usual parameter names. */
export function parameterLabel(name: string): string {
  const table: Record<string, string> = { Omega_m: 'Ωm', Omega_c: 'Ωc', Omega_b: 'Ωb', sigma8: 'σ8', n_s: 'ns', S8: 'S8', h: 'h' };
  const dz = /^dz_(\d+)$/.exec(name);
  return table[name] ?? (dz ? `Δz${dz[1]}` : name);
}

export interface LabelledSamples {
  label: string;
  samples: Samples;
}

/**
 * Corner plot: 1-D marginals on the diagonal, 68% and 95% credible contours below it, one colour per
 * posterior. With two parameters this is the usual S8-Omega_m figure with its marginals.
 */
export function cornerSpec(sets: readonly LabelledSamples[], params: readonly string[], options: { title?: string; panel?: number } = {}): TopLevelSpec {
  if (sets.length === 0) throw new CosmetaError('a corner plot needs at least one set of samples');
  const k = params.length;
  if (k < 1) throw new CosmetaError('a corner plot needs at least one parameter');
  const col = (s: LabelledSamples, p: string) => {
    const i = s.samples.names.indexOf(p);
    if (i < 0) throw new CosmetaError(`samples "${s.label}" have no parameter ${p}`);
    return s.samples.columns[i];
  };
  const ranges = params.map((p) => commonRange(sets.map((s) => col(s, p))));
  const size = options.panel ?? (k <= 2 ? 220 : Math.max(90, Math.floor(720 / k)));
  const labels = sets.map((s) => s.label);
  const color = { field: 'posterior', type: 'nominal' as const, scale: { domain: labels, range: PALETTE.slice(0, labels.length) }, legend: { title: null, orient: 'top' as const, labelLimit: 400 } };
  const rows: unknown[] = [];
  for (let r = 0; r < k; r++) {
    const panels: unknown[] = [];
    for (let c = 0; c <= r; c++) {
      const xAxis = r === k - 1 ? { title: parameterLabel(params[c]), tickCount: 4 } : { title: null, labels: false, ticks: true, tickCount: 4 };
      const xEnc = { field: 'x', type: 'quantitative' as const, scale: { domain: ranges[c], nice: false, zero: false }, axis: xAxis };
      if (c === r) {
        const values: Array<Record<string, unknown>> = [];
        for (const s of sets) {
          const m = marginal(col(s, params[c]), ranges[c]);
          m.x.forEach((x, i) => values.push({ posterior: s.label, x, y: m.density[i] }));
        }
        panels.push({
          width: size,
          height: size,
          data: { values },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1.1] }, axis: { title: null, labels: false, ticks: false, domain: false } }, color },
        });
      } else {
        const values: Array<Record<string, unknown>> = [];
        let ring = 0;
        for (const s of sets) {
          for (const line of credibleContours(col(s, params[c]), col(s, params[r]), ranges[c], ranges[r])) {
            ring++;
            line.points.forEach(([x, y], order) => values.push({ posterior: s.label, level: line.level === 0.68 ? '68%' : '95%', ring, order, x, y }));
          }
        }
        const yAxis = c === 0 ? { title: parameterLabel(params[r]), tickCount: 4 } : { title: null, labels: false, tickCount: 4 };
        panels.push({
          width: size,
          height: size,
          data: { values },
          mark: { type: 'line', clip: true },
          encoding: {
            x: xEnc,
            y: { field: 'y', type: 'quantitative', scale: { domain: ranges[r], nice: false, zero: false }, axis: yAxis },
            color,
            detail: { field: 'ring', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
            strokeWidth: { field: 'level', type: 'ordinal', scale: { domain: ['68%', '95%'], range: [2, 1] }, legend: null },
            opacity: { field: 'level', type: 'ordinal', scale: { domain: ['68%', '95%'], range: [1, 0.7] }, legend: null },
          },
        });
      }
    }
    rows.push({ hconcat: panels, spacing: 6 });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title,
    vconcat: rows,
    spacing: 6,
    // Every y axis reserves the same width, so the panels of a column line up.
    config: { font: 'DejaVu Sans', view: { stroke: '#444' }, axis: { grid: false, labelFontSize: 10, titleFontSize: 13 }, axisY: { minExtent: 42, maxExtent: 42 } },
    background: 'white',
  } as TopLevelSpec;
}

/** Render a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Write a figure as .svg or .png (PNG at 2x scale), atomically. */
export async function writeFigure(spec: TopLevelSpec, path: string): Promise<void> {
  const lower = path.toLowerCase();
  if (!lower.endsWith('.svg') && !lower.endsWith('.png')) throw new CosmetaError(`figure ${path}: the file name must end in .png or .svg`);
  const svg = await renderSvg(spec);
  if (lower.endsWith('.svg')) {
    writeFileAtomic(path, svg);
    return;
  }
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' }).render().asPng();
  writeFileAtomic(path, png);
}

/** One panel of a line plot with error bars: rows {x, y, lo, hi, series}. */
function errorPanel(rows: Array<Record<string, unknown>>, x: { title: string; log: boolean }, y: { title: string; log?: boolean }, series: string[]) {
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: series, range: PALETTE.slice(0, series.length) }, legend: { title: null, orient: 'top' as const } };
  const xEnc = { field: 'x', type: 'quantitative' as const, title: x.title, scale: { type: x.log ? ('log' as const) : ('linear' as const) } };
  return {
    width: 300,
    height: 220,
    data: { values: rows },
    layer: [
      { mark: { type: 'line' as const, point: true }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative' as const, title: y.title, scale: { type: y.log ? ('symlog' as const) : ('linear' as const), zero: false } }, color } },
      { mark: { type: 'rule' as const }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, color } },
    ],
  };
}

/**
 * Side-by-side line plots with error bars (e.g. MAPE and f5 against the number of fine-tuning spectra,
 * one line per method). Each panel: rows {x, y, lo, hi, series}.
 */
export function errorBarSpec(panels: Array<{ rows: Array<Record<string, unknown>>; x: { title: string; log: boolean }; y: { title: string; log?: boolean } }>, title?: string): TopLevelSpec {
  const series = [...new Set(panels.flatMap((p) => p.rows.map((r) => String(r.series))))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    hconcat: panels.map((p) => errorPanel(p.rows, p.x, p.y, series)),
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 10, titleFontSize: 12 } },
    background: 'white',
  } as TopLevelSpec;
}

/**
 * Redshift distributions of several galaxy samples, one panel per sample and one colour per tomographic
 * bin (each bin normalised to unit peak height so that the panels compare shapes).
 */
export function nzSpec(samples: ReadonlyArray<{ label: string; z: ArrayLike<number>; nz: ArrayLike<number>[] }>, title?: string): TopLevelSpec {
  if (samples.length === 0) throw new CosmetaError('an n(z) figure needs at least one sample');
  const nBins = Math.max(...samples.map((s) => s.nz.length));
  const bins = Array.from({ length: nBins }, (_, b) => `bin ${b + 1}`);
  const zMax = Math.max(...samples.map((s) => s.z[s.z.length - 1]));
  const panels = samples.map((s) => {
    const values: Array<Record<string, unknown>> = [];
    s.nz.forEach((n, b) => {
      let peak = 0;
      for (let i = 0; i < n.length; i++) peak = Math.max(peak, n[i]);
      for (let i = 0; i < n.length; i++) values.push({ bin: bins[b], z: s.z[i], n: peak > 0 ? n[i] / peak : 0 });
    });
    return {
      title: s.label,
      width: 200,
      height: 150,
      data: { values },
      mark: { type: 'line' as const, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'z', type: 'quantitative' as const, title: 'z', scale: { domain: [0, zMax], nice: false } },
        y: { field: 'n', type: 'quantitative' as const, title: 'n(z) / peak' },
        color: { field: 'bin', type: 'nominal' as const, scale: { domain: bins, range: PALETTE.slice(0, nBins) }, legend: { title: null, orient: 'top' as const } },
      },
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    hconcat: panels,
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 10, titleFontSize: 12 }, title: { fontSize: 12 } },
    background: 'white',
  } as TopLevelSpec;
}
