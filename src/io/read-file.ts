/**
 * Reading an input file: any failure (missing, a directory, unreadable) becomes one CosmetaError naming
 * the file and the system's code, so every reader refuses a bad path with the same clear line.
 */

import { readFileSync } from 'node:fs';
import { CosmetaError } from '../errors.js';

export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CosmetaError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function readInputText(path: string): string {
  return readInputFile(path).toString('utf8');
}
