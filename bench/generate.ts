/**
 * `npm run bench:generate`: the paper-size training set (200 tasks x 5,000 spectra of 750 numbers) on all
 * cores; prints wall time, spectra per second and peak resident memory. Takes ~15 minutes on 2 cores and
 * writes ~6 GB (in a temporary directory, removed afterwards).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate.js';
import { paperFamily } from '../src/tasks/families.js';

const tasks = Number(process.env.COSMETA_BENCH_TASKS ?? 200);
const samples = Number(process.env.COSMETA_BENCH_SAMPLES ?? 5000);
const dir = mkdtempSync(join(process.env.COSMETA_BENCH_DIR ?? tmpdir(), 'cosmeta-bench-'));
const out = join(dir, 'paper.h5');
const t0 = performance.now();
let last = 0;
try {
  await generateDataset({ tasks, samples, seed: 1, family: paperFamily() }, out, {
    onProgress: ({ done, total }) => {
      if (done - last >= total / 20) {
        last = done;
        process.stderr.write(`  ${done}/${total} spectra, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `Dataset generation, ${tasks} tasks x ${samples} spectra (paper family, eisenstein_hu + halofit, 750 numbers each), ${availableParallelism()} threads:\n` +
      `  wall time ${seconds.toFixed(0)} s (${(seconds / 60).toFixed(1)} min), ${((tasks * samples) / seconds).toFixed(0)} spectra per second\n` +
      `  peak resident memory ${rssMB.toFixed(0)} MB, file ${(statSync(out).size / 1e9).toFixed(2)} GB\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
