import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A browser the tests can drive: its path, or null and the reason there is none (reported as the tests' skip). */
export interface FoundBrowser {
  path: string | null;
  reason: string;
}

/** $VAR, else the first of `names` on the PATH, else the reason (with how to install it). */
function findBrowser(env: NodeJS.ProcessEnv, variable: string, names: string[], install: string): FoundBrowser {
  const given = env[variable];
  if (given) return existsSync(given) ? { path: given, reason: '' } : { path: null, reason: `${variable}=${given} does not exist` };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of names) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return { path: p, reason: '' };
    }
  }
  return { path: null, reason: `no ${names.join(' or ')} on the PATH (Debian: ${install}; or set ${variable}=/path/to/it)` };
}

/** The Chromium the browser tests drive: $CHROMIUM, else `chromium` (Debian's package) or `chromium-browser`. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): FoundBrowser {
  return findBrowser(env, 'CHROMIUM', ['chromium', 'chromium-browser'], 'apt-get install chromium');
}

/** The Firefox the browser tests drive (WebDriver BiDi): $FIREFOX, else `firefox-esr` (Debian's package) or `firefox`. */
export function findFirefox(env: NodeJS.ProcessEnv = process.env): FoundBrowser {
  return findBrowser(env, 'FIREFOX', ['firefox-esr', 'firefox'], 'apt-get install firefox-esr');
}
