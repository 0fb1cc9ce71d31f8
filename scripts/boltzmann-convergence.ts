/**
 * Convergence study of the Boltzmann solver: max |P_variant / P_default - 1| over 30 k in [1e-4, 50]/Mpc
 * and z = 0..3 at fixed A_s, for each accuracy knob tightened (l_max doubled, rtol / 10, approximation
 * switches later, error floor / 10, finer recombination and thermal tables, earlier start), and for
 * the sigma8 grid doubled (sigma8 change). Then each of a few settings against a converged reference
 * (neutrinos to l = 300 with the fluid from k tau = 250, photons to l = 32, rtol / 10), over k <= 10/Mpc and
 * over all k: the default, a long neutrino hierarchy (l = 150, fluid from k tau = 130), it with rtol / 3, and
 * it with rtol / 3 and photons to l = 24 ("tight"), and tight with the neutrino hierarchy grown with k tau
 * (neutrinoLMargin 20); then the tight settings' own convergence test (l_max doubled and rtol / 10). Cosmology: the fiducial case, or --case N of the CAMB set.
 *
 *   npx vite-node scripts/boltzmann-convergence.ts [--case 0]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BOLTZMANN, solveBoltzmann, type BoltzmannSettings } from '../src/cosmology/boltzmann/index.js';

const ref = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'reference', 'camb', 'pk-linear.json'), 'utf8'));
const ci = process.argv.includes('--case') ? Number(process.argv[process.argv.indexOf('--case') + 1]) : 0;
const cs = ref.cases[ci];
const { sigma8: _s8, ...cosmo } = cs.cosmology;
const input = { ...cosmo, A_s: 2.1e-9 };
const K: number[] = ref.meta.k;
const ks = K.filter((_, i) => i % 8 === 0 || i === K.length - 1);
const z: number[] = ref.meta.z;
const d = DEFAULT_BOLTZMANN;
const cheap = { sigma8PerEfold: 2, sigma8PerEfoldHigh: 1 };

function run(s: Partial<BoltzmannSettings>): { pk: Float64Array[]; sec: number; steps: number; sigma8: number } {
  const t0 = performance.now();
  const r = solveBoltzmann(input, ks, z, s);
  return { pk: r.pk, sec: (performance.now() - t0) / 1000, steps: r.derived.steps, sigma8: r.sigma8 };
}
/** max |a/b - 1| over k <= 10/Mpc and over all k, at every z. */
function maxDiff(a: Float64Array[], b: Float64Array[]): [number, number] {
  let lo = 0;
  let all = 0;
  for (let iz = 0; iz < a.length; iz++) {
    for (let j = 0; j < a[iz].length; j++) {
      const e = Math.abs(a[iz][j] / b[iz][j] - 1);
      all = Math.max(all, e);
      if (ks[j] <= 10) lo = Math.max(lo, e);
    }
  }
  return [lo, all];
}

