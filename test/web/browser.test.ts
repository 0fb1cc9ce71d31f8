import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperPriorRanges, paperProblem } from '../../src/inference/problem.js';
import { DEFAULT_LINEAR_MODEL } from '../../src/cosmology/transfer/index.js';
import { nodeLinearOptions } from '../../src/io/pk-emulator-file.js';
import { GaussianLikelihood, Posterior } from '../../src/inference/likelihood.js';
import { chainSamples, summary } from '../../src/inference/compare.js';
import { readChain } from '../../src/inference/chain-file.js';
import { DEFAULT_MCMC, runMcmc } from '../../src/inference/mcmc.js';
import { parseRedshiftDistributions } from '../../src/io/nz-parse.js';
import { readRedshiftDistributions } from '../../src/io/nz-file.js';
import { Random } from '../../src/math/random.js';
import { DEFAULT_ADAPT } from '../../src/meta/maml.js';
import { Emulator } from '../../src/meta/emulator.js';
import { adaptMetaEmulator, loadMetaEmulator } from '../../src/meta/meta-emulator.js';
import { accuracy } from '../../src/meta/metrics.js';
import { createBackend } from '../../src/nn/wasm.js';
import { TheoryModel } from '../../src/parallel/theory-model.js';
import { DEFAULT_META_EMULATOR, PACKAGE_ROOT } from '../../src/paths.js';
import { latinHypercube } from '../../src/tasks/design.js';
import { targetSample } from '../../src/tasks/target.js';
import { findChromium } from '../helpers/chromium.js';

// The whole flow of the web page in a real browser (Debian's chromium driven by playwright-core), against
// the same steps run by the Node library in this process, as `cosmeta adapt` and `cosmeta mcmc` run them.
const CHROMIUM = findChromium();
const SHOTS = join(PACKAGE_ROOT, 'docs', 'browser');
const SEED = 1;
const SPECTRA = 100;
const STEPS = 2000;

let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let dir: string;

async function startServe(): Promise<string> {
  server = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cosmeta.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let text = '';
    server.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
      if (m) ok(m[0]);
    });
    server.stderr?.on('data', (d: Buffer) => fail(new Error(d.toString())));
    server.once('exit', (code) => fail(new Error(`cosmeta serve exited with ${code}`)));
  });
}

