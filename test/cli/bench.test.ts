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
    // A data vector takes 1-2 ms on one thread (README); 0.05 ms would mean the work was skipped and
    // 1 s that something is badly wrong, whatever the load on the machine.
    for (const v of Object.values(j.msPerCosmology) as number[]) {
      expect(v).toBeGreaterThan(0.05);
      expect(v).toBeLessThan(1000);
    }
    // The solver is linked into this build: one cosmology's linear P(k) integrates ~100 stiff modes of
    // ~60 equations over thousands of steps, which cannot take under 0.1 s; over 10 minutes means it hung.
    // Every model but the baseline has a same-round ratio to eisenstein_hu over the 9 rounds of 100, and it
    // agrees with the ratio of the medians to within 2x (the medians are of single calls, the ratios of
    // round means, so they differ by the load's drift, not by more).
    expect(j.rounds).toBe(9);
    expect(Object.keys(j.ratioToEisensteinHu).sort()).toEqual(Object.keys(j.msPerCosmology).filter((m) => m !== 'eisenstein_hu').sort());
    for (const [m, q] of Object.entries(j.ratioToEisensteinHu) as [string, { median: number; min: number; max: number }][]) {
      expect(q.min).toBeLessThanOrEqual(q.median);
      expect(q.median).toBeLessThanOrEqual(q.max);
      const medians = j.msPerCosmology[m] / j.msPerCosmology.eisenstein_hu;
      expect(q.median / medians, m).toBeGreaterThan(0.5);
      expect(q.median / medians, m).toBeLessThan(2);
    }
    expect(j.boltzmannSecondsPerCosmology).toBeGreaterThan(0.1);
    expect(j.boltzmannSecondsPerCosmology).toBeLessThan(600);
    expect(j.threads).toBeGreaterThanOrEqual(1);
    // The batch cannot run faster than every thread at the fastest single-cosmology speed (2x margin for
    // timing noise), nor slower than one thread at 1 s per cosmology.
    const fastest = Math.min(...(Object.values(j.msPerCosmology) as number[]));
    expect(j.batchPerSecond).toBeLessThan((2 * j.threads * 1000) / fastest);
    expect(j.batchPerSecond).toBeGreaterThan(1);
  }, 400_000);
});

describe('cosmeta bench nn --json', () => {
  it('prints GEMM figures for 3 layouts x 3 shapes x 1-2 threads, training-step times, throughput and meta-update times', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'cosmeta.js'), 'bench', 'nn', '--json', '--quick'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.gemm.length % 18).toBe(0);
    expect(new Set(j.gemm.map((g: { layout: string }) => g.layout))).toEqual(new Set(['NN', 'NT', 'TN']));
    // Two cores cannot exceed ~100 GFLOP/s in f32x4 SIMD (DESIGN.md measures 18-26 per core): a GEMM
    // that skipped work would show here; and every kernel does some.
    for (const g of j.gemm) {
      expect(g.gflops).toBeGreaterThan(0.01);
      expect(g.gflops).toBeLessThan(200);
    }
    // FastWeightCNN has 12.3M parameters, the default MLP about 0.33M: its training step costs more.
    expect(j.trainStepMs.fastWeightCNN).toBeGreaterThan(j.trainStepMs.defaultMlp);
    expect(j.trainStepMs.defaultMlp).toBeGreaterThan(0);
    expect(Object.keys(j.evalsPerSecond)).toEqual(['1', '100', '10000']);
    // Batching amortises the per-call overhead: 10,000 rows at once give more evaluations per second.
    expect(j.evalsPerSecond['10000']).toBeGreaterThan(j.evalsPerSecond['1']);
    expect(Object.keys(j.metaUpdateMs)).toEqual(['fomaml', 'maml', 'reptile']);
    // Second-order MAML adds Hessian-vector products to first order's work (README: 2.9x per update).
    expect(j.metaUpdateMs.maml).toBeGreaterThan(j.metaUpdateMs.fomaml);
    for (const v of Object.values(j.metaUpdateMs)) expect(v).toBeGreaterThan(0);
  }, 300_000);
});
