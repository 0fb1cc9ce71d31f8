/**
 * `cosmeta pk`: the linear (or halofit) matter power spectrum P(k, z) [Mpc^3] for one parameter set, as
 * JSON {"k", "z", "pk"[iz][ik], "sigma8", "A_s", "S8", "config"}; and `cosmeta pk-emulator train`, which
 * regenerates the `boltzmann_emulated` emulator file from the Boltzmann solver.
 */

import { Option, type Command } from 'commander';
import { Background } from '../cosmology/background.js';
import { cosmology } from '../cosmology/params.js';
import { Halofit } from '../cosmology/power/halofit.js';
import { LinearPower } from '../cosmology/power/linear.js';
import type { MatterPower } from '../cosmology/power/matter-power.js';
import { DEFAULT_LINEAR_MODEL, LINEAR_MODEL_NAMES } from '../cosmology/transfer/index.js';
import { CosmetaError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { withOutputLock } from '../io/lock.js';
import { readWavenumbers } from '../io/nz-file.js';
import { parseParameters, readParameters } from '../io/params-file.js';
import { loadLinearModel } from '../io/pk-emulator-file.js';
import { FIDUCIAL } from '../tasks/target.js';
import { VERSION } from '../version.js';
import { integer } from './args.js';

export interface PkOptions {
  params?: string;
  k?: string;
  z?: string;
  linear: string;
  nonlinear?: boolean;
  allowExtrapolation?: boolean;
  out?: string;
}

/** The default wavenumbers [1/Mpc]: logspace(-4, log10(50), 200). */
export function defaultPkWavenumbers(): Float64Array {
  const a = -4;
  const b = Math.log10(50);
  return Float64Array.from({ length: 200 }, (_, i) => 10 ** (a + ((b - a) * i) / 199));
}

function parseRedshifts(text: string): Float64Array {
  const parts = text.split(',').map((s) => s.trim());
  const z = parts.map(Number);
  parts.forEach((p, i) => {
    if (p === '' || !Number.isFinite(z[i]) || z[i] < 0) throw new CosmetaError(`--z ${text}: "${p}" is not a redshift >= 0 (give e.g. --z 0,0.5,1)`);
  });
  return Float64Array.from(z);
}

export function runPk(o: PkOptions): void {
  const params = o.params ? readParameters(o.params) : parseParameters(FIDUCIAL, 'fiducial parameters');
  if (params.nuisance.dz || params.nuisance.m || params.nuisance.ia) process.stderr.write('cosmeta pk: nuisance parameters (dz, m, IA) do not affect P(k); ignored\n');
  const k = o.k ? readWavenumbers(o.k) : defaultPkWavenumbers();
  k.forEach((v, i) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new CosmetaError(`${o.k}: wavenumber ${i + 1} is ${v}; wavenumbers must be positive, in 1/Mpc`);
  });
  const z = parseRedshifts(o.z ?? '0');
  const c = cosmology(params.cosmology);
  const shape = loadLinearModel(o.linear, { allowExtrapolation: o.allowExtrapolation });
  const t0 = performance.now();
  const zTop = Math.max(...z, 1e-3);
  const background = new Background(c, zTop * (1 + 1e-9) + 1e-9);
  const linear = new LinearPower(background, shape);
  const power: MatterPower = o.nonlinear ? new Halofit(linear) : linear;
  const lnk = Float64Array.from(k, Math.log);
  const pk = Array.from(z, (zi) => {
    const row = new Float64Array(k.length);
    power.fill(zi, k, lnk, row);
    return Array.from(row);
  });
  const ms = performance.now() - t0;
  const output = {
    k: Array.from(k),
    z: Array.from(z),
    pk,
    sigma8: linear.sigma8,
    A_s: linear.A_s,
    S8: linear.S8,
    config: {
      cosmeta: VERSION,
      units: 'k in 1/Mpc, P in Mpc^3 (no h), pk[iz][ik]',
      spectrum: o.nonlinear ? 'non-linear matter power (halofit_takahashi12)' : 'linear matter power',
      linear: shape.name,
      nonlinear: o.nonlinear ? 'halofit_takahashi12' : 'none',
      parameters: { ...c },
      derived: { sigma8: linear.sigma8, A_s: linear.A_s, S8: linear.S8 },
      accuracy: linear.accuracy,
    },
  };
  const text = `${JSON.stringify(output)}\n`;
  if (o.out) {
    writeFileAtomic(o.out, text);
    process.stderr.write(`cosmeta pk: ${z.length} redshift(s) x ${k.length} wavenumbers -> ${o.out} (${ms.toFixed(1)} ms)\n`);
  } else {
    process.stdout.write(text);
  }
}

