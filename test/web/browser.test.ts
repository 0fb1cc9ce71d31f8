import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChain } from '../../src/inference/chain-file.js';
import { parseRedshiftDistributions } from '../../src/io/nz-parse.js';
import { readRedshiftDistributions } from '../../src/io/nz-file.js';
import { Emulator } from '../../src/meta/emulator.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { targetSample } from '../../src/tasks/target.js';
import { findChromium, findFirefox } from '../helpers/browsers.js';
import { DES_Y1_FITS, expectSameAsNode, expectSameQuantiles, nodeReference, nodeSurveyReference, startServe } from '../helpers/web.js';

// The whole flow of the web page in a real browser (Debian's chromium driven by playwright-core), against
// the same steps run by the Node library in this process, as `cosmeta adapt` and `cosmeta mcmc` run them.
const CHROMIUM = findChromium();
const SHOTS = join(PACKAGE_ROOT, 'docs', 'browser');
const SEED = 1;
const SPECTRA = 100;
const STEPS = 2000;
const SURVEY_STEPS = 6;

let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let dir: string;

describe.skipIf(!CHROMIUM.path)(`the web page in Chromium${CHROMIUM.path ? '' : ` (skipped: ${CHROMIUM.reason})`}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cosmeta-web-'));
    mkdirSync(SHOTS, { recursive: true });
    ({ server, url } = await startServe());
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

    // The reference: `cosmeta adapt --nz FILE --samples 100 --seed 1`, then `cosmeta mcmc --model EMU
    // --problem paper --seed 1 --max-steps 2000`, by the library in this process.
    const sample = readRedshiftDistributions(file);
    const ref = await nodeReference(file, dir, { seed: SEED, spectra: SPECTRA, steps: STEPS });
    const { maxWeightDifference } = expectSameAsNode({ params: browserParams, mape: adapted.mape, f5: adapted.f5, S8: sampled.S8, Omega_m: sampled.Omega_m, steps: sampled.steps }, ref);
    process.stderr.write(`chromium vs Node: weights differ by at most ${maxWeightDifference.toExponential(2)}\n`);
    const downloaded = await Emulator.load(emuFile, ref.backend);
    // The downloaded file holds the browser's weights exactly.
    expect(Buffer.from(Float32Array.from(downloaded.params).buffer).equals(Buffer.from(browserParams.buffer))).toBe(true);
    expect(downloaded.info.nz[0]).toEqual(Array.from(sample.nz[0]));
    downloaded.dispose();
    // The downloaded HDF5 chain reads back with the CLI's reader and holds the same walk: same shape,
    // names and acceptances; positions agree to last bits only (the browser's V8 and this Node's round a few
    // Math functions differently: seen about half the coordinates differing, by up to 5e-10 of the parameter's
    // spread), so the bound is 1e-8 of each parameter's posterior standard deviation; an accept/reject
    // flipping would move a walker by ~1 sd.
    const browserChain = await readChain(chainFile);
    expect(browserChain.names).toEqual(ref.chain.names);
    expect([browserChain.steps, browserChain.walkers]).toEqual([ref.chain.steps, ref.chain.walkers]);
    expect(browserChain.state.accepted).toEqual(ref.chain.state.accepted);
    const D = ref.chain.names.length;
    const sd = ref.chain.names.map((_, d) => {
      const col = ref.chain.samples.filter((_, i) => i % D === d);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      return Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
    });
    let dx = 0;
    for (let i = 0; i < browserChain.samples.length; i++) dx = Math.max(dx, Math.abs(browserChain.samples[i] - ref.chain.samples[i]) / sd[i % D]);
    process.stderr.write(`browser chain vs Node: max |dx| / sd = ${dx.toExponential(2)}\n`);
    expect(dx).toBeLessThan(1e-8);
    expect(browserChain.config).toMatchObject({ problem: 'paper', sample: 'target-nz.txt' });
    // GetDist: one row per post-burn-in sample (weight, -ln posterior, the sampled and derived columns).
    const rows = getdist['chain.txt'].trim().split('\n');
    expect(rows.length).toBe((STEPS - Math.min(ref.chain.burnIn, STEPS / 2)) * ref.chain.walkers);
    expect(rows[0].trim().split(/\s+/).length).toBe(2 + ref.chain.names.length + 2);
    expect(getdist['chain.paramnames']).toMatch(/^Omega_m\*\s/m);
    ref.dispose();
    writeFileSync(join(dir, 'done'), JSON.stringify({ adapted, sampled }));
  }, 300_000);

  it('samples a survey posterior from an uploaded SACC file (DES Y1) with the default config, as cosmeta mcmc --config does for the same seed', async () => {
    // Its own page load, so it passes alone or in any order. The DES Y1 SACC file in its FITS form (LSST DESC firecrown's
    // legacy_sacc_data.fits), the shipped DES Y1 config as the page prefills it, 6 steps of the config's 64 walkers.
    await page.goto(url);
    const fits = DES_Y1_FITS;
    const name = basename(fits);
    await expect.poll(() => page.getByTestId('survey-config').inputValue()).toMatch(/DES Y1 cosmic shear/);
    const configText = await page.getByTestId('survey-config').inputValue();
    expect(configText).toBe(readFileSync(join(PACKAGE_ROOT, 'configs', 'des-y1.yaml'), 'utf8'));
    // A rejected file first: the reader's one-line message, inline.
    const bad = join(dir, 'bad.fits');
    writeFileSync(bad, 'SIMPLE  =                    T / not really');
    await page.getByTestId('survey-file').setInputFiles(bad);
    await page.getByTestId('survey-steps-input').fill(String(SURVEY_STEPS));
    await page.getByTestId('survey-button').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/^bad\.fits: /);
    await page.getByTestId('survey-file').setInputFiles(fits);
    await page.getByTestId('survey-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="survey-result"]')?.textContent !== '', undefined, { timeout: 180_000 });
    expect(await page.getByTestId('error').textContent()).toBe('');
    const sampled = JSON.parse((await page.getByTestId('survey-result').textContent()) as string) as { S8: number[]; Omega_m: number[]; steps: number };
    await page.screenshot({ path: join(SHOTS, '5-survey.png'), fullPage: true });
    const [h5Download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chain-h5-download').click()]);
    const chainFile = join(dir, 'survey-chain.h5');
    await h5Download.saveAs(chainFile);

    // The same analysis in Node. C_ell differ in their last bits between the browser's V8 and Node's
    // (Math.exp, above); the draws are the same.
    const { chain, ...ref } = await nodeSurveyReference(fits, name, configText, { seed: SEED, steps: SURVEY_STEPS });
    expect(sampled.steps).toBe(SURVEY_STEPS);
    expectSameQuantiles(sampled, ref);
    const downloaded = await readChain(chainFile);
    expect(downloaded.names).toEqual(chain.names);
    expect(downloaded.state.accepted).toEqual(chain.state.accepted);
    expect(downloaded.config).toMatchObject({ problem: name, model: 'theory' });
  }, 300_000);
});

describe('finding a browser', () => {
  it('reports a reason when there is none', () => {
    expect(findChromium({ CHROMIUM: '/nonexistent/chromium', PATH: '/nonexistent' }).reason).toMatch(/CHROMIUM=\/nonexistent\/chromium does not exist/);
    expect(findChromium({ PATH: '/nonexistent' }).reason).toMatch(/apt-get install chromium/);
    expect(findFirefox({ PATH: '/nonexistent' }).reason).toMatch(/no firefox-esr or firefox on the PATH .*apt-get install firefox-esr/);
    expect(existsSync(join(PACKAGE_ROOT, 'src', 'cli', 'serve.ts'))).toBe(true);
  });
});
