import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairOrder } from '../../src/cosmology/limber.js';
import { ShearTheory } from '../../src/cosmology/theory.js';
import { eisensteinHu } from '../../src/cosmology/transfer/eisenstein_hu.js';
import { computeBlock } from '../../src/data/block.js';
import { paperParameters } from '../../src/inference/problem.js';
import { latinHypercube } from '../../src/tasks/design.js';
import { paperEll, targetSample } from '../../src/tasks/target.js';
import { Random } from '../../src/math/random.js';
import { Emulator, trainEmulator } from '../../src/meta/emulator.js';
import { createBackend } from '../../src/nn/wasm.js';

const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');

describe('emulator files and the emulator likelihood', () => {
  it('trains, saves, loads to identical predictions, and drives cosmeta mcmc --model', async () => {
    const { z, nz } = targetSample();
    const ell = paperEll();
    const specs = paperParameters();
    const names = specs.map((s) => s.name);
    const ranges = Object.fromEntries(specs.map((s) => [s.name, [(s.prior as { min: number }).min, (s.prior as { max: number }).max] as [number, number]]));
    const n = 400;
    const inputs = latinHypercube(names, ranges, n, new Random(1));
    const theory = new ShearTheory({ z, nz }, ell, { linear: eisensteinHu, spin2: true });
    const spectra = computeBlock(theory, names, inputs, 'test set');
    const backend = await createBackend({ threads: 1 });
    const info = { parameterNames: names, ell: Array.from(ell), pairs: pairOrder(5), z: Array.from(z), nz: nz.map((b) => Array.from(b)) };
    const emu = trainEmulator(backend, inputs, spectra, n, info, { seed: 3, epochs: 30, batchSize: 64 });
    // After 30 epochs on 360 spectra the emulator is rough but already within ~10% on average.
    const probe = inputs.subarray(0, 10 * 10);
    const pred = emu.predictSync(probe, 10);
    let ape = 0;
    for (let i = 0; i < pred.length; i++) ape += Math.abs(pred[i] / spectra[i] - 1) / pred.length;
    expect(ape).toBeLessThan(0.1);

    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-emu-'));
    const file = join(dir, 'emu.h5');
    await emu.save(file);
    const back = await Emulator.load(file, backend);
    // Float32 weights round-trip exactly.
    expect(Array.from(back.predictSync(probe, 10))).toEqual(Array.from(pred));
    expect(back.info.training.method).toBe('fresh');

    const out = join(dir, 'chain.h5');
    const r = spawnSync(process.execPath, [BIN, 'mcmc', '--model', file, '--seed', '2', '--walkers', '20', '--chunk', '50', '--max-steps', '100', '--no-progress', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).steps).toBe(100);
  }, 120_000);
});
