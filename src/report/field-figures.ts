/**
 * Figures of field-level inference (Vega-Lite; rendered by figures.ts): maps side by side (truth,
 * posterior mean, posterior standard deviation), shell power spectra of the samples against the prior
 * with its cosmic variance, and the cross-correlation r(k) with the truth beside the Wiener limits.
 */

import type { TopLevelSpec } from 'vega-lite';
import type { SpectrumSummary } from '../field/statistics.js';
import { PALETTE } from './figures.js';

const CONFIG = { font: 'DejaVu Sans', view: { stroke: '#444' }, axis: { grid: false, labelFontSize: 10, titleFontSize: 12 } };

/** Heat maps of square n x n maps (row-major, axis 0 down), each with its own colour scale. */
export function mapsSpec(maps: ReadonlyArray<{ title: string; values: ArrayLike<number> }>, n: number, title?: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    hconcat: maps.map((m) => ({
      title: m.title,
      width: 220,
      height: 220,
      data: { values: Array.from({ length: n * n }, (_, i) => ({ x: i % n, y: Math.floor(i / n), v: m.values[i] })) },
      mark: { type: 'rect' as const },
      encoding: {
        x: { field: 'x', type: 'ordinal' as const, axis: null },
        y: { field: 'y', type: 'ordinal' as const, axis: null },
        color: { field: 'v', type: 'quantitative' as const, scale: { scheme: 'viridis' }, legend: { title: null, orient: 'bottom' as const, gradientLength: 200 } },
      },
    })),
    resolve: { scale: { color: 'independent' } },
    config: CONFIG,
    background: 'white',
  } as TopLevelSpec;
}

/**
 * Left: shell power of the prior (with +-2 sigma cosmic variance), of the truth and of the samples (mean
 * +- sd over samples); right: r(k) of the posterior mean and of single samples with the truth, with
 * their Wiener limits sqrt(SNR/(1+SNR)) and SNR/(1+SNR).
 */
export function spectraSpec(s: SpectrumSummary, kOf: (m: number) => number, xTitle: string, title?: string): TopLevelSpec {
  const rows: Array<Record<string, unknown>> = [];
  const series = ['prior (+-2 cosmic variance)', 'truth', 'samples (mean +- sd)'];
  s.m.forEach((m, j) => {
    const k = kOf(m);
    const cv = 2 * s.cosmicVariance[j];
    // Log axes: lower band edges are clipped at a twentieth of the value.
    const lo = (y: number, d: number) => Math.max(y - d, y / 20);
    rows.push({ k, y: s.prior[j], lo: lo(s.prior[j], s.prior[j] * cv), hi: s.prior[j] * (1 + cv), series: series[0] });
    rows.push({ k, y: s.truth[j], lo: s.truth[j], hi: s.truth[j], series: series[1] });
    rows.push({ k, y: s.sampleMean[j], lo: lo(s.sampleMean[j], s.sampleSd[j]), hi: s.sampleMean[j] + s.sampleSd[j], series: series[2] });
  });
  const rRows: Array<Record<string, unknown>> = [];
  const rSeries = ['r, posterior mean', 'Wiener limit sqrt(SNR/(1+SNR))', 'r, single samples', 'Wiener limit SNR/(1+SNR)'];
  s.m.forEach((m, j) => {
    const k = kOf(m);
    const q = s.snr[j];
    rRows.push({ k, r: s.rMean[j], series: rSeries[0] }, { k, r: Math.sqrt(q / (1 + q)), series: rSeries[1] });
    rRows.push({ k, r: s.rSamples[j], series: rSeries[2] }, { k, r: q / (1 + q), series: rSeries[3] });
  });
  const kMin = kOf(s.m[0]);
  const kMax = kOf(s.m[s.m.length - 1]);
  const x = { field: 'k', type: 'quantitative' as const, title: xTitle, scale: { type: 'log' as const, domain: [kMin / 1.2, kMax * 1.2] } };
  const color = (dom: string[]) => ({ field: 'series', type: 'nominal' as const, scale: { domain: dom, range: PALETTE.slice(0, dom.length) }, legend: { title: null, orient: 'bottom' as const, columns: 1, labelLimit: 400 } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    hconcat: [
      {
        width: 300,
        height: 240,
        data: { values: rows },
        layer: [
          { mark: { type: 'area' as const, opacity: 0.2 }, transform: [{ filter: `datum.series == '${series[0]}'` }], encoding: { x, y: { field: 'lo', type: 'quantitative' as const, scale: { type: 'log' as const } }, y2: { field: 'hi' }, color: color(series) } },
          { mark: { type: 'line' as const, point: true }, encoding: { x, y: { field: 'y', type: 'quantitative' as const, title: 'shell power (fftn units)', scale: { type: 'log' as const } }, color: color(series) } },
          { mark: { type: 'rule' as const }, transform: [{ filter: `datum.series == '${series[2]}'` }], encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, color: color(series) } },
        ],
      },
      {
        width: 300,
        height: 240,
        data: { values: rRows },
        mark: { type: 'line' as const, point: true },
        encoding: { x, y: { field: 'r', type: 'quantitative' as const, title: 'r(k) with the truth', scale: { domain: [0, 1] } }, color: color(rSeries), strokeDash: { field: 'series', type: 'nominal' as const, legend: null } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: CONFIG,
    background: 'white',
  } as TopLevelSpec;
}

/** Histogram of sampled ln A against the exact density. */
export function amplitudeSpec(samples: ArrayLike<number>, grid: ArrayLike<number>, density: ArrayLike<number>, lo: number, hi: number, title?: string): TopLevelSpec {
  const bins = 30;
  const h = new Float64Array(bins);
  for (let i = 0; i < samples.length; i++) {
    const b = Math.floor(((samples[i] - lo) / (hi - lo)) * bins);
    if (b >= 0 && b < bins) h[b] += bins / ((hi - lo) * samples.length);
  }
  const hist = Array.from(h, (v, b) => ({ x: lo + ((b + 0.5) * (hi - lo)) / bins, y: v, series: 'HMC samples' }));
  const exact: Array<Record<string, unknown>> = [];
  for (let j = 0; j < grid.length; j += 10) if (grid[j] >= lo && grid[j] <= hi) exact.push({ x: grid[j], y: density[j], series: 'exact' });
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: ['HMC samples', 'exact'], range: PALETTE.slice(0, 2) }, legend: { title: null, orient: 'top' as const } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 320,
    height: 220,
    layer: [
      { data: { values: hist }, mark: { type: 'bar' as const, opacity: 0.5 }, encoding: { x: { field: 'x', type: 'quantitative' as const, title: 'ln A' }, y: { field: 'y', type: 'quantitative' as const, title: 'density' }, color } },
      { data: { values: exact }, mark: { type: 'line' as const }, encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const }, color } },
    ],
    config: CONFIG,
    background: 'white',
  } as TopLevelSpec;
}
