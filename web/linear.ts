/**
 * The linear-model resources of the page's workers: the P(k) emulator behind boltzmann_emulated, fetched
 * once per worker from the page's folder (the build copies models/pk-emulator.json there).
 */

import { PkEmulator, type LinearModelOptions, type PkEmulatorJSON } from '../src/browser.js';

let emulator: Promise<PkEmulator> | null = null;

/** What `linearModel(name, ...)` needs in a worker: the emulator for boltzmann_emulated, nothing otherwise. */
export async function linearOptions(name: string): Promise<LinearModelOptions> {
  if (name !== 'boltzmann_emulated') return {};
  emulator ??= fetch(new URL('pk-emulator.json', self.location.href)).then(async (res) => {
    if (!res.ok) throw new Error(`cannot load the P(k) emulator pk-emulator.json: HTTP ${res.status}`);
    return new PkEmulator((await res.json()) as PkEmulatorJSON);
  });
  return { pkEmulator: await emulator };
}
