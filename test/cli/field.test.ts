/**
 * `cosmeta field wiener` end to end (the built command): the file holds what an external check needs,
 * and the Wiener filter recomputed from the file alone, s_WF = ifft2(S / (S + N) fft2(d)), equals the
 * HMC mean within Monte Carlo error. numpy recomputes it too when python3 has numpy (reading the HDF5
 * file itself when h5py is installed, otherwise the arrays this test read from it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFieldFile } from '../../src/io/field-file.js';
import { FourierGrid } from '../../src/math/fft.js';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
const N = 32;
const SAMPLES = 400;

describe('cosmeta field wiener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosmeta-field-'));
  const out = join(dir, 'field.h5');
  let file: Awaited<ReturnType<typeof readFieldFile>>;
  beforeAll(async () => {
    const r = run(['field', 'wiener', '--grid', String(N), '--seed', '3', '--samples', String(SAMPLES), '--warmup', '100', '--out', out, '--no-progress']);
    expect(r.status, r.stderr).toBe(0);
    file = await readFieldFile(out, ['data', 'signal_power', 'noise_power', 'mean', 'variance', 'samples'], ['samples', 'ess']);
  }, 300_000);

  it('writes the maps, the fft2-layout spectra and the sample count and ESS', () => {
    for (const name of ['data', 'signal_power', 'noise_power', 'mean', 'variance']) expect(file.datasets[name].shape).toEqual([N, N]);
    expect(file.datasets.samples.shape).toEqual([SAMPLES / 10, N, N]);
    expect(Number(file.attrs.samples)).toBe(SAMPLES);
    // HMC with the Fourier mass is near-ideal here: ESS close to (or above) the number of samples.
    expect(Number(file.attrs.ess)).toBeGreaterThan(SAMPLES / 3);
    // White noise: N_k = n^2 sigma^2 for every mode; the mean mode carries no signal.
    const noise = file.datasets.noise_power.data;
    expect(noise.every((v) => Math.abs(v / noise[0] - 1) < 1e-12)).toBe(true);
    expect(file.datasets.signal_power.data[0]).toBe(0);
  });

  it('the Wiener filter recomputed from the file equals the HMC mean within Monte Carlo error', () => {
    const grid = new FourierGrid([N, N]);
    const S = file.datasets.signal_power.data;
    const Nk = file.datasets.noise_power.data;
    const wf = grid.filter(file.datasets.data.data, S.map((s, i) => s / (s + Nk[i])));
    const ess = Number(file.attrs.ess);
    const z = file.datasets.mean.data.map((m, i) => (m - wf[i]) / Math.sqrt(file.datasets.variance.data[i] / ess));
    // The ESS is the median over pixels, so the SE is a little optimistic for half of them: 3-SE
    // coverage >= 97% (99.7% for exact SEs) and mean z^2 below 1.6 (1 for exact SEs).
    expect(z.filter((v) => Math.abs(v) < 3).length / z.length).toBeGreaterThanOrEqual(0.97);
    expect(z.reduce((a, b) => a + b * b, 0) / z.length).toBeLessThan(1.6);
    // ... and the test has power: ignoring the noise (s = d) is rejected.
    const zd = file.datasets.mean.data.map((m, i) => (m - file.datasets.data.data[i]) / Math.sqrt(file.datasets.variance.data[i] / ess));
    expect(zd.reduce((a, b) => a + b * b, 0) / zd.length).toBeGreaterThan(10);
  });

  it('numpy recomputes the same Wiener filter from the file (skipped without python3 + numpy)', () => {
    const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('skipped: python3 with numpy is not available');
      return;
    }
    const hasH5py = spawnSync('python3', ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0;
    if (!hasH5py) {
      console.log('h5py not installed: numpy reads the arrays this test read from the HDF5 file');
      for (const name of ['data', 'signal_power', 'noise_power', 'mean', 'variance']) writeFileSync(join(dir, `${name}.f64`), new Uint8Array(file.datasets[name].data.buffer));
    }
    const script = `
import json, sys
import numpy as np
d = sys.argv[1]
if ${hasH5py ? 'True' : 'False'}:
    import h5py
    with h5py.File(d + "/field.h5", "r") as f:
        a = {k: f[k][()] for k in ["data", "signal_power", "noise_power", "mean", "variance"]}
        ess = float(f.attrs["ess"])
else:
    a = {k: np.fromfile(d + "/" + k + ".f64", dtype="<f8").reshape(${N}, ${N}) for k in ["data", "signal_power", "noise_power", "mean", "variance"]}
    ess = float(sys.argv[2])
S, N = a["signal_power"], a["noise_power"]
s_wf = np.fft.ifft2(S / (S + N) * np.fft.fft2(a["data"])).real
z = (a["mean"] - s_wf) / np.sqrt(a["variance"] / ess)
print(json.dumps({"within3": float(np.mean(np.abs(z) < 3)), "meanZ2": float(np.mean(z**2))}))
`;
    const r = spawnSync('python3', ['-c', script, dir, String(file.attrs.ess)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { within3: number; meanZ2: number };
    expect(res.within3).toBeGreaterThanOrEqual(0.97);
    expect(res.meanZ2).toBeLessThan(1.6);
  });

  it('bad input: one line on stderr, exit code 2, no output file', () => {
    const bad = join(dir, 'bad.h5');
    const r = run(['field', 'wiener', '--grid', '48', '--seed', '1', '--out', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--grid 48 is not a power of two/);
    expect(existsSync(bad)).toBe(false);
  });
});
