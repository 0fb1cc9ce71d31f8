/**
 * Atomic file output: write to a temporary file in the destination's directory, then rename over the
 * destination, so a reader never sees a partial file and a failed run leaves nothing behind; a failed
 * write (full disk, unwritable directory) throws a CosmetaError naming the file and keeps the old one.
 */

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CosmetaError } from '../errors.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeAtomic(path, (tmp) => writeFileSync(tmp, data));
}

/**
 * The same for output too large to hold as one string (V8 caps a string at 2^29 characters; a long chain
 * as GetDist text is gigabytes): the chunks are written one after another, each dropped once written.
 */
export function writeFileAtomicChunks(path: string, chunks: Iterable<string | Uint8Array>): void {
  writeAtomic(path, (tmp) => {
    const fd = openSync(tmp, 'w');
    try {
      for (const chunk of chunks) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      }
    } finally {
      closeSync(fd);
    }
  });
}

function writeAtomic(path: string, write: (tmp: string) => void): void {
  const dir = dirname(path);
  const tmp = join(dir, `.cosmeta-tmp-${basename(path)}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir, { recursive: true });
    write(tmp);
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
