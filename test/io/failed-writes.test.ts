import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CosmetaError } from '../../src/errors.js';
import { writeFileAtomic, writeFileAtomicChunks } from '../../src/io/atomic.js';

// Inject a full disk into writes of temporary files (the step before the rename) when `full` is on.
const inject = vi.hoisted(() => ({ full: false, pieces: 0 }));
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    writeFileSync: (path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, o?: fs.WriteFileOptions) => {
      if (inject.full && String(path).includes('.cosmeta-tmp-')) {
        real.writeFileSync(path, 'partial'); // a part was written before the disk filled up
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      }
      return real.writeFileSync(path, data, o);
    },
    // The streamed writer: the disk fills up on the second piece.
    writeSync: (fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if (inject.full && ++inject.pieces > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      return (real.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    },
  };
});

const BIN = join(__dirname, '..', '..', 'bin', 'cosmeta.js');

describe('failed writes lose nothing', () => {
  it('a full disk (injected) gives a CosmetaError naming the file; the previous file and the directory are untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-full-'));
    const out = join(dir, 'result.json');
    writeFileSync(out, 'previous result\n');
    inject.full = true;
    try {
      expect(() => writeFileAtomic(out, 'new result\n')).toThrow(CosmetaError);
      expect(() => writeFileAtomic(out, 'new result\n')).toThrow(`cannot write ${out}: ENOSPC (no space left on the device)`);
    } finally {
      inject.full = false;
    }
    expect(readFileSync(out, 'utf8')).toBe('previous result\n');
    expect(fs.readdirSync(dir)).toEqual(['result.json']);
  });

  it('a streamed write (GetDist text of a long chain) that fills the disk part-way keeps the previous file and leaves no temporary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-full-'));
    const out = join(dir, 'chain.txt');
    writeFileSync(out, 'previous chain\n');
    inject.full = true;
    inject.pieces = 0;
    try {
      expect(() => writeFileAtomicChunks(out, ['1\t2\n', '3\t4\n', '5\t6\n'])).toThrow(`cannot write ${out}: ENOSPC (no space left on the device)`);
      expect(inject.pieces).toBe(2); // the first piece was written, the second failed
    } finally {
      inject.full = false;
    }
    expect(readFileSync(out, 'utf8')).toBe('previous chain\n');
    expect(fs.readdirSync(dir)).toEqual(['chain.txt']);
    writeFileAtomicChunks(out, ['1\t2\n', '3\t4\n']);
    expect(readFileSync(out, 'utf8')).toBe('1\t2\n3\t4\n');
  });

  it('an unwritable destination (a file where the directory should be) gives one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-unwritable-'));
    writeFileSync(join(dir, 'blocked'), 'a file, not a directory');
    const r = spawnSync(process.execPath, [BIN, 'cl', '--out', join(dir, 'blocked', 'cl.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cosmeta: cannot write .*blocked\/cl\.json: E(NOTDIR|EXIST)/);
  });

  describe('on a real full file system (a 256 KiB tmpfs, where this machine lets us mount one)', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'cosmeta-tmpfs-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]).status === 0;
    afterAll(() => {
      if (mounted) spawnSync('umount', [mnt]);
    });
    it.skipIf(!mounted)('generate fills the disk: one line, exit 2, the previous output unchanged', () => {
      if (!mounted) console.log('skipped: cannot mount a tmpfs here (needs root); the injected full disk above still runs');
      const out = join(mnt, 'data.h5');
      writeFileSync(out, 'previous dataset');
      // 2 x 300 spectra of 750 values: 3.6 MB, far more than the 256 KiB file system holds.
      const r = spawnSync(process.execPath, [BIN, 'generate', '--tasks', '2', '--samples', '300', '--seed', '1', '--threads', '1', '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('cosmeta:'))).toHaveLength(1);
      expect(r.stderr).toMatch(/cosmeta: cannot write .*ENOSPC/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(out, 'utf8')).toBe('previous dataset');
    }, 120_000);
  });
});
