/**
 * One writer per output: an exclusive lock file beside the output, `OUT.lock`, created with O_EXCL and
 * holding {pid, host, started, command}. A second process asking for the same output gets a CosmetaError
 * (exit code 2 from the CLI) naming the output, the holder's pid and host, and what to do. A lock whose
 * holder is dead (same host, `kill(pid, 0)` fails with ESRCH) is taken over; the takeover is itself
 * exclusive: only the process that creates `OUT.lock.takeover` (again O_EXCL) may remove the stale lock,
 * and it re-reads the lock first, so two processes finding the same stale lock never both proceed.
 *
 *   await withOutputLock(out, async () => { ...write out and its checkpoints... });
 *
 * The lock is released when the function settles; after kill -9 it stays behind with a dead pid and the
 * next run takes it over. Locks held by a process on another host cannot be checked and are never taken
 * over (the message says so). Re-entrant within one process (the same output locked twice nests).
 */

import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeSync, type Dirent } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CosmetaError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  command: string;
}

export interface OutputLock {
  /** The output the lock protects, and the lock file. */
  path: string;
  lockPath: string;
  release(): void;
}

/** A takeover guard older than this (ms) belongs to a process that died inside the takeover. */
const GUARD_STALE_MS = 10_000;

const held = new Map<string, { count: number; token: string }>();

export function lockPathOf(path: string): string {
  return `${resolve(path)}.lock`;
}

/** Sleep synchronously (the lock is taken before any asynchronous work starts). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Create `file` with O_EXCL holding `text`; false if it exists. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CosmetaError(`cannot create the lock ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(file: string): { text: string; holder: LockHolder | null } | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null; // gone meanwhile
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return { text, holder: Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null };
  } catch {
    return { text, holder: null };
  }
}

/** Is the lock described by `h` (its file's text unparsable when null) left behind by a dead process? */
function stale(file: string, h: LockHolder | null): boolean {
  if (h === null) {
    // Being written this very moment, or a torn file from a crash: stale once it is old.
    try {
      return Date.now() - statSync(file).mtimeMs > GUARD_STALE_MS;
    } catch {
      return false;
    }
  }
  return h.host === hostname() && h.pid !== process.pid && !alive(h.pid);
}

/** Remove the stale lock whose text was `seen`, exclusively (see the module comment). */
function takeOver(lockPath: string, seen: string): void {
  const guard = `${lockPath}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // removed by its owner meanwhile
    }
    return;
  }
  try {
    if (readHolder(lockPath)?.text === seen) rmSync(lockPath, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

function busy(path: string, lockPath: string, h: LockHolder | null): CosmetaError {
  if (h === null) return new CosmetaError(`${path} is locked by another process (${lockPath} is being written); wait for it, or give another output`);
  const where = h.host === hostname() ? `process ${h.pid}` : `process ${h.pid} on host ${h.host}`;
  const remedy = h.host === hostname() ? 'wait for it to finish (or stop it), or give another output' : `wait for it to finish, or delete ${lockPath} if that process is gone`;
  return new CosmetaError(`${path} is being written by ${where} (${h.command}, since ${h.started}); ${remedy}`);
}

/**
 * Take the exclusive lock on an output (a file or a directory); throws a CosmetaError if a live process
 * holds it. Call `release()` when done (or use withOutputLock).
 */
export function acquireOutputLock(path: string, command = process.argv.slice(2).join(' ')): OutputLock {
  const lockPath = lockPathOf(path);
  const mine = held.get(lockPath);
  let made: string | undefined;
  const release = () => {
    const entry = held.get(lockPath);
    if (!entry) return;
    if (--entry.count > 0) return;
    held.delete(lockPath);
    if (readHolder(lockPath)?.text === entry.token) rmSync(lockPath, { force: true });
    // Directories created only to hold the lock go again if the job left nothing in them (no partial output).
    for (let d = dirname(lockPath); made && d.length >= made.length; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty: the job wrote something
      }
    }
  };
  if (mine) {
    mine.count++;
    return { path, lockPath, release };
  }
  made = mkdirSync(dirname(lockPath), { recursive: true });
  const token = `${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), command: `cosmeta ${command}`.trim() } satisfies LockHolder)}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (createExclusive(lockPath, token)) {
      held.set(lockPath, { count: 1, token });
      return { path, lockPath, release };
    }
    const seen = readHolder(lockPath);
    if (seen === null) continue; // released meanwhile: try again at once
    if (!stale(lockPath, seen.holder)) throw busy(path, lockPath, seen.holder);
    takeOver(lockPath, seen.text);
    pause(5);
  }
  throw new CosmetaError(`could not take the lock ${lockPath} (it keeps changing hands); try again`);
}

/** Run `fn` holding the exclusive lock on `path` (see the module comment); the lock is released after. */
export async function withOutputLock<T>(path: string, fn: () => Promise<T> | T): Promise<T> {
  const lock = acquireOutputLock(path);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * Remove the locks under `dir` (recursively) whose holders are dead, as a job that owns the whole
 * directory does before it starts: a run killed right after finishing an inner output leaves that
 * output's lock behind, and a rerun that skips the finished output would otherwise never remove it. A
 * lock held by a live process is an error (another process is writing inside the directory).
 */
export function clearStaleLocks(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // no directory yet: no locks
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) clearStaleLocks(p);
    else if (e.name.endsWith('.lock')) acquireOutputLock(p.slice(0, -'.lock'.length)).release();
  }
}
