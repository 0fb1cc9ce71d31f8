/**
 * Convergence of the real-space projection (src/cosmology/real-space.ts) for the DES Y1 source n(z) at
 * the CCL reference's 60 angles (2-300 arcmin), all 10 pairs: each knob (C_ell grid density, ln-ell panel
 * width, panels per oscillation period, Gauss-Legendre order, ellMax) is moved away from the default and
 * the largest relative change of xi+ and xi- is printed (where |xi| > 1% of the pair's maximum), with
 * the build time of the matrix and the cost of one projection.
 *
 *   node dist/bench/xi-convergence.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HANKEL, logEllGrid, RealSpaceProjection, type HankelSettings, type XiStatistic } from '../src/cosmology/real-space.js';
import { ShearTheory } from '../src/cosmology/theory.js';
import { linearModel } from '../src/cosmology/transfer/index.js';

const root = join(import.meta.dirname, '..', '..');
const ref = JSON.parse(readFileSync(join(root, 'test', 'reference', 'ccl-xi', 'des-y1.json'), 'utf8')) as { z: number[]; nz: number[][]; theta_arcmin: number[]; pairs: unknown[] };
const z = Float64Array.from(ref.z);
const nz = ref.nz.map((r) => Float64Array.from(r));
const cosmo = { Omega_c: 0.27, Omega_b: 0.045, h: 0.67, sigma8: 0.83, n_s: 0.96 };
const targets = (['xi_plus', 'xi_minus'] as XiStatistic[]).flatMap((statistic) => ref.pairs.flatMap((_, pair) => ref.theta_arcmin.map((theta) => ({ statistic, pair, theta }))));
const half = targets.length / 2;

function xi(perDecade: number, settings: Partial<HankelSettings>, ellTop = 1e5): { xi: Float64Array; buildMs: number; projectMs: number; nodes: number } {
  const ell = logEllGrid(2, ellTop, perDecade);
  const cl = new ShearTheory({ z, nz }, ell, { linear: linearModel('eisenstein_hu'), shiftConvention: 'additive' }).compute(cosmo);
  let t = performance.now();
  const p = new RealSpaceProjection(ell, targets, settings);
  const buildMs = performance.now() - t;
  t = performance.now();
  let out: Float64Array = new Float64Array(0);
  for (let i = 0; i < 20; i++) out = p.project(cl);
  return { xi: out, buildMs, projectMs: (performance.now() - t) / 20, nodes: p.nodes };
}

function change(a: Float64Array, b: Float64Array, from: number, to: number): number {
  const nT = ref.theta_arcmin.length;
  let m = 0;
  for (let p = from; p < to; p += nT) {
    let max = 0;
    for (let i = 0; i < nT; i++) max = Math.max(max, Math.abs(b[p + i]));
    for (let i = 0; i < nT; i++) if (Math.abs(b[p + i]) > 0.01 * max) m = Math.max(m, Math.abs(a[p + i] / b[p + i] - 1));
  }
  return m;
}

const base = xi(20, {});
const variants: Array<[string, number, Partial<HankelSettings>, number?]> = [
  ['C_ell grid 40 per decade', 40, {}],
  ['C_ell grid 10 per decade', 10, {}],
  ['lnStep 0.025', 20, { lnStep: 0.025 }],
  ['panelsPerPeriod 2', 20, { panelsPerPeriod: 2 }],
  ['panelsPerPeriod 0.5', 20, { panelsPerPeriod: 0.5 }],
  ['Gauss-Legendre order 12', 20, { order: 12 }],
  ['ellMax 6e4 (CCL default)', 20, { ellMax: 6e4 }],
  ['ellMax 3e4', 20, { ellMax: 3e4 }],
  ['ellMax 2e5 (C_ell to 2e5)', 20, { ellMax: 2e5 }, 2e5],
];
const rows = variants.map(([label, pd, s, top]) => {
  const v = xi(pd, s, top);
  return { variant: label, xi_plus: change(v.xi, base.xi, 0, half), xi_minus: change(v.xi, base.xi, half, 2 * half), nodes: v.nodes, build_ms: v.buildMs };
});
process.stdout.write(`${JSON.stringify({ default: { ...DEFAULT_HANKEL, perDecade: 20, nodes: base.nodes, build_ms: base.buildMs, project_ms_1200_targets: base.projectMs }, variants: rows }, null, 2)}\n`);
