/**
 * Cosmeta's Boltzmann solver against CAMB 1.6.6 at its `high` accuracy (test/reference/camb/pk-linear.json):
 * for each of the 12 cosmologies, P normalised to the case's sigma8, max and RMS |P/P_CAMB - 1| over
 * 1e-4 <= k <= 10/Mpc and 10 < k <= 50/Mpc at every z, the A_s ratio, and the wall time.
 *
 *   npx vite-node scripts/boltzmann-vs-camb.ts [--every N] [--cases 0,1,2] [--settings '{"rtol":1e-6}']
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { solveBoltzmann } from '../src/cosmology/boltzmann/index.js';

interface Case { label: string; cosmology: { Omega_c: number; Omega_b: number; h: number; sigma8: number; n_s: number }; high: { pk: number[][]; A_s: number } }
const ref = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'reference', 'camb', 'pk-linear.json'), 'utf8')) as { meta: { k: number[]; z: number[] }; cases: Case[] };
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const every = Number(arg('--every') ?? 1);
const caseIdx = (arg('--cases') ?? ref.cases.map((_, i) => i).join(',')).split(',').map(Number);
const settings = JSON.parse(arg('--settings') ?? '{}');
const K = ref.meta.k;
const idx = K.map((_, i) => i).filter((i) => i % every === 0 || i === K.length - 1);
const ks = idx.map((i) => K[i]);
console.log(`k: ${ks.length} of ${K.length} reference points; z = ${ref.meta.z.join(', ')}; settings ${JSON.stringify(settings)}`);
console.log('case            max(k<=10)  rms(k<=10)  max(10<k<=50)  A_s/A_s,CAMB-1  seconds');
let worst = 0;
let worstHi = 0;
for (const ci of caseIdx) {
  const c = ref.cases[ci];
  const t0 = performance.now();
  const r = solveBoltzmann({ ...c.cosmology }, ks, ref.meta.z, settings);
  const sec = (performance.now() - t0) / 1000;
  let mx = 0;
  let mxHi = 0;
  let ss = 0;
  let nn = 0;
  for (let iz = 0; iz < ref.meta.z.length; iz++) {
    for (let j = 0; j < idx.length; j++) {
      const d = Math.abs(r.pk[iz][j] / c.high.pk[iz][idx[j]] - 1);
      if (ks[j] <= 10) {
        mx = Math.max(mx, d);
        ss += d * d;
        nn++;
      } else mxHi = Math.max(mxHi, d);
    }
  }
  worst = Math.max(worst, mx);
  worstHi = Math.max(worstHi, mxHi);
  console.log(`${c.label.padEnd(15)} ${mx.toExponential(2).padStart(10)}  ${Math.sqrt(ss / nn).toExponential(2).padStart(10)}  ${mxHi.toExponential(2).padStart(13)}  ${(r.A_s / c.high.A_s - 1).toExponential(2).padStart(14)}  ${sec.toFixed(2).padStart(7)}`);
}
console.log(`worst: ${worst.toExponential(2)} (k <= 10/Mpc), ${worstHi.toExponential(2)} (10 < k <= 50/Mpc)`);