export interface PkEmulatorTrainCli {
  out?: string;
  points: string;
  boxPoints: string;
  testPoints: string;
  seed: string;
  threads?: string;
  method: 'gp' | 'mlp' | 'both';
  components?: string;
  standIn?: boolean;
  progress?: boolean;
}

export function registerPk(cli: Command): void {
  cli
    .command('pk')
    .description('matter power spectrum P(k, z) [Mpc^3] for one parameter set (linear, or halofit with --nonlinear), as JSON')
    .option('--params <file>', 'parameters JSON as for cl, with sigma8 or A_s (default: the paper fiducial cosmology)')
    .option('--k <file>', 'wavenumbers [1/Mpc], one per line or a JSON array (default: logspace(-4, log10(50), 200))')
    .option('--z <list>', 'comma-separated redshifts', '0')
    .addOption(new Option('--linear <model>', 'linear P(k) model').default(DEFAULT_LINEAR_MODEL).choices(LINEAR_MODEL_NAMES))
    .option('--nonlinear', 'halofit (Takahashi et al. 2012) instead of linear')
    .option('--allow-extrapolation', 'let the symbolic P(k) run outside its fitted parameter range')
    .option('--out <file>', 'write the JSON here (atomically) instead of stdout')
    .action((o: PkOptions) => runPk(o));

  const emu = cli.command('pk-emulator').description('the emulator of the Boltzmann solver behind --linear boltzmann_emulated');
  emu
    .command('train')
    .description('run the solver over a seeded design (all cores, checkpointed, resumable) and fit the emulator (GP and/or MLP)')
    .option('--out <file>', 'emulator file to write (JSON), e.g. models/pk-emulator.json')
    .option('--points <n>', 'training cosmologies', '1000')
    .option('--box-points <n>', 'more training cosmologies inside the two boxes, each widened by 3% of its ranges', '600')
    .option('--test-points <n>', 'held-out cosmologies (plus the 16 box corners) for the recorded validation', '1000')
    .option('--seed <n>', 'seed of the designs', '1')
    .option('--threads <n>', 'solver worker threads (default: all cores)')
    .addOption(new Option('--method <m>', 'coefficient model; both fits the two and keeps the more accurate').default('both').choices(['gp', 'mlp', 'both']))
    .option('--components <n>', 'principal components (default: as many as reconstruct every training spectrum to 2e-5 in ln P, at most 40)')
    .option('--stand-in', 'train on the EH stand-in instead of the solver (pipeline checks only; such a file is refused as boltzmann_emulated)')
    .option('--no-progress', 'no progress lines')
    .action(async (o: PkEmulatorTrainCli) => {
      if (!o.out) throw new CosmetaError('--out <file.json> is required');
      const { trainPkEmulator } = await import('../pipeline/pk-emulator-train.js');
      const out = o.out;
      // One writer per emulator file and its OUT.blocks checkpoints.
      await withOutputLock(out, () => trainPkEmulator({
        out,
        points: integer('--points', o.points, 20),
        boxPoints: integer('--box-points', o.boxPoints, 0),
        testPoints: integer('--test-points', o.testPoints, 0),
        seed: integer('--seed', o.seed, 0),
        threads: o.threads === undefined ? undefined : integer('--threads', o.threads, 1),
        method: o.method,
        components: o.components === undefined ? undefined : integer('--components', o.components, 1),
        standIn: o.standIn ?? false,
        log: o.progress === false ? () => {} : (line: string) => process.stderr.write(`cosmeta pk-emulator: ${line}\n`),
      }));
    });
}
