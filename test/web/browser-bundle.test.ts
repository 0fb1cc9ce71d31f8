import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

// The browser-safe entry point must bundle for the browser with no Node built-ins at all: esbuild with
// platform 'browser' refuses to resolve them, and the output is checked for any left-over node: import.
async function bundle(entry: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  return r.outputFiles[0].text;
}

describe('cosmeta/browser', () => {
  it('bundles from source with platform browser and imports nothing of Node', async () => {
    const text = await bundle(join(PACKAGE_ROOT, 'src', 'browser.ts'));
    expect(text).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(text).not.toMatch(/require\(["'](fs|path|os|worker_threads|v8|url)["']\)/);
    // The pieces the page needs are in it (names survive bundling as exports).
    for (const name of ['parseRedshiftDistributions', 'adaptMetaEmulatorAs', 'sampleChain', 'WasmBackend', 'ShearTheory']) expect(text).toContain(name);
  });

  it('is the package subpath export "./browser" and bundles from the built dist/ too', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string> };
    expect(pkg.exports['./browser']).toBe('./dist/src/browser.js');
    const text = await bundle(join(PACKAGE_ROOT, pkg.exports['./browser']));
    expect(text).not.toMatch(/["']node:[a-z_/]+["']/);
  });

  it('the Node shell of the same backend is refused, so the check can fail', async () => {
    await expect(bundle(join(PACKAGE_ROOT, 'src', 'nn', 'wasm.ts'))).rejects.toThrow(/node:/);
  });
});
