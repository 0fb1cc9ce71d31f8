/**
 * Gradient checks by central differences along random directions: the worst relative difference
 * |(f(x + h v) - f(x - h v)) / 2h - grad f(x).v| / |grad f(x).v| over `trials` directions v ~ N(0, I).
 */
import type { Random } from '../../src/math/random.js';

export function directionalCheck(f: (x: Float64Array, g?: Float64Array) => number, x: Float64Array, rng: Random, h = 1e-5, trials = 3): number {
  const g = new Float64Array(x.length);
  f(x, g);
  let worst = 0;
  for (let t = 0; t < trials; t++) {
    const v = Float64Array.from({ length: x.length }, () => rng.normal());
    let gv = 0;
    for (let i = 0; i < x.length; i++) gv += g[i] * v[i];
    const xp = x.map((xi, i) => xi + h * v[i]);
    const xm = x.map((xi, i) => xi - h * v[i]);
    const fd = (f(xp) - f(xm)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - gv) / Math.abs(gv));
  }
  return worst;
}

