/** Locations inside the installed package (the same from src/ under the test runner and from dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'cosmeta') return dir;
    dir = dirname(dir);
  }
  throw new Error('the cosmeta package root was not found');
}

/** The package root (where package.json is). */
export const PACKAGE_ROOT = findRoot();

/** The compiled WebAssembly kernels (built by scripts/setup.mjs). */
export const WASM_DIR = join(PACKAGE_ROOT, 'build', 'wasm');

/** The meta-emulator shipped with the package (trained by the command in the README's meta-learning section). */
export const DEFAULT_META_EMULATOR = join(PACKAGE_ROOT, 'models', 'meta-default.h5');
