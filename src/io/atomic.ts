/**
 * Atomic file output: write to a temporary file in the destination's directory, then rename over the
 * destination, so a reader never sees a partial file and a failed run leaves nothing behind; a failed
 * write (full disk, unwritable directory) throws a CosmetaError naming the file and keeps the old one.
 */

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CosmetaError } from '../errors.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.cosmeta-tmp-${basename(path)}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was created
    }
    // A full disk or an unwritable directory: the previous file at `path` (if any) is untouched.
    throw new CosmetaError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}${(err as NodeJS.ErrnoException).code === 'ENOSPC' ? ' (no space left on the device)' : ''}`);
  }
}