console.log(`${cs.label}: ${ks.length} k x ${z.length} z at A_s = 2.1e-9; defaults ${JSON.stringify(d)}`);
const base = run(cheap);
console.log(`default: ${base.sec.toFixed(1)} s, ${base.steps} steps`);
const variants: [string, Partial<BoltzmannSettings>][] = [
  ['l_max doubled (photons 32, neutrinos 34)', { lMaxPhoton: 2 * d.lMaxPhoton, lMaxNeutrino: 2 * d.lMaxNeutrino }],
  ['photon l_max doubled (32) only', { lMaxPhoton: 2 * d.lMaxPhoton }],
  ['neutrino l_max doubled (34) only', { lMaxNeutrino: 2 * d.lMaxNeutrino }],
  ['neutrino l_max 34, fluid from k tau = 60', { lMaxNeutrino: 2 * d.lMaxNeutrino, ufaKTau: 2 * d.ufaKTau }],
  ['rtol / 10', { rtol: d.rtol / 10 }],
  ['l_max doubled and rtol / 10', { lMaxPhoton: 2 * d.lMaxPhoton, lMaxNeutrino: 2 * d.lMaxNeutrino, rtol: d.rtol / 10 }],
  ['error floor / 10', { errorFloor: d.errorFloor / 10 }],
  ['neutrino fluid from k tau = 60 (not 30)', { ufaKTau: 2 * d.ufaKTau }],
  ['radiation streaming from k tau = 90, kappa tau < 0.1', { rsaKTau: 2 * d.rsaKTau, rsaKappaTau: d.rsaKappaTau / 2 }],
  ['RECFAST dz = 1, thermal tables x2', { recfastDz: 1, thermoNodesPerEfold: 2 * d.thermoNodesPerEfold }],
  ['start 10x earlier (k tau, a / a_eq)', { kTauInitial: d.kTauInitial / 10, aIniOverAeq: d.aIniOverAeq / 10 }],
  ['all k solved directly (no high-k spline)', { kDirectMax: 100 }],
  ['high-k spline nodes x2', { highKPerEfold: 2 * d.highKPerEfold }],
];
for (const [name, s] of variants) {
  const r = run({ ...cheap, ...s });
  console.log(`${name.padEnd(52)} max |dP/P| = ${maxDiff(r.pk, base.pk)[1].toExponential(2)}  (${r.sec.toFixed(1)} s, ${r.steps} steps)`);
}
const s8a = run({});
const s8b = run({ sigma8PerEfold: 2 * d.sigma8PerEfold, sigma8PerEfoldHigh: 2 * d.sigma8PerEfoldHigh, sigma8kMax: 2 * d.sigma8kMax, sigma8kMin: d.sigma8kMin / 5 });
console.log(`sigma8 grid doubled and widened: sigma8 changes by ${(s8b.sigma8 / s8a.sigma8 - 1).toExponential(2)} (P by twice that)`);

const longNu = { lMaxNeutrino: 150, ufaKTau: 130 };
const tight = { ...longNu, rtol: d.rtol / 3, lMaxPhoton: 24 };
const converged = run({ ...cheap, lMaxNeutrino: 300, ufaKTau: 250, lMaxPhoton: 2 * d.lMaxPhoton, rtol: d.rtol / 10 });
console.log(`converged reference (neutrinos l = 300, fluid from k tau = 250, photons l = 32, rtol / 10): ${converged.sec.toFixed(1)} s, ${converged.steps} steps`);
const tightRun = run({ ...cheap, ...tight });
const againstConverged: [string, ReturnType<typeof run>][] = [
  ['default', base],
  ['neutrinos l = 150, fluid from k tau = 130', run({ ...cheap, ...longNu })],
  ['  the same, rtol / 3', run({ ...cheap, ...longNu, rtol: d.rtol / 3 })],
  ['  the same, rtol / 3, photons l = 24 ("tight")', tightRun],
  ['  "tight" with the hierarchy grown (margin 20)', run({ ...cheap, ...tight, neutrinoLMargin: 20 })],
];
for (const [name, r] of againstConverged) {
  const [lo, all] = maxDiff(r.pk, converged.pk);
  console.log(`${name.padEnd(52)} vs converged: max |dP/P| = ${lo.toExponential(2)} (k <= 10), ${all.toExponential(2)} (all k)  (${r.sec.toFixed(1)} s, ${r.steps} steps)`);
}
const tightCheck = run({ ...cheap, ...tight, lMaxNeutrino: 2 * tight.lMaxNeutrino, lMaxPhoton: 2 * tight.lMaxPhoton, rtol: tight.rtol / 10 });
const [tLo, tAll] = maxDiff(tightCheck.pk, tightRun.pk);
console.log(`"tight" with l_max doubled and rtol / 10 (${tightCheck.steps} steps) vs "tight": max |dP/P| = ${tLo.toExponential(2)} (k <= 10), ${tAll.toExponential(2)} (all k)`);
