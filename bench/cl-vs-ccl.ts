/**
 * Shear C_ell of one linear model against CCL 3.3.3 + CAMB 1.6.6 run to k = 50/Mpc (the
 * `boltzmann_camb_k50` and, with NLA intrinsic alignments, `boltzmann_camb_ia_k50` columns of
 * test/reference/ccl-shear/cases.json and cases-wide.json): max and mean |C_ell / C_ell^CCL - 1| per case.
 *
 *   node dist/bench/cl-vs-ccl.js [--linear boltzmann_emulated] [--emulator file.json] [--cases 0,1]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShearTheory } from '../src/cosmology/theory.js';
import { linearModel } from '../src/cosmology/transfer/index.js';
import { loadLinearModel, readPkEmulator } from '../src/io/pk-emulator-file.js';
import { PACKAGE_ROOT } from '../src/paths.js';

interface Case {
  cosmology: Record<string, number>;
  z: number[];
  nz: number[][];
  ell: number[];
  cl: Record<string, number[][]>;
  ia?: { A_IA: number; eta_IA: number; z_pivot: number };
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const linear = arg('--linear') ?? 'boltzmann_emulated';
const emuFile = arg('--emulator');
const shape = emuFile ? linearModel(linear, { pkEmulator: readPkEmulator(emuFile, { allowStandIn: process.argv.includes('--allow-stand-in') }) }) : loadLinearModel(linear);
const only = arg('--cases')?.split(',');
for (const file of ['cases.json', 'cases-wide.json']) {
  const cases = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test', 'reference', 'ccl-shear', file), 'utf8')) as { cases: Case[] }).cases;
  cases.forEach((c, i) => {
    if (only && !only.includes(`${file}:${i}`)) return;
    const theory = new ShearTheory({ z: c.z, nz: c.nz }, c.ell, { linear: shape });
    const runs: Array<[string, Record<string, unknown>]> = [['boltzmann_camb_k50', {}]];
    if (c.ia && c.cl.boltzmann_camb_ia_k50) runs.push(['boltzmann_camb_ia_k50', { ia: { A_IA: c.ia.A_IA, eta_IA: c.ia.eta_IA, z_pivot: c.ia.z_pivot } }]);
    for (const [column, nuisance] of runs) {
      const t0 = performance.now();
      const cl = theory.compute(c.cosmology as never, nuisance);
      const ms = performance.now() - t0;
      const ref = c.cl[column];
      const nEll = ref[0].length;
      const errs = ref.flatMap((row, p) => row.map((v, l) => Math.abs(cl[p * nEll + l] / v - 1)));
      const max = Math.max(...errs);
      const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
      process.stdout.write(`${file} case ${i} ${column}: max ${(100 * max).toFixed(3)}%, mean ${(100 * mean).toFixed(3)}% (${linear}, ${ms.toFixed(0)} ms)\n`);
    }
  });
}
