/** `cosmeta bench theory [--json]`: the theory engine's speed figures (the same as `npm run bench`). */

import { benchTheory, type TheoryBenchResult } from '../bench/theory.js';

export function formatTheoryBench(r: TheoryBenchResult): string {
  const lines = ['Theory engine, paper data vector (5 bins, 15 pairs, 50 ell, n(z) on 300 points), halofit on:'];
  for (const [model, ms] of Object.entries(r.msPerCosmology)) lines.push(`  ${model.padEnd(26)} ${ms.toFixed(3)} ms per cosmology (median, 1 thread)`);
  lines.push(`  batch of ${r.batchSize} (${r.batchModel}) on ${r.threads} threads: ${r.batchPerSecond.toFixed(0)} cosmologies per second`);
  return lines.join('\n');
}

export async function runBenchTheory(options: { json?: boolean }): Promise<void> {
  const r = await benchTheory();
  process.stdout.write(options.json ? `${JSON.stringify(r)}\n` : `${formatTheoryBench(r)}\n`);
}
