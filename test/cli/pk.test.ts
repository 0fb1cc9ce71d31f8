import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Background } from '../../src/cosmology/background.js';
import { cosmology } from '../../src/cosmology/params.js';
import { Halofit } from '../../src/cosmology/power/halofit.js';
import { LinearPower } from '../../src/cosmology/power/linear.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { loadLinearModel, readPkEmulator } from '../../src/io/pk-emulator-file.js';
import { FIDUCIAL } from '../../src/tasks/target.js';

// These tests run the built command (npm test builds dist/ first).
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'cosmeta.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });

interface PkOut {
  k: number[];
  z: number[];
  pk: number[][];
  sigma8: number;
  A_s: number;
  S8: number;
  config: { linear: string; nonlinear: string; derived: { sigma8: number; A_s: number } };
}

describe('cosmeta pk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cosmeta-pk-'));
    const { sigma8: _s, ...rest } = FIDUCIAL;
    writeFileSync(join(dir, 'as.json'), JSON.stringify({ ...rest, A_s: 2.1e-9 }));
    writeFileSync(join(dir, 'both.json'), JSON.stringify({ ...FIDUCIAL, A_s: 2.1e-9 }));
    writeFileSync(join(dir, 'neither.json'), JSON.stringify(rest));
    writeFileSync(join(dir, 'k.txt'), '0.01\n0.1\n1\n');
    writeFileSync(join(dir, 'wide.json'), JSON.stringify({ ...FIDUCIAL, h: 1.3 }));
  });

  it('default: 200 wavenumbers logspace(-4, log10 50) [1/Mpc], z = 0, linear P [Mpc^3] as the library gives', () => {
    const r = run(['pk', '--out', join(dir, 'pk.json')]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(readFileSync(join(dir, 'pk.json'), 'utf8')) as PkOut;
    expect(o.k.length).toBe(200);
    expect(o.k[0]).toBeCloseTo(1e-4, 15);
    expect(o.k[199]).toBeCloseTo(50, 10);
    expect(o.z).toEqual([0]);
    expect(o.pk.length).toBe(1);
    expect(o.pk[0].length).toBe(200);
    const lin = new LinearPower(new Background(cosmology(FIDUCIAL), 1e-3 * (1 + 1e-9) + 1e-9), loadLinearModel(DEFAULT_LINEAR_MODEL));
    // Same code path and inputs: equal to rounding.
    o.k.forEach((k, i) => expect(o.pk[0][i] / lin.power(k, 0)).toBeCloseTo(1, 12));
    expect(o.sigma8).toBe(0.83);
    expect(o.A_s).toBeCloseTo(lin.A_s, 20);
    expect(o.config.derived.A_s).toBe(o.A_s);
    expect(o.config.linear).toBe(DEFAULT_LINEAR_MODEL);
  });

  it('--k, --z and --nonlinear: pk[iz][ik], halofit above linear at k = 1/Mpc', () => {
    const r = run(['pk', '--k', join(dir, 'k.txt'), '--z', '0,0.5,1', '--nonlinear']);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as PkOut;
    expect(o.k).toEqual([0.01, 0.1, 1]);
    expect(o.pk.length).toBe(3);
    const bg = new Background(cosmology(FIDUCIAL), 1 * (1 + 1e-9) + 1e-9);
    const lin = new LinearPower(bg, loadLinearModel(DEFAULT_LINEAR_MODEL));
    const hf = new Halofit(lin);
    o.z.forEach((z, iz) => o.k.forEach((k, ik) => expect(o.pk[iz][ik] / hf.power(k, z)).toBeCloseTo(1, 12)));
    expect(o.pk[0][2]).toBeGreaterThan(2 * lin.power(1, 0));
    expect(o.config.nonlinear).toBe('halofit_takahashi12');
  });

  it('A_s instead of sigma8: sigma8 derived; both or neither exit 2 with one line, no output', () => {
    const r = run(['pk', '--params', join(dir, 'as.json')]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as PkOut;
    expect(o.A_s).toBe(2.1e-9);
    const { sigma8: _s, ...rest } = FIDUCIAL;
    const lin = new LinearPower(new Background(cosmology({ ...rest, A_s: 2.1e-9 }), 1), loadLinearModel(DEFAULT_LINEAR_MODEL));
    expect(o.sigma8).toBeCloseTo(lin.sigma8, 12);
    for (const f of ['both.json', 'neither.json']) {
      const bad = run(['pk', '--params', join(dir, f), '--out', join(dir, `out-${f}`)]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/exactly one of sigma8 and A_s/);
      expect(bad.stderr.trim().split('\n').length).toBe(1);
      expect(existsSync(join(dir, `out-${f}`))).toBe(false);
    }
    const z = run(['pk', '--z', '0,-1']);
    expect(z.status).toBe(2);
    expect(z.stderr).toMatch(/--z 0,-1: "-1" is not a redshift/);
  });

  it('cl records the derived amplitudes', () => {
    const r = run(['cl', '--linear', 'eisenstein_hu']);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { config: { derived: { sigma8: number; A_s: number; S8: number } } };
    expect(o.config.derived.sigma8).toBe(0.83);
    expect(o.config.derived.A_s).toBeGreaterThan(1e-9);
    expect(o.config.derived.S8).toBeCloseTo(0.83 * Math.sqrt(0.315 / 0.3), 12);
  });

  it('a missing emulator file is one clear error naming it', () => {
    expect(() => readPkEmulator(join(dir, 'none.json'))).toThrow(/cannot read .*none\.json: ENOENT/);
  });

  it('boltzmann_emulated outside its domain exits 2 naming the parameter', () => {
    const r = run(['pk', '--linear', 'boltzmann_emulated', '--params', join(dir, 'wide.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/h=1.3000 is outside the emulator's domain/);
  });

  it('boltzmann_emulated against CAMB (high accuracy) at the fiducial and Planck-like cases', () => {
    const camb = JSON.parse(readFileSync(join(__dirname, '..', 'reference', 'camb', 'pk-linear.json'), 'utf8')) as {
      meta: { k: number[]; z: number[] };
      cases: Array<{ label: string; cosmology: Record<string, number>; high: { pk: number[][] } }>;
    };
    writeFileSync(join(dir, 'kc.json'), JSON.stringify(camb.meta.k));
    for (const c of camb.cases.slice(0, 2)) {
      writeFileSync(join(dir, 'c.json'), JSON.stringify(c.cosmology));
      const r = run(['pk', '--linear', 'boltzmann_emulated', '--params', join(dir, 'c.json'), '--k', join(dir, 'kc.json'), '--z', camb.meta.z.join(',')]);
      expect(r.status, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout) as PkOut;
      let worst = 0;
      o.pk.forEach((row, iz) => row.forEach((p, ik) => (worst = Math.max(worst, Math.abs(p / c.high.pk[iz][ik] - 1)))));
      // The solver's own distance from CAMB high (its README) plus the emulator's 0.1%.
      expect(worst).toBeLessThan(5e-3);
    }
  });
});

describe('cosmeta pk-emulator train (on the EH stand-in)', () => {
  it('is byte-reproducible, resumes from its blocks, and its file is refused as boltzmann_emulated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-pkemu-'));
    const args = (out: string) => ['pk-emulator', 'train', '--stand-in', '--out', out, '--points', '24', '--box-points', '0', '--test-points', '2', '--components', '3', '--method', 'gp', '--threads', '1', '--seed', '5'];
    const a = run(args(join(dir, 'a.json')));
    expect(a.status, a.stderr).toBe(0);
    const again = run(args(join(dir, 'a.json')));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/train: 6 of 6 blocks reused/);
    const b = run(args(join(dir, 'b.json')));
    expect(b.status, b.stderr).toBe(0);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    const json = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as { solver: string; validation: { chosen: string } };
    expect(json.solver).toBe('standin_eisenstein_hu');
    expect(json.validation.chosen).toBe('gp');
    expect(() => readPkEmulator(join(dir, 'a.json'))).toThrow(/trained on "standin_eisenstein_hu"/);
    expect(() => readPkEmulator(join(dir, 'a.json'), { allowStandIn: true })).not.toThrow();
  }, 60_000);
});
