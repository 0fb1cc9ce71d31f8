// Builds the web page into dist-web/ (a static folder): the TypeScript of web/ bundled with esbuild from
// the same sources as the library (cosmeta/browser), the WebAssembly kernels, and the shipped
// meta-emulator models/meta-default.h5 as JSON (its float32 weights bit for bit, read with the library's
// own loader from dist/). Run by scripts/setup.mjs after tsc; rebuilds only when an input changed.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-web');
const stamp = join(out, '.built');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const inputs = Math.max(newest(join(root, 'web')), newest(join(root, 'src')), newest(join(root, 'build', 'wasm')), statSync(join(root, 'models', 'meta-default.h5')).mtimeMs, statSync(join(root, 'models', 'pk-emulator.json')).mtimeMs, statSync(join(root, 'package.json')).mtimeMs, statSync(join(root, 'configs', 'des-y1.yaml')).mtimeMs);
if (existsSync(stamp) && statSync(stamp).mtimeMs > inputs) process.exit(0);

const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, 'wasm'), { recursive: true });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
await build({
  entryPoints: ['main', 'engine-worker', 'theory-worker', 'kernel-worker'].map((n) => join(root, 'web', `${n}.ts`)),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: tmp,
  minify: true,
  sourcemap: false,
  define: { COSMETA_VERSION: JSON.stringify(`${pkg.name} ${pkg.version}`) },
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(tmp, f));
// The linear P(k) emulator behind the default boltzmann_emulated model, as shipped.
copyFileSync(join(root, 'models', 'pk-emulator.json'), join(tmp, 'pk-emulator.json'));
copyFileSync(join(root, 'configs', 'des-y1.yaml'), join(tmp, 'des-y1.yaml'));
cpSync(join(root, 'build', 'wasm'), join(tmp, 'wasm'), { recursive: true });
const { createBackend } = await import(pathToFileURL(join(root, 'dist', 'src', 'nn', 'wasm.js')).href);
const { loadModel } = await import(pathToFileURL(join(root, 'dist', 'src', 'nn', 'serialize.js')).href);
const { exportModel } = await import(pathToFileURL(join(root, 'dist', 'src', 'nn', 'model-file.js')).href);
const backend = await createBackend({ threads: 1 });
writeFileSync(join(tmp, 'meta-default.json'), JSON.stringify(exportModel(await loadModel(join(root, 'models', 'meta-default.h5'), backend))));
backend.dispose();
writeFileSync(join(tmp, '.built'), `${new Date().toISOString()}\n`);
rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
