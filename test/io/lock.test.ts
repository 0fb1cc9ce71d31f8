import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CosmetaError } from '../../src/errors.js';
import { acquireOutputLock, lockPathOf, withOutputLock } from '../../src/io/lock.js';

/** The pid of a process that has exited (so `kill(pid, 0)` gives ESRCH). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const staleLock = (out: string, pid: number) =>
  writeFileSync(lockPathOf(out), `${JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'cosmeta generate' })}\n`);

// Other processes taking the lock are plain `node` children, which run JavaScript only: they import the
// build's dist/src/io/lock.js (the tests' global setup builds it when missing or stale).
describe('output locks (src/io/lock.ts)', () => {
  it('holds the output while the function runs, refuses a second holder by name, and releases after', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cosmeta-lock-')), 'a.h5');
    await withOutputLock(out, async () => {
      const holder = JSON.parse(readFileSync(lockPathOf(out), 'utf8'));
      expect(holder.pid).toBe(process.pid);
      // Another process asking for the same output: CosmetaError naming the output, pid and remedy.
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import('${join(__dirname, '..', '..', 'dist', 'src', 'io', 'lock.js')}').then(m => { try { m.acquireOutputLock(${JSON.stringify(out)}); console.log('acquired'); } catch (e) { console.log(e.name + ': ' + e.message); } })`], { encoding: 'utf8' });
      expect(r.stdout).toContain(`CosmetaError: ${out} is being written by process ${process.pid}`);
      expect(r.stdout).toContain('wait for it to finish');
      // Re-entrant within the process.
      await withOutputLock(out, async () => expect(existsSync(lockPathOf(out))).toBe(true));
      expect(existsSync(lockPathOf(out))).toBe(true);
    });
    expect(existsSync(lockPathOf(out))).toBe(false);
  });

  it('releases the lock when the function throws', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cosmeta-lock-')), 'b.h5');
    await expect(withOutputLock(out, async () => { throw new CosmetaError('boom'); })).rejects.toThrow('boom');
    expect(existsSync(lockPathOf(out))).toBe(false);
  });

  it('takes over a lock whose holder is dead; refuses one held by a live process or on another host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-lock-'));
    const out = join(dir, 'c.h5');
    staleLock(out, deadPid());
    const lock = acquireOutputLock(out);
    expect(JSON.parse(readFileSync(lockPathOf(out), 'utf8')).pid).toBe(process.pid);
    lock.release();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      staleLock(out, live.pid as number);
      expect(() => acquireOutputLock(out)).toThrow(`process ${live.pid}`);
    } finally {
      live.kill('SIGKILL');
    }
    writeFileSync(lockPathOf(out), JSON.stringify({ pid: 1, host: 'elsewhere', started: 'x', command: 'cosmeta mcmc' }));
    expect(() => acquireOutputLock(out)).toThrow(/on host elsewhere.*delete .*c\.h5\.lock if that process is gone/);
  });

  it('a stale lock found by many processes at once is taken over by exactly one', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cosmeta-lock-')), 'd.h5');
    staleLock(out, deadPid());
    const lockModule = join(__dirname, '..', '..', 'dist', 'src', 'io', 'lock.js');
    // Each contender takes the lock, holds it 1.5 s (so none can finish before the others try), and reports.
    const script = `import('${lockModule}').then(async (m) => { try { m.acquireOutputLock(${JSON.stringify(out)}); console.log('acquired'); await new Promise((r) => setTimeout(r, 1500)); } catch (e) { console.log(e.name); } })`;
    const runs = Array.from({ length: 6 }, () =>
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script]);
        let s = '';
        c.stdout.on('data', (d) => (s += String(d)));
        c.on('exit', () => resolve(s.trim()));
      }),
    );
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === 'acquired').length).toBe(1);
    expect(results.filter((r) => r === 'CosmetaError').length).toBe(5);
  }, 60_000);
});
