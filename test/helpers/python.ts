/**
 * The system Python used for optional cross-checks (never a dependency): the first of `python3` on PATH
 * and /usr/bin/python3 that imports all the given modules, or null (the test then skips and says why).
 */
import { spawnSync } from 'node:child_process';

export function pythonWith(...modules: string[]): string | null {
  for (const exe of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(exe, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (r.status === 0) return exe;
  }
  return null;
}

/** A test-title suffix saying why an optional Python check did not run. */
export function skipNote(python: string | null, modules: string): string {
  return python === null ? ` [skipped: no python3 with ${modules} here]` : '';
}
