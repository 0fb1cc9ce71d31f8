/** Package name and version, recorded in every output file. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): string {
  // src/version.ts and dist/src/version.js sit at different depths below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('package.json of cosmeta not found');
}

const pkg = JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { name: string; version: string };

export const VERSION = `${pkg.name} ${pkg.version}`;
