import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanExit, filesUnder, killAndResume, killWhen, runCosmeta, sameBytes, sameJson, sameModel, startCosmeta } from '../../bench/reliability/kill.js';
import { readFieldFile } from '../../src/io/field-file.js';
import { DEFAULT_META_EMULATOR } from '../../src/paths.js';
import { targetSample } from '../../src/tasks/target.js';

// The built command (the tests' global setup builds dist/), SIGKILLed as a process group at seeded moments.
// Each describe block works in its own temporary directory.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one writer per output, and resume after SIGKILL with identical bytes', () => {
  it('generate: a second writer exits 2 at once naming the holder; killed runs resume to the bytes of an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-gen-'));
    const args = (out: string) => ['generate', '--tasks', '2', '--samples', '300', '--seed', '5', '--block', '20', '--threads', '1', '--out', out];
    const first = startCosmeta(args('x.h5'), dir);
    // The lock is taken before any work; wait for it, then start the second writer.
    for (let i = 0; i < 400 && !existsSync(join(dir, 'x.h5.lock')); i++) await sleep(10);
    let firstDone = false;
    void first.exited.then(() => (firstDone = true));
    const second = runCosmeta(args('x.h5'), dir);
    expect(second.status).toBe(2);
    expect(cleanExit(second)).toBe(true);
    expect(second.stderr).toContain(`x.h5 is being written by process ${first.pid}`);
    expect(second.stderr).toMatch(/wait for it to finish/);
    // "At once": it gave up while the first was still working (a wall-clock bound would depend on the load).
    await new Promise((r) => setImmediate(r));
    expect(firstDone).toBe(false);
    const r = await first.exited;
    expect(r.status, r.stderr).toBe(0);
    const k = await killAndResume({ args: args('k.h5'), cwd: dir, kills: 2, minMs: 400, jitterMs: 1500, seed: 11 });
    expect(k.unclean).toEqual([]);
    expect(k.killedAfter.length).toBeGreaterThanOrEqual(1);
    expect(sameBytes(join(dir, 'x.h5'), join(dir, 'k.h5'))).toBe(true);
  }, 120_000);

  it('mcmc: killed chains resume to the bytes of an uninterrupted chain; a second writer exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-mcmc-'));
    const args = (out: string) => ['mcmc', '--seed', '3', '--walkers', '24', '--max-steps', '24', '--chunk', '6', '--burn-in', '6', '--threads', '1', '--no-progress', '--out', out];
    // A long chain holds busy.h5 while a second writer tries it (then it is stopped: only the lock matters).
    const busy = startCosmeta([...args('busy.h5'), '--max-steps', '100000'], dir);
    for (let i = 0; i < 1000 && !existsSync(join(dir, 'busy.h5.lock')); i++) await sleep(10);
    const second = runCosmeta(args('busy.h5'), dir);
    busy.kill();
    await busy.exited;
    expect(second.status, second.stderr).toBe(2);
    expect(cleanExit(second)).toBe(true);
    expect(second.stderr).toContain(`busy.h5 is being written by process ${busy.pid}`);
    const whole = runCosmeta(args('whole.h5'), dir);
    expect(whole.status, whole.stderr).toBe(0);
    const k = await killAndResume({ args: args('killed.h5'), cwd: dir, kills: 2, minMs: 700, jitterMs: 1000, seed: 12 });
    expect(k.unclean).toEqual([]);
    expect(sameBytes(join(dir, 'whole.h5'), join(dir, 'killed.h5'))).toBe(true);
  }, 120_000);

  it('pk-emulator train (the Boltzmann training set and fit): killed at seeded moments, resumes to the bytes of an uninterrupted run', async () => {
    // The EH stand-in solver keeps this fast; the blocks, their resume and the fit are the real code.
    // Kills land while blocks are solved or while the emulator is fitted; either way the rerun reuses
    // the finished blocks and must write the same file.
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-pk-'));
    const args = (out: string) => ['pk-emulator', 'train', '--stand-in', '--points', '24', '--test-points', '8', '--seed', '3', '--threads', '1', '--method', 'gp', '--no-progress', '--out', out];
    const whole = runCosmeta(args('whole.json'), dir);
    expect(whole.status, whole.stderr).toBe(0);
    const k = await killAndResume({ args: args('killed.json'), cwd: dir, kills: 2, minMs: 150, jitterMs: 2500, seed: 14 });
    expect(k.unclean).toEqual([]);
    expect(k.killedAfter.length).toBeGreaterThanOrEqual(1);
    expect(sameBytes(join(dir, 'whole.json'), join(dir, 'killed.json'))).toBe(true);
  }, 120_000);

  it('study samples: killed inside pre-training and inside the rows, resumes to the numbers of an uninterrupted run', async () => {
    // --scale tiny: 300 + 200 + 300 theory spectra, 20 pre-training epochs, 2 x 2 x 2 adaptations.
    // Checkpoints after every epoch, so each kill lands after one (results do not depend on it).
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-study-'));
    const args = (o: string) => ['study', 'samples', '--scale', 'tiny', '--seed', '1', '--out-dir', o];
    const env = { COSMETA_CHECKPOINT_SECONDS: '0' };
    const whole = runCosmeta(args('whole'), dir);
    expect(whole.status, whole.stderr).toBe(0);
    const o = join(dir, 'killed');
    for (const t of ['samples-single-task.partial', 'samples.json.partial']) {
      const k = await killWhen(args('killed'), dir, () => existsSync(join(o, t)), env);
      expect(k.killed, `kill at ${t}: ${k.run.stderr}`).toBe(true);
      expect(existsSync(join(o, 'samples.json')), 'no output before the end').toBe(false);
      expect(existsSync(join(o, 'samples.json.lock'))).toBe(true);
    }
    const r = runCosmeta(args('killed'), dir, env);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(o, 'samples.json.lock')), 'lock released').toBe(false);
    // Checkpoints removed, nothing else left: the same files as the uninterrupted run.
    expect(filesUnder(o)).toEqual(['samples.json', 'samples.png']);
    expect(filesUnder(join(dir, 'whole'))).toEqual(filesUnder(o));
    // Every number but the adaptation wall times (adaptSeconds); the figure (MAPE and f5) byte for byte.
    expect(sameJson(join(o, 'samples.json'), join(dir, 'whole', 'samples.json'))).toBe(true);
    expect(sameBytes(join(o, 'samples.png'), join(dir, 'whole', 'samples.png'))).toBe(true);
  }, 600_000);

  it('field wiener: HMC killed in warm-up and in sampling resumes to the numbers of an uninterrupted run', async () => {
    // 16 x 16 map, 100 warm-up + 300 samples; checkpoints after every trajectory (COSMETA_CHECKPOINT_SECONDS=0).
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-field-'));
    const args = (out: string) => ['field', 'wiener', '--grid', '16', '--seed', '2', '--samples', '300', '--warmup', '100', '--thin', '5', '--no-progress', '--out', out];
    const env = { COSMETA_CHECKPOINT_SECONDS: '0' };
    const whole = runCosmeta(args('whole.h5'), dir);
    expect(whole.status, whole.stderr).toBe(0);
    const partial = join(dir, 'killed.h5.partial');
    const size = () => (existsSync(partial) ? statSync(partial).size : 0);
    // First kill: at the first checkpoint (warm-up). Second: once the checkpoint holds 100 more sample
    // maps (16 x 16 float64 each) than the first, i.e. a third of the way through sampling.
    let k = await killWhen(args('killed.h5'), dir, () => size() > 0, env);
    expect(k.killed, k.run.stderr).toBe(true);
    const first = size();
    k = await killWhen(args('killed.h5'), dir, () => size() > first + 100 * 256 * 8, env);
    expect(k.killed, k.run.stderr).toBe(true);
    expect(existsSync(join(dir, 'killed.h5')), 'no output before the end').toBe(false);
    const r = runCosmeta(args('killed.h5'), dir, env);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(partial), 'checkpoint removed').toBe(false);
    expect(existsSync(join(dir, 'killed.h5.lock')), 'lock released').toBe(false);
    const names = ['data', 'truth', 'mean', 'variance', 'wiener_mean', 'samples', 'log_prob'];
    const attrs = ['samples', 'ess', 'ess_min', 'tau_median', 'acceptance', 'step_size', 'gradients', 'config'];
    const a = await readFieldFile(join(dir, 'whole.h5'), names, attrs);
    const b = await readFieldFile(join(dir, 'killed.h5'), names, attrs);
    // Every map bit for bit and every sampler figure; only the wall and CPU times differ (not compared).
    for (const n of names) expect(Buffer.from(b.datasets[n].data.buffer).equals(Buffer.from(a.datasets[n].data.buffer)), n).toBe(true);
    expect(b.attrs).toEqual(a.attrs);
  }, 600_000);

  describe('training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-rel-train-'));
    beforeAll(() => {
      // 7 tasks x 40 spectra of the paper's family: 5 train, task 5 validates.
      const g = runCosmeta(['generate', '--tasks', '7', '--samples', '40', '--seed', '2', '--threads', '2', '--out', 'data.h5'], dir);
      expect(g.status, g.stderr).toBe(0);
    }, 120_000);

    it('meta-train: killed at seeded epochs, resumes to the same weights as an uninterrupted run', async () => {
      const args = ['meta-train', '--data', '../data.h5', '--tasks', '5', '--samples', '30', '--seed', '1', '--epochs', '6', '--validation-samples', '10', '--out', 'meta.h5'];
      for (const d of ['whole', 'killed']) mkdirSync(join(dir, d));
      const whole = runCosmeta(args, join(dir, 'whole'));
      expect(whole.status, whole.stderr).toBe(0);
      const k = await killAndResume({ args, cwd: join(dir, 'killed'), kills: 2, progress: /meta-train: epoch \d+/, maxEvents: 2, jitterMs: 150, seed: 13 });
      expect(k.unclean).toEqual([]);
      expect(k.killedAfter.length).toBe(2);
      expect(await sameModel(join(dir, 'whole', 'meta.h5'), join(dir, 'killed', 'meta.h5'))).toBe(true);
    }, 120_000);

    it('adapt: fine-tuning killed at a seeded moment resumes to the same weights', async () => {
      const s = targetSample();
      writeFileSync(join(dir, 'nz.txt'), Array.from(s.z, (z, j) => [z, ...s.nz.map((n) => n[j])].join(' ')).join('\n'));
      const args = ['adapt', '--meta', DEFAULT_META_EMULATOR, '--nz', '../nz.txt', '--train-data', '../data.h5', '--samples', '40', '--steps', '50', '--seed', '4', '--out', 'emu.h5'];
      for (const d of ['adapt-whole', 'adapt-killed']) mkdirSync(join(dir, d));
      const env = { COSMETA_CHECKPOINT_SECONDS: '0.2' };
      const whole = runCosmeta(args, join(dir, 'adapt-whole'), env);
      expect(whole.status, whole.stderr).toBe(0);
      const k = await killAndResume({ args, cwd: join(dir, 'adapt-killed'), env, kills: 1, minMs: 1000, jitterMs: 800, seed: 14 });
      expect(k.unclean).toEqual([]);
      expect(await sameModel(join(dir, 'adapt-whole', 'emu.h5'), join(dir, 'adapt-killed', 'emu.h5'))).toBe(true);
    }, 120_000);
  });
});
