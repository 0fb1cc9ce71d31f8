/**
 * Reading the `boltzmann_emulated` emulator (JSON, `PkEmulatorJSON`) and resolving linear-model names in
 * Node: `loadLinearModel(name)` is `linearModel(name)` with the shipped emulator supplied when the name
 * needs it (read once per thread). Files trained on a stand-in solver are refused as the shipped model.
 */

import { readFileSync } from 'node:fs';
import { PkEmulator, type PkEmulatorJSON } from '../cosmology/boltzmann/emulator.js';
import { linearModel, type LinearModelOptions } from '../cosmology/transfer/index.js';
import type { LinearShape } from '../cosmology/transfer/model.js';
import { CosmetaError } from '../errors.js';
import { DEFAULT_PK_EMULATOR } from '../paths.js';

/** Read an emulator file; `allowStandIn` accepts files trained on a stand-in solver (tests only). */
export function readPkEmulator(path: string, options: { allowStandIn?: boolean } = {}): PkEmulator {
  let json: PkEmulatorJSON;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as PkEmulatorJSON;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CosmetaError(`cannot read the P(k) emulator ${path}: ${code ?? (err as Error).message}`);
  }
  const emulator = new PkEmulator(json);
  if (json.solver !== 'boltzmann' && !options.allowStandIn) {
    throw new CosmetaError(`${path} was trained on "${json.solver}", not on the Boltzmann solver; it cannot serve as boltzmann_emulated`);
  }
  return emulator;
}

let shipped: PkEmulator | null = null;

/** The emulator shipped in models/pk-emulator.json (read on first use). */
export function shippedPkEmulator(): PkEmulator {
  if (!shipped) shipped = readPkEmulator(DEFAULT_PK_EMULATOR);
  return shipped;
}

/** The options that let `linearModel(name, ...)` resolve `name` in Node: the shipped emulator when it needs one. */
export function nodeLinearOptions(name: string): LinearModelOptions {
  return name === 'boltzmann_emulated' ? { pkEmulator: shippedPkEmulator() } : {};
}

/** `linearModel(name, options)` with the shipped emulator when `name` is boltzmann_emulated. */
export function loadLinearModel(name: string, options: LinearModelOptions = {}): LinearShape {
  if (name === 'boltzmann_emulated' && !options.pkEmulator) return linearModel(name, { ...options, pkEmulator: shippedPkEmulator() });
  return linearModel(name, options);
}
