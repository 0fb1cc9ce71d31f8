import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetSample } from '../../src/tasks/target.js';
import { findFirefox } from '../helpers/browsers.js';
import { DES_Y1_HDF5, expectSameAsNode, expectSameQuantiles, nodeReference, nodeSurveyReference, startServe } from '../helpers/web.js';

// The web page's flow in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core:
// playwright-core drives only its own patched Firefox builds), against the same steps run by the Node
// library in this process. The Chromium test (browser.test.ts) also covers the downloads and screenshots.
const FIREFOX = findFirefox();
const SEED = 1;
const SPECTRA = 100;
const STEPS = 2000;
const SURVEY_STEPS = 6;

let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let dir: string;

/** Text of the element with this data-testid once it is non-empty; the page's error line instead fails at once. */
async function resultText(id: string, timeout: number): Promise<string> {
  await page.waitForFunction(
    (i: string) => (document.querySelector(`[data-testid="${i}"]`)?.textContent ?? '') !== '' || (document.querySelector('[data-testid="error"]')?.textContent ?? '') !== '',
    { timeout },
    id,
  );
  const error = await page.$eval('[data-testid="error"]', (e) => e.textContent ?? '');
  if (error !== '') throw new Error(`the page reported: ${error}`);
  return page.$eval(`[data-testid="${id}"]`, (e) => e.textContent as string);
}

/**
 * Click a button once it is enabled, as a DOM click on the element. Puppeteer (unlike playwright) clicks a
 * disabled button without waiting, and the page disables its buttons until the engine has loaded (slow on a
 * loaded machine); and a mouse click at the element's coordinates misses it if the layout moves between
 * the two (text and figures above it fill in as the page works). Either way the result never comes.
 */
async function clickEnabled(id: string): Promise<void> {
  await page.waitForFunction((i: string) => (document.querySelector(`[data-testid="${i}"]`) as HTMLButtonElement | null)?.disabled === false, { timeout: 120_000 }, id);
  await page.$eval(`[data-testid="${id}"]`, (b) => (b as HTMLButtonElement).click());
}

async function fill(id: string, value: string): Promise<void> {
  await page.$eval(`[data-testid="${id}"]`, (e, v) => ((e as HTMLInputElement).value = v), value);
}

describe.skipIf(!FIREFOX.path)(`the web page in Firefox${FIREFOX.path ? '' : ` (skipped: ${FIREFOX.reason})`}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cosmeta-firefox-'));
    ({ server, url } = await startServe());
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX.path as string, headless: true });
    page = await browser.newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${(e as Error).message}\n`));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads cross-origin isolated with WebAssembly threads, adapts with 100 spectra, samples 2,000 steps and a survey posterior from an uploaded SACC file as the Node library does for the same seed', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.$eval('[data-testid="threads"]', (e) => e.textContent)).toMatch(/WebAssembly threads active/);

    const target = targetSample();
    const file = join(dir, 'target-nz.txt');
    writeFileSync(file, Array.from(target.z, (z, j) => [z, ...target.nz.map((b) => b[j])].map(String).join(' ')).join('\n') + '\n');
    const input = await page.$('[data-testid="nz-file"]');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
    await page.waitForFunction(() => (document.getElementById('sample-name')?.textContent ?? '').includes('target-nz.txt'), { timeout: 30_000 });
    expect(await page.$eval('[data-testid="error"]', (e) => e.textContent)).toBe('');
    await fill('samples-input', String(SPECTRA));
    await fill('seed-input', String(SEED));
    await clickEnabled('adapt-button');
    const adapted = JSON.parse(await resultText('adapt-result', 180_000)) as { mape: number; f5: number; seconds: number };
    const params = Float32Array.from(await page.evaluate(() => Array.from((window as unknown as { cosmetaEmulatorParams: Float32Array }).cosmetaEmulatorParams)));
    await fill('mcmc-steps-input', String(STEPS));
    await clickEnabled('mcmc-button');
    const sampled = JSON.parse(await resultText('mcmc-result', 300_000)) as { S8: number[]; Omega_m: number[]; steps: number };
    expect(await page.$$eval('[data-testid="contours"] path', (p) => p.length)).toBeGreaterThan(0);

    const ref = await nodeReference(file, dir, { seed: SEED, spectra: SPECTRA, steps: STEPS });
    const { maxWeightDifference } = expectSameAsNode({ params, mape: adapted.mape, f5: adapted.f5, S8: sampled.S8, Omega_m: sampled.Omega_m, steps: sampled.steps }, ref);
    process.stderr.write(`firefox vs Node: weights differ by at most ${maxWeightDifference.toExponential(2)}; MAPE ${adapted.mape} vs ${ref.mape}; adaptation ${adapted.seconds.toFixed(1)} s\n`);
    ref.dispose();

    // A survey: the DES Y1 SACC file in HDF5 (Chromium's test uploads the FITS copy) with the prefilled DES Y1
    // config, 6 steps, as in Node.
    await page.waitForFunction(() => ((document.querySelector('[data-testid="survey-config"]') as HTMLTextAreaElement | null)?.value ?? '').includes('DES Y1'), { timeout: 30_000 });
    const configText = await page.$eval('[data-testid="survey-config"]', (e) => (e as HTMLTextAreaElement).value);
    const upload = await page.$('[data-testid="survey-file"]');
    await (upload as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(DES_Y1_HDF5);
    await page.waitForFunction(() => (document.getElementById('survey-name')?.textContent ?? '').includes('sacc_data.hdf5'), { timeout: 30_000 });
    await fill('survey-steps-input', String(SURVEY_STEPS));
    await clickEnabled('survey-button');
    const survey = JSON.parse(await resultText('survey-result', 180_000)) as { S8: number[]; Omega_m: number[]; steps: number };
    expect(await page.$eval('[data-testid="error"]', (e) => e.textContent)).toBe('');
    const surveyRef = await nodeSurveyReference(DES_Y1_HDF5, 'sacc_data.hdf5', configText, { seed: SEED, steps: SURVEY_STEPS });
    expect(survey.steps).toBe(SURVEY_STEPS);
    expectSameQuantiles(survey, surveyRef);
  }, 400_000);
});
