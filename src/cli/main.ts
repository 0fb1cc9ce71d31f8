/** The `cosmeta` command line: thin commands over the library. */

import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_LINEAR_MODEL, LINEAR_MODEL_NAMES } from '../cosmology/transfer/index.js';
import { CosmetaError } from '../errors.js';
import { META_ALGORITHMS } from '../meta/maml.js';
import { VERSION } from '../version.js';
import { runBenchNn, runBenchTheory } from './bench.js';
import { runCl } from './cl.js';
import { runCompare } from './compare.js';
import { registerCompression } from './compression.js';
import { registerField } from './field.js';
import { runGenerate } from './generate.js';
import { registerLfi } from './lfi.js';
import { runMcmcCli } from './mcmc.js';
import { runAdapt, runEvaluate, runMetaTrain } from './meta.js';
import { registerPk } from './pk.js';
import { runReproduce } from './reproduce.js';
import { registerSacc } from './sacc.js';
import { registerServe } from './serve.js';
import { runStudy } from './study.js';

function program(): Command {
  const cli = new Command('cosmeta').description('Fast cosmic-shear theory and emulators that adapt to new galaxy samples').version(VERSION);
  cli.exitOverride();
  cli.configureOutput({ writeErr: (s) => process.stderr.write(s) });

  cli
    .command('cl')
    .description('cosmic-shear C_ell (Limber, halofit) for one parameter set; JSON to stdout or --out')
    .option('--params <file>', 'parameters JSON (default: the paper fiducial cosmology)')
    .option('--nz <file>', 'n(z): text (z, n_1..n_N), .npy, .npz or .json (default: the paper target sample)')
    .option('--ell <file>', 'multipoles, one per line (default: geomspace(2, 5000, 50))')
    .addOption(new Option('--linear <model>', 'linear P(k) model').default(DEFAULT_LINEAR_MODEL).choices(LINEAR_MODEL_NAMES))
    .option('--linear-only', 'linear P(k), no halofit')
    .option('--no-spin2', "omit CCL's spin-2 prefactor (ell+2)(ell+1)ell(ell-1)/(ell+1/2)^4")
    .addOption(new Option('--shift <convention>', 'photo-z shift convention').default('paper').choices(['paper', 'additive']))
    .option('--allow-extrapolation', 'let the symbolic P(k) run outside its fitted parameter range')
    .option('--out <file>', 'write the JSON here (atomically) instead of stdout')
    .action((o) => runCl(o));

  cli
    .command('generate')
    .description('shear spectra over galaxy-sample tasks and a Latin hypercube of parameters, as HDF5 (resumable)')
    .option('--tasks <n>', 'number of tasks (galaxy samples) from the family')
    .requiredOption('--samples <n>', 'parameter vectors per task')
    .requiredOption('--seed <n>', 'random seed, an integer in [0, 2^32)')
    .option('--family <name>', 'task family: paper or multipeak', 'paper')
    .option('--nz <file>', 'one task: this binned n(z) (formats as for cl)')
    .option('--parent <file>', 'one task: bin this parent n(z) (columns z, p) as the paper does')
    .option('--ranges <file>', 'JSON {"name": [lo, hi], ...} overriding the paper ranges (null removes one)')
    .option('--ell <file>', 'multipoles, one per line (default: geomspace(2, 5000, 50))')
    .addOption(new Option('--linear <model>', 'linear P(k) model').default(DEFAULT_LINEAR_MODEL).choices(LINEAR_MODEL_NAMES))
    .option('--allow-extrapolation', 'let the symbolic P(k) run outside its fitted parameter range')
    .option('--linear-only', 'linear P(k), no halofit')
    .option('--no-spin2', "omit CCL's spin-2 prefactor")
    .addOption(new Option('--shift <convention>', 'photo-z shift convention').default('paper').choices(['paper', 'additive']))
    .option('--threads <n>', 'worker threads (default: all cores)')
    .option('--block <n>', 'spectra per checkpointed block', '250')
    .option('--out <file>', 'output HDF5 file (appears atomically when complete)')
    .action((o) => runGenerate(o));

  cli
    .command('meta-train')
    .description('meta-train an emulator with MAML over the tasks of a dataset (the paper settings)')
    .option('--data <file>', 'training set (HDF5 from cosmeta generate); the task after the training tasks validates')
    .option('--tasks <n>', 'training tasks (the paper: 20)', '100')
    .option('--samples <n>', 'spectra per task', '500')
    .requiredOption('--seed <n>', 'random seed, an integer in [0, 2^32)')
    .addOption(new Option('--algorithm <name>', 'first-order MAML (the paper), second-order MAML or Reptile').default('fomaml').choices(META_ALGORITHMS))
    .addOption(new Option('--architecture <name>', 'network').default('mlp').choices(['mlp', 'cnn']))
    .addOption(new Option('--inner-optimizer <name>', 'optimiser of the inner (per-task) steps').default('adam').choices(['adam', 'sgd']))
    .option('--inner-lr <x>', 'learning rate of the inner steps (the paper: 1e-3)', '1e-3')
    .option('--task-batch <n>', 'tasks per meta-update (the paper: 5)', '5')
    .addOption(new Option('--scalers <kind>', 'per-task scalers (the paper) or one global pair stored with the meta-emulator').default('per-task').choices(['per-task', 'global']))
    .option('--epochs <n>', 'maximum meta-epochs (early stopping on the validation task; the paper: 100)', '75')
    .option('--validation-samples <n>', 'spectra of the validation task used to adapt each epoch (the rest score it)', '100')
    .option('--out <file>', 'meta-emulator file (HDF5)')
    .action((o) => runMetaTrain(o));

  cli
    .command('adapt')
    .description('adapt a meta-emulator to a new galaxy sample from a few spectra; prints validation {"mape","f5","seconds"}')
    .option('--meta <file>', 'meta-emulator (HDF5 from cosmeta meta-train; default: the one shipped in the package)')
    .option('--nz <file>', "the new sample's n(z) (formats as for cl)")
    .option('--samples <n>', 'fine-tuning spectra (20% of them are held out for validation)', '100')
    .requiredOption('--seed <n>', 'random seed for the Latin hypercube and dropout')
    .option('--train-data <file>', 'take the spectra from this dataset (task 0) instead of computing them')
    .option('--steps <n>', 'maximum full-batch Adam steps (the best on the validation split is kept; the paper: 64)', '300')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--threads <n>', 'theory worker threads (default: all cores)')
    .option('--out <file>', 'adapted emulator (HDF5)')
    .action((o) => runAdapt(o));

  cli
    .command('evaluate')
    .description('accuracy of an emulator on a test set: {"mape","f5","maxApe","n"} as the paper defines them')
    .option('--emu <file>', 'emulator (HDF5)')
    .option('--test <file>', 'test set (HDF5 from cosmeta generate)')
    .option('--task <n>', 'task of the test set', '0')
    .action((o) => runEvaluate(o));

  cli
    .command('study')
    .description("the paper's accuracy studies: samples (MAML vs single-task against fine-tuning spectra), fresh (fresh/MAML ratio) or volume (meta-training data-volume grid)")
    .argument('<name>', 'samples, fresh or volume')
    .option('--meta <file>', 'meta-emulator for samples and fresh (default: the one shipped in the package)')
    .option('--data <file>', 'volume: meta-training tasks (HDF5 from cosmeta generate; its last task validates)')
    .option('--epochs <n>', 'volume: maximum meta-epochs per grid point (default 10; 100 at paper scale)')
    .requiredOption('--seed <n>', 'first seed (seeds seed..seed+9, or +19 at paper scale)')
    .addOption(new Option('--scale <scale>', 'reduced (small), the paper sizes, or tiny (exercises every step in seconds)').default('small').choices(['tiny', 'small', 'paper']))
    .option('--out-dir <dir>', 'where the JSON and PNG go', 'results/studies')
    .action((name, o) => runStudy(name, o));

  cli
    .command('mcmc')
    .description('sample a posterior with the ensemble sampler until 50 autocorrelation times, to HDF5 (resumable)')
    .option('--model <theory|file.h5>', 'the theory engine or an emulator file', 'theory')
    .addOption(new Option('--problem <name>', 'inference problem').default('paper').choices(['paper']))
    .option('--config <file>', 'analysis config (YAML: data, theory, parameters, sampler); replaces --problem and the sampler flags')
    .option('--getdist <root>', 'with --config: also write GetDist chains ROOT.txt, ROOT.paramnames, ROOT.ranges')
    .option('--seed <n>', 'random seed, an integer in [0, 2^32) (required without --config)')
    .option('--walkers <n>', 'number of walkers (even, >= 2 x parameters)', '76')
    .option('--max-steps <n>', 'stop here even if not converged', '100000')
    .option('--chunk <n>', 'steps between convergence checks and checkpoints', '1000')
    .option('--tau-factor <x>', 'converged when the chain is longer than this many autocorrelation times', '50')
    .option('--burn-in <n>', 'steps later analyses discard (recorded in the file)', '1000')
    .addOption(new Option('--linear <model>', 'linear P(k) of the data vector and of the theory model').default(DEFAULT_LINEAR_MODEL).choices(LINEAR_MODEL_NAMES))
    .option('--threads <n>', 'theory worker threads (default: all cores)')
    .option('--no-progress', 'no progress bar')
    .option('--out <file>', 'output chain (HDF5); OUT.partial holds checkpoints until it is complete')
    .addOption(new Option('--compression <how>', 'none (full Gaussian likelihood) or moped (one number per parameter, Heavens et al. 2000)').default('none').choices(['none', 'moped']))
    .action((o) => runMcmcCli(o));

  cli
    .command('compare')
    .description('compare chains with a reference: Bhattacharyya distance, mean shifts, widths; corner plot')
    .argument('<reference>', 'reference chain (e.g. the fully theoretical posterior)')
    .argument('<chains...>', 'chains to compare with it')
    .option('--params <list>', 'comma-separated parameters (sampled or derived: Omega_m, S8)', 'Omega_m,S8')
    .option('--labels <list>', 'comma-separated legend labels, reference first (default: file names)')
    .option('--burn-in <n>', "steps to discard (default: each chain's recorded burn-in, at most half the chain)")
    .option('--plot <file>', 'corner plot of the parameters (.png or .svg)')
    .option('--json', 'print JSON')
    .action((ref, chains, o) => runCompare(ref, chains, o));

  cli
    .command('reproduce')
    .description("the paper's whole pipeline: data, meta-training, baselines, studies, chains, report (OUT/report.md, OUT/summary.json); a rerun skips finished stages")
    .addOption(new Option('--scale <scale>', 'small (default, ~12 min on 2 cores), paper (the paper\'s sizes, ~2-2.5 h) or tiny (a smoke test)').default('small').choices(['tiny', 'small', 'paper']))
    .option('--seed <n>', 'root seed of every random draw', '1')
    .option('--out-dir <dir>', 'where every stage writes its files', 'results')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .option('--no-progress', 'stage lines only, no progress bars')
    .action((o) => runReproduce(o));

  const bench = cli.command('bench').description('speed benchmarks');
  bench
    .command('theory')
    .description('time per cosmology and multi-core throughput of the theory engine')
    .option('--json', 'print JSON')
    .action((o) => runBenchTheory(o));
  bench
    .command('nn')
    .description('GEMM GFLOP/s, training-step times and forward throughput of the neural-network engine')
    .option('--json', 'print JSON')
    .option('--quick', 'short timings (for smoke tests)')
    .action((o) => runBenchNn(o));

  registerPk(cli);
  registerSacc(cli);
  registerCompression(cli);
  registerField(cli);
  registerLfi(cli);
  registerServe(cli);
  return cli;
}

/** Run the CLI; bad input exits with code 2 and a one-line message, nothing written. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof CosmetaError) {
      process.stderr.write(`cosmeta: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const sys = err as NodeJS.ErrnoException;
    if (sys && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
      // A file-system failure (full disk, unwritable directory, ...): one line; atomic writes left nothing.
      process.stderr.write(`cosmeta: cannot ${sys.syscall}${sys.path ? ` ${sys.path}` : ''}: ${sys.code}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
