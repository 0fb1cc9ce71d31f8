import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Chromium the browser tests drive: $CHROMIUM, else `chromium` (Debian's package) or
 * `chromium-browser` on the PATH; otherwise the reason there is none (the tests report it as their skip).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string | null; reason: string } {
  if (env.CHROMIUM) return existsSync(env.CHROMIUM) ? { path: env.CHROMIUM, reason: '' } : { path: null, reason: `CHROMIUM=${env.CHROMIUM} does not exist` };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return { path: p, reason: '' };
    }
  }
  return { path: null, reason: 'no chromium on the PATH (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chromium)' };
}
