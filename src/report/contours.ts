/**
 * Credible regions of posterior samples: smoothed histograms, the density levels enclosing 68% and 95% of
 * the probability (highest-density regions), and their contour lines by marching squares (d3-contour).
 */

import { contours } from 'd3-contour';
import { gaussianSmooth, quantileRange } from '../inference/compare.js';

export interface Grid1D {
  /** Bin centres and the density there, normalised to a peak of 1. */
  x: Float64Array;
  density: Float64Array;
}

export interface ContourLine {
  /** Probability mass enclosed (0.68 or 0.95). */
  level: number;
  /** Closed ring of points, in data coordinates. */
  points: Array<[number, number]>;
}

/** A range covering the central 99.8% of every sample set, padded by 5% on each side. */
export function commonRange(columns: Float64Array[]): [number, number] {
  return quantileRange(columns, 0.001, 0.05);
}

function histogram2d(x: Float64Array, y: Float64Array, rx: [number, number], ry: [number, number], bins: number): Float64Array {
  const h = new Float64Array(bins * bins);
  for (let i = 0; i < x.length; i++) {
    const bx = Math.floor(((x[i] - rx[0]) / (rx[1] - rx[0])) * bins);
    const by = Math.floor(((y[i] - ry[0]) / (ry[1] - ry[0])) * bins);
    if (bx >= 0 && bx < bins && by >= 0 && by < bins) h[by * bins + bx] += 1;
  }
  return h;
}

/** Density thresholds whose super-level sets hold the given fractions of the total mass. */
export function massLevels(density: Float64Array, fractions: readonly number[]): number[] {
  const sorted = Float64Array.from(density).sort().reverse();
  let total = 0;
  for (const v of sorted) total += v;
  return fractions.map((f) => {
    let acc = 0;
    for (const v of sorted) {
      acc += v;
      if (acc >= f * total) return v;
    }
    return sorted[sorted.length - 1];
  });
}

/** 68% and 95% contour lines of two parameters' samples on a bins x bins grid (smoothing sigma in bins). */
export function credibleContours(
  x: Float64Array,
  y: Float64Array,
  rx: [number, number],
  ry: [number, number],
  bins = 60,
  smooth = 1.5,
  levels: readonly number[] = [0.68, 0.95],
): ContourLine[] {
  const d = gaussianSmooth(histogram2d(x, y, rx, ry, bins), bins, 2, smooth);
  const thresholds = massLevels(d, levels);
  const gen = contours().size([bins, bins]).smooth(true);
  const lines: ContourLine[] = [];
  const values = Array.from(d);
  thresholds.forEach((t, li) => {
    const mp = gen.contour(values, t);
    for (const polygon of mp.coordinates) {
      for (const ring of polygon) {
        lines.push({
          level: levels[li],
          points: ring.map(([gx, gy]) => [rx[0] + (gx / bins) * (rx[1] - rx[0]), ry[0] + (gy / bins) * (ry[1] - ry[0])]),
        });
      }
    }
  });
  return lines;
}

/** Smoothed 1-D marginal density on `bins` bins over `range`, peak-normalised. */
export function marginal(x: Float64Array, range: [number, number], bins = 60, smooth = 1.5): Grid1D {
  const h = new Float64Array(bins);
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor(((x[i] - range[0]) / (range[1] - range[0])) * bins);
    if (b >= 0 && b < bins) h[b] += 1;
  }
  const d = gaussianSmooth(h, bins, 1, smooth);
  const peak = Math.max(...d) || 1;
  return {
    x: Float64Array.from({ length: bins }, (_, i) => range[0] + ((i + 0.5) / bins) * (range[1] - range[0])),
    density: d.map((v) => v / peak),
  };
}
