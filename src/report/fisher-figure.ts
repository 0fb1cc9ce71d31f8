/**
 * The Fisher forecast's confidence ellipses of two parameters (68% and 95%), drawn over the 68%/95%
 * credible contours of MCMC samples when they are given: the usual "Fisher vs MCMC" S8-Omega_m figure.
 */

import type { TopLevelSpec } from 'vega-lite';
import type { Samples } from '../inference/compare.js';
import { commonRange, credibleContours } from './contours.js';
import { PALETTE, parameterLabel } from './figures.js';

export interface EllipseSet {
  label: string;
  /** Closed rings for the 68% and 95% regions. */
  rings: { level: 0.68 | 0.95; points: Array<[number, number]> }[];
}

export function ellipseSpec(params: readonly [string, string], ellipses: readonly EllipseSet[], chain?: { label: string; samples: Samples }, title?: string): TopLevelSpec {
  const values: Array<Record<string, unknown>> = [];
  let ring = 0;
  const push = (series: string, level: number, points: Array<[number, number]>) => {
    ring++;
    points.forEach(([x, y], order) => values.push({ series, level: level === 0.68 ? '68%' : '95%', ring, order, x, y }));
  };
  const allX: number[] = [];
  const allY: number[] = [];
  for (const e of ellipses) for (const r of e.rings) for (const [x, y] of r.points) {
    allX.push(x);
    allY.push(y);
  }
  let rx: [number, number] = [Math.min(...allX), Math.max(...allX)];
  let ry: [number, number] = [Math.min(...allY), Math.max(...allY)];
  if (chain) {
    const cx = chain.samples.columns[chain.samples.names.indexOf(params[0])];
    const cy = chain.samples.columns[chain.samples.names.indexOf(params[1])];
    const ccx = commonRange([cx]);
    const ccy = commonRange([cy]);
    for (const line of credibleContours(cx, cy, ccx, ccy)) push(chain.label, line.level, line.points);
    rx = [Math.min(rx[0], ccx[0]), Math.max(rx[1], ccx[1])];
    ry = [Math.min(ry[0], ccy[0]), Math.max(ry[1], ccy[1])];
  }
  for (const e of ellipses) for (const r of e.rings) push(e.label, r.level, r.points);
  const pad = (r: [number, number]): [number, number] => [r[0] - 0.05 * (r[1] - r[0]), r[1] + 0.05 * (r[1] - r[0])];
  const series = [...(chain ? [chain.label] : []), ...ellipses.map((e) => e.label)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 360,
    height: 320,
    data: { values },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { domain: pad(rx), nice: false, zero: false }, axis: { title: parameterLabel(params[0]), tickCount: 5 } },
      y: { field: 'y', type: 'quantitative', scale: { domain: pad(ry), nice: false, zero: false }, axis: { title: parameterLabel(params[1]), tickCount: 5 } },
      color: { field: 'series', type: 'nominal', scale: { domain: series, range: PALETTE.slice(0, series.length) }, legend: { title: null, orient: 'top', labelLimit: 400 } },
      detail: { field: 'ring', type: 'nominal' },
      order: { field: 'order', type: 'quantitative' },
      strokeWidth: { field: 'level', type: 'ordinal', scale: { domain: ['68%', '95%'], range: [2, 1] }, legend: null },
      strokeDash: { field: 'level', type: 'ordinal', scale: { domain: ['68%', '95%'], range: [[1, 0], [5, 3]] }, legend: null },
    },
    config: { font: 'DejaVu Sans', view: { stroke: '#444' }, axis: { grid: false, labelFontSize: 10, titleFontSize: 13 } },
    background: 'white',
  } as TopLevelSpec;
}
