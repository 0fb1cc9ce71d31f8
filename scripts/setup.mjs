// Installs the locked dependencies when they are missing or stale, then compiles the TypeScript and
// builds the web page (dist-web/).
// `npm test`, `npm start` and `npm run bench` call this first, so a fresh clone needs nothing but Node and npm.
import { execSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run('npm ci --no-audit --no-fund --loglevel=error');
}
run('node scripts/build-wasm.mjs');
run('npx --no-install tsc -p tsconfig.build.json');
run('node scripts/build-web.mjs');
// The tests' global setup (test/helpers/global-setup.ts) rebuilds when a source is newer than this stamp.
writeFileSync(join(root, 'dist', '.setup-stamp'), `${new Date().toISOString()}\n`);
