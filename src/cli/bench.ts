/** `cosmeta bench theory|nn [--json]`: speed figures (the same as `npm run bench`). */

import { benchNn, type NnBenchResult } from '../bench/nn.js';
import { benchTheory, type TheoryBenchResult } from '../bench/theory.js';

export function formatTheoryBench(r: TheoryBenchResult): string {
  const lines = ['Theory engine, paper data vector (5 bins, 15 pairs, 50 ell, n(z) on 300 points), halofit on:'];
  for (const [model, ms] of Object.entries(r.msPerCosmology)) lines.push(`  ${model.padEnd(26)} ${ms.toFixed(3)} ms per cosmology (median, 1 thread)`);
  lines.push(`  batch of ${r.batchSize} (${r.batchModel}) on ${r.threads} threads: ${r.batchPerSecond.toFixed(0)} cosmologies per second`);
  for (const [model, q] of Object.entries(r.ratioToEisensteinHu)) {
    lines.push(`  ${model} / eisenstein_hu, same round: ${q.median.toFixed(2)}x median over ${r.rounds} rounds (${q.min.toFixed(2)}-${q.max.toFixed(2)})`);
  }
  lines.push(`  Boltzmann solver (linear P(k) of one cosmology, 1 thread): ${r.boltzmannSecondsPerCosmology === null ? 'not in this build' : `${r.boltzmannSecondsPerCosmology.toFixed(2)} s`}`);
  for (const [model, why] of Object.entries(r.skipped)) lines.push(`  skipped ${model}: ${why}`);
  return lines.join('\n');
}

export function formatNnBench(r: NnBenchResult): string {
  const lines = ['Neural-network engine (WebAssembly SIMD), GEMM GFLOP/s (m x k x n):'];
  const keys = [...new Set(r.gemm.map((g) => `${g.m}x${g.k}x${g.n}`))];
  for (const fma of [false, true]) {
    for (const threads of [1, 2]) {
      const rows = r.gemm.filter((g) => g.fma === fma && g.threads === threads);
      if (rows.length === 0) continue;
      const cells = keys.map((key) => `${key}: ${rows.filter((g) => `${g.m}x${g.k}x${g.n}` === key).map((g) => `${g.layout} ${g.gflops.toFixed(1)}`).join(' ')}`);
      lines.push(`  ${fma ? 'FMA    ' : 'mul+add'} ${threads} thread${threads > 1 ? 's' : ' '}  ${cells.join(' | ')}`);
    }
  }
  lines.push(`  training step at batch 300 (${r.backend}): FastWeightCNN ${r.trainStepMs.fastWeightCNN.toFixed(0)} ms, default MLP ${r.trainStepMs.defaultMlp.toFixed(2)} ms`);
  const mu = r.metaUpdateMs;
  lines.push(`  meta-update of the default MLP (5 tasks x 500 spectra, 5 inner Adam steps): first-order MAML ${mu.fomaml.toFixed(0)} ms, second-order ${mu.maml.toFixed(0)} ms, Reptile ${mu.reptile.toFixed(0)} ms`);
  lines.push(`  default MLP forward: ${Object.entries(r.evalsPerSecond).map(([b, v]) => `batch ${b}: ${v.toFixed(0)}/s (${(1e6 / v).toFixed(1)} us each)`).join(', ')}`);
  return lines.join('\n');
}

export async function runBenchTheory(options: { json?: boolean }): Promise<void> {
  const r = await benchTheory();
  process.stdout.write(options.json ? `${JSON.stringify(r)}\n` : `${formatTheoryBench(r)}\n`);
}

export async function runBenchNn(options: { json?: boolean; quick?: boolean }): Promise<void> {
  const r = await benchNn({ quick: options.quick });
  process.stdout.write(options.json ? `${JSON.stringify(r)}\n` : `${formatNnBench(r)}\n`);
}