describe.skipIf(!CHROMIUM.path)(`the web page in Chromium${CHROMIUM.path ? '' : ` (skipped: ${CHROMIUM.reason})`}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cosmeta-web-'));
    mkdirSync(SHOTS, { recursive: true });
    url = await startServe();
    browser = await chromium.launch({ executablePath: CHROMIUM.path as string, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads cross-origin isolated, rejects a bad n(z) file with the CLI message, adapts with 100 spectra (identical weights, downloadable as HDF5) and samples 2,000 steps as the Node library does for the same seed (chain downloadable as HDF5 and GetDist text)', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await expect(page.getByTestId('threads').textContent()).resolves.toMatch(/WebAssembly threads active/);
    await page.screenshot({ path: join(SHOTS, '1-loaded.png'), fullPage: true });

    // A rejected file: the same parser and message as the CLI (readRedshiftDistributions names the path it was given).
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '0.1 1 2\n0.2 1 x\n');
    let expected = '';
    try {
      parseRedshiftDistributions(readFileSync(bad), 'bad.txt');
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(() => readRedshiftDistributions(bad)).toThrow(expected.replace('bad.txt', bad));
    await page.getByTestId('nz-file').setInputFiles(bad);
    await expect.poll(() => page.getByTestId('error').textContent()).toBe(expected);
    await page.screenshot({ path: join(SHOTS, '2-error.png'), fullPage: true });

    // The target sample as a text file; String(x) round-trips every double, so the page reads the same numbers.
    const target = targetSample();
    const file = join(dir, 'target-nz.txt');
    writeFileSync(file, Array.from(target.z, (z, j) => [z, ...target.nz.map((b) => b[j])].map(String).join(' ')).join('\n') + '\n');
    await page.getByTestId('nz-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('error').textContent()).toBe('');
    await page.getByTestId('samples-input').fill(String(SPECTRA));
    await page.getByTestId('seed-input').fill(String(SEED));
    await page.getByTestId('adapt-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="adapt-result"]')?.textContent !== '', undefined, { timeout: 120_000 });
    const adapted = JSON.parse((await page.getByTestId('adapt-result').textContent()) as string) as { mape: number; f5: number; seconds: number };
    const browserParams = Float32Array.from(await page.evaluate(() => Array.from((window as unknown as { cosmetaEmulatorParams: Float32Array }).cosmetaEmulatorParams)));
    await page.screenshot({ path: join(SHOTS, '3-adapted.png'), fullPage: true });
    // The emulator download is a Cosmeta model file (written by h5wasm in the page) that Node reads back.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('emulator-download').click()]);
    const emuFile = join(dir, 'browser-emulator.h5');
    await download.saveAs(emuFile);

    await page.getByTestId('mcmc-steps-input').fill(String(STEPS));
    await page.getByTestId('mcmc-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="mcmc-result"]')?.textContent !== '', undefined, { timeout: 180_000 });
    const sampled = JSON.parse((await page.getByTestId('mcmc-result').textContent()) as string) as { S8: number[]; Omega_m: number[]; steps: number };
    await page.screenshot({ path: join(SHOTS, '4-posterior.png'), fullPage: true });
    expect(await page.locator('[data-testid="contours"] path').count()).toBeGreaterThan(0);
    // The chain as `cosmeta mcmc` writes it (HDF5, written by h5wasm in the page) and as GetDist text.
    const [h5Download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chain-h5-download').click()]);
    const chainFile = join(dir, 'browser-chain.h5');
    await h5Download.saveAs(chainFile);
    const getdist: Record<string, string> = {};
    await Promise.all([
      new Promise<void>((done) => {
        page.on('download', async (d) => {
          const to = join(dir, `browser-${d.suggestedFilename()}`);
          await d.saveAs(to);
          getdist[d.suggestedFilename()] = readFileSync(to, 'utf8');
          if (Object.keys(getdist).length === 3) done();
        });
      }),
      page.getByTestId('chain-download').click(),
    ]);

    // The reference: the steps of `cosmeta adapt --nz FILE --samples 100 --seed 1` in this process.
    const sample = readRedshiftDistributions(file);
    const backend = await createBackend({ threads: 1 });
    const meta = await loadMetaEmulator(DEFAULT_META_EMULATOR, backend);
    const names = meta.info.parameterNames;
    const x = latinHypercube(names, paperPriorRanges(names, meta.info.nBins), SPECTRA, new Random(SEED));
    // threads: 0 computes in this thread (the worker files are compiled JavaScript); every row is computed alike.
    const theory = new TheoryModel({ z: sample.z, nz: sample.nz, ell: Float64Array.from(meta.info.ell), parameterNames: names, threads: 0 });
    const y = await theory.predict(x, SPECTRA);
    await theory.close();
    const { emulator, validationRows } = adaptMetaEmulator(meta, { x, y, n: SPECTRA }, sample, { ...DEFAULT_ADAPT, seed: SEED });
    const first = SPECTRA - validationRows;
    const acc = accuracy(y.subarray(first * emulator.dataSize), emulator.predictSync(x.subarray(first * names.length), validationRows), validationRows, emulator.dataSize);
    // The same float32 kernels (fused multiply-add in both), order of sums and seeded draws; but the
    // training spectra differ in their last bits: the boltzmann_emulated P(k) evaluates ~1,800 Math.exp per
    // cosmology, whose last bit differs between this Node's V8 and the browser's. Seen: weights within
    // 1.5e-7 of each other (largest weight 0.63: a few float32 ulps), MAPE within 3e-7 relative. Bounds:
    // weights 1e-5 of the largest, MAPE 1e-6 relative (the issue's bound when bits differ).
    expect(browserParams.length).toBe(emulator.params.length);
    let dw = 0;
    let wMax = 0;
    for (let i = 0; i < browserParams.length; i++) {
      dw = Math.max(dw, Math.abs(browserParams[i] - emulator.params[i]));
      wMax = Math.max(wMax, Math.abs(emulator.params[i]));
    }
    expect(dw).toBeLessThan(1e-5 * wMax);
    expect(Math.abs(adapted.mape / acc.mape - 1)).toBeLessThan(1e-6);
    expect(adapted.f5).toBe(acc.f5);
    const downloaded = await Emulator.load(emuFile, backend);
    // The downloaded file holds the browser's weights exactly.
    expect(Buffer.from(Float32Array.from(downloaded.params).buffer).equals(Buffer.from(browserParams.buffer))).toBe(true);
    expect(downloaded.info.nz[0]).toEqual(Array.from(sample.nz[0]));
    downloaded.dispose();

    // ... and of `cosmeta mcmc --model EMU --problem paper --seed 1 --max-steps 2000`.
    const problem = paperProblem({ linearOptions: nodeLinearOptions(DEFAULT_LINEAR_MODEL) });
    const posterior = new Posterior(problem.parameters, emulator, new GaussianLikelihood(problem.data, problem.covariance), problem.fixed);
    const result = await runMcmc(posterior, { ...DEFAULT_MCMC, seed: SEED, maxSteps: STEPS }, join(dir, 'chain.h5'), { description: { problem: 'paper', model: 'emulator' } });
    const s = chainSamples(result.chain, ['Omega_m', 'S8']);
    expect(sampled.steps).toBe(STEPS);
    // Weights a few float32 ulps apart and the same draws: the quantiles moved by ~1e-13 relative (seen), so
    // 1e-8 relative; an accept/reject flipping would move them by ~1e-3.
    const near = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v / b[i] - 1)).toBeLessThan(1e-8));
    near(sampled.S8, summary(s.columns[1]));
    near(sampled.Omega_m, summary(s.columns[0]));
    // The downloaded HDF5 chain reads back with the CLI's reader and holds the same walk: same shape,
    // names and acceptances; positions agree to last bits only (the browser's V8 and this Node's round a few
    // Math functions differently: seen about half the coordinates differing, by up to 5e-10 of the parameter's
    // spread), so the bound is 1e-8 of each parameter's posterior standard deviation; an accept/reject
    // flipping would move a walker by ~1 sd.
    const browserChain = await readChain(chainFile);
    expect(browserChain.names).toEqual(result.chain.names);
    expect([browserChain.steps, browserChain.walkers]).toEqual([result.chain.steps, result.chain.walkers]);
    expect(browserChain.state.accepted).toEqual(result.chain.state.accepted);
    const D = result.chain.names.length;
    const sd = result.chain.names.map((_, d) => {
      const col = result.chain.samples.filter((_, i) => i % D === d);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      return Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
    });
    let dx = 0;
    for (let i = 0; i < browserChain.samples.length; i++) dx = Math.max(dx, Math.abs(browserChain.samples[i] - result.chain.samples[i]) / sd[i % D]);
    process.stderr.write(`browser chain vs Node: max |dx| / sd = ${dx.toExponential(2)}\n`);
    expect(dx).toBeLessThan(1e-8);
    expect(browserChain.config).toMatchObject({ problem: 'paper', sample: 'target-nz.txt' });
    // GetDist: one row per post-burn-in sample (weight, -ln posterior, the sampled and derived columns).
    const rows = getdist['chain.txt'].trim().split('\n');
    expect(rows.length).toBe((STEPS - Math.min(result.chain.burnIn, STEPS / 2)) * result.chain.walkers);
    expect(rows[0].trim().split(/\s+/).length).toBe(2 + result.chain.names.length + 2);
    expect(getdist['chain.paramnames']).toMatch(/^Omega_m\*\s/m);
    emulator.dispose();
    backend.dispose();
    writeFileSync(join(dir, 'done'), JSON.stringify({ adapted, sampled }));
  }, 300_000);
});

describe('finding a browser', () => {
  it('reports a reason when there is none', () => {
    expect(findChromium({ CHROMIUM: '/nonexistent/chromium', PATH: '/nonexistent' }).reason).toMatch(/chromium/);
    expect(existsSync(join(PACKAGE_ROOT, 'src', 'cli', 'serve.ts'))).toBe(true);
  });
});
