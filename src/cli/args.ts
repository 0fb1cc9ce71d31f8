/** Command-line argument checks shared by the commands: one clear line naming the flag and the value. */

import { existsSync } from 'node:fs';
import { CosmetaError } from '../errors.js';

/** An integer flag value >= min. */
export function integer(flag: string, text: string, min = 0): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) throw new CosmetaError(`${flag} ${text} is not an integer >= ${min}`);
  return v;
}

/** A file flag that must be given and exist. */
export function requireFile(flag: string, path: string | undefined): string {
  if (!path) throw new CosmetaError(`${flag} <file> is required`);
  if (!existsSync(path)) throw new CosmetaError(`${flag} ${path}: no such file`);
  return path;
}
