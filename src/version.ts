/** Package name and version, recorded in every output file. */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const VERSION = `${pkg.name} ${pkg.version}`;
