/**
 * Speed of the web page against Node in the same run (the machine is noisy, so the figures are ratios):
 * adaptation of the shipped meta-emulator with 100 spectra (spectra + fine-tuning, as `cosmeta adapt`)
 * and emulator MCMC steps per second (as `cosmeta mcmc --model EMU`), in Chromium through playwright-core
 * (the page served by `cosmeta serve`) and in this Node process with the library's functions.
 *
 *   npm run bench:browser [-- --steps 1000]     (needs chromium: apt-get install chromium, or $CHROMIUM)
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_LINEAR_MODEL } from '../src/cosmology/transfer/index.js';
import { GaussianLikelihood, Posterior } from '../src/inference/likelihood.js';
import { DEFAULT_MCMC, runMcmc } from '../src/inference/mcmc.js';
import { paperPriorRanges, paperProblem } from '../src/inference/problem.js';
import { nodeLinearOptions } from '../src/io/pk-emulator-file.js';
import { readRedshiftDistributions } from '../src/io/nz-file.js';
import { Random } from '../src/math/random.js';
import { DEFAULT_ADAPT } from '../src/meta/maml.js';
import { adaptMetaEmulator, loadMetaEmulator } from '../src/meta/meta-emulator.js';
import { createBackend } from '../src/nn/wasm.js';
import { TheoryModel } from '../src/parallel/theory-model.js';
import { DEFAULT_META_EMULATOR, PACKAGE_ROOT } from '../src/paths.js';
import { latinHypercube } from '../src/tasks/design.js';
import { targetSample } from '../src/tasks/target.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const STEPS = arg('--steps', 1000);
const SPECTRA = 100;
const SEED = 1;
const exe = process.env.CHROMIUM ?? '/usr/bin/chromium';

async function node(file: string, dir: string): Promise<{ adaptSeconds: number; stepsPerSecond: number }> {
  const t0 = performance.now();
  const sample = readRedshiftDistributions(file);
  const backend = await createBackend({ threads: 1 });
  const meta = await loadMetaEmulator(DEFAULT_META_EMULATOR, backend);
  const names = meta.info.parameterNames;
  const x = latinHypercube(names, paperPriorRanges(names, meta.info.nBins), SPECTRA, new Random(SEED));
  const theory = new TheoryModel({ z: sample.z, nz: sample.nz, ell: Float64Array.from(meta.info.ell), parameterNames: names });
  const y = await theory.predict(x, SPECTRA);
  await theory.close();
  const { emulator } = adaptMetaEmulator(meta, { x, y, n: SPECTRA }, sample, { ...DEFAULT_ADAPT, seed: SEED });
  const adaptSeconds = (performance.now() - t0) / 1000;
  const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
  const posterior = new Posterior(problem.parameters, emulator, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
  const out = join(dir, `chain-${Date.now()}.h5`);
  const r = await runMcmc(posterior, { ...DEFAULT_MCMC, seed: SEED, maxSteps: STEPS }, out, { description: { bench: 'browser' } });
  emulator.dispose();
  backend.dispose();
  return { adaptSeconds, stepsPerSecond: r.chain.steps / r.seconds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cosmeta-bench-web-'));
  const t = targetSample();
  const file = join(dir, 'target-nz.txt');
  writeFileSync(file, Array.from(t.z, (z, j) => [z, ...t.nz.map((b) => b[j])].map(String).join(' ')).join('\n') + '\n');
  const server = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cosmeta.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok) => {
    let text = '';
    server.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
      if (m) ok(m[0]);
    });
  });
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
  try {
    const rows: Array<{ where: string; adaptSeconds: number; stepsPerSecond: number }> = [];
    // Alternate browser and Node twice, so a burst of load on the machine hits both.
    for (let round = 0; round < 2; round++) {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.getByTestId('nz-file').setInputFiles(file);
      await page.getByTestId('samples-input').fill(String(SPECTRA));
      await page.getByTestId('seed-input').fill(String(SEED));
      await page.getByTestId('adapt-button').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="adapt-result"]')?.textContent !== '', undefined, { timeout: 600_000 });
      const a = JSON.parse((await page.getByTestId('adapt-result').textContent()) as string) as { seconds: number };
      await page.getByTestId('mcmc-steps-input').fill(String(STEPS));
      await page.getByTestId('mcmc-button').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="mcmc-result"]')?.textContent !== '', undefined, { timeout: 1_800_000 });
      const m = JSON.parse((await page.getByTestId('mcmc-result').textContent()) as string) as { steps: number; seconds: number };
      await page.close();
      rows.push({ where: 'browser', adaptSeconds: a.seconds, stepsPerSecond: m.steps / m.seconds });
      rows.push({ where: 'node', ...(await node(file, dir)) });
    }
    const best = (w: string, k: 'adaptSeconds' | 'stepsPerSecond') => {
      const v = rows.filter((r) => r.where === w).map((r) => r[k]);
      return k === 'adaptSeconds' ? Math.min(...v) : Math.max(...v);
    };
    for (const r of rows) console.log(`${r.where.padEnd(8)} adapt (100 spectra) ${r.adaptSeconds.toFixed(2)} s   mcmc ${r.stepsPerSecond.toFixed(1)} steps/s (${STEPS} steps, 76 walkers)`);
    console.log(`best of 2, ${availableParallelism()} cores: adaptation browser/node time ratio ${(best('browser', 'adaptSeconds') / best('node', 'adaptSeconds')).toFixed(2)}; mcmc browser/node steps/s ratio ${(best('browser', 'stepsPerSecond') / best('node', 'stepsPerSecond')).toFixed(2)}`);
  } finally {
    await browser.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
