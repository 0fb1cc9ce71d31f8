import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('cosmeta bench theory --json', () => {
  it('prints the documented figures: ms per cosmology per linear model, threads, batch throughput', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cosmeta.js'), 'bench', 'theory', '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const emulated = existsSync(join(__dirname, '..', '..', 'models', 'pk-emulator.json'));
    expect(Object.keys(j.msPerCosmology).sort()).toEqual(['bbks', ...(emulated ? ['boltzmann_emulated'] : []), 'eisenstein_hu', 'eisenstein_hu_nowiggles', 'symbolic']);
    if (!emulated) expect(j.skipped.boltzmann_emulated).toMatch(/pk-emulator.json/);
    // The solver is linked into this build: one cosmology's linear P(k), in seconds.
    expect(j.boltzmannSecondsPerCosmology).toBeGreaterThan(0);
    for (const v of Object.values(j.msPerCosmology)) expect(v).toBeGreaterThan(0);
    expect(j.threads).toBeGreaterThanOrEqual(1);
    expect(j.batchPerSecond).toBeGreaterThan(0);
  }, 400_000);
});

describe('cosmeta bench nn --json', () => {
  it('prints GEMM figures for 3 layouts x 3 shapes x 1-2 threads, training-step times, throughput and meta-update times', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cosmeta.js'), 'bench', 'nn', '--json', '--quick'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.gemm.length % 18).toBe(0);
    expect(new Set(j.gemm.map((g: { layout: string }) => g.layout))).toEqual(new Set(['NN', 'NT', 'TN']));
    for (const g of j.gemm) expect(g.gflops).toBeGreaterThan(0);
    expect(j.trainStepMs.fastWeightCNN).toBeGreaterThan(0);
    expect(j.trainStepMs.defaultMlp).toBeGreaterThan(0);
    expect(Object.keys(j.evalsPerSecond)).toEqual(['1', '100', '10000']);
    expect(Object.keys(j.metaUpdateMs)).toEqual(['fomaml', 'maml', 'reptile']);
    for (const v of Object.values(j.metaUpdateMs)) expect(v).toBeGreaterThan(0);
  }, 300_000);
});
