/**
 * Vitest global setup: make sure the build the tests need is current before any test runs. Tests import
 * the TypeScript sources, but some run compiled JavaScript: the `cosmeta` command (bin/cosmeta.js runs
 * dist/), worker threads (Node runs only JavaScript in them; see workerScript in src/paths.ts) and the
 * WebAssembly kernels (build/wasm). `npm test` builds first (its pretest script); this also covers
 * `npx vitest run ...` on a fresh clone or after an edit: scripts/setup.mjs runs when its stamp
 * (dist/.setup-stamp, written at its end) is missing or older than any source, lock file or script.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const stamp = join(ROOT, 'dist', '.setup-stamp');
  const sources = Math.max(...['src', 'bench', 'assembly', 'scripts'].map((d) => newest(join(ROOT, d))), statSync(join(ROOT, 'package-lock.json')).mtimeMs, statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'setup.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}
