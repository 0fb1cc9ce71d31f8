/** Messages between the page (main.ts) and its workers. */

export interface Sample {
  /** Name shown in messages (the file name, or the built-in sample's). */
  name: string;
  z: Float64Array;
  nz: Float64Array[];
}

/** Theory worker: compute the shear spectra of `rows` (parameter vectors, row-major) for a sample. */
export interface TheoryJob {
  z: Float64Array;
  nz: Float64Array[];
  ell: Float64Array;
  names: string[];
  rows: Float64Array;
  /** First row's index in the whole design (for messages). */
  first: number;
  /** The theory's settings (default: TheoryModel's, the paper's shift convention). */
  settings?: TheorySettings;
  /** Same key, same sample and settings: the worker reuses its ShearTheory. */
  key?: string;
  /** false: no progress messages (the sampler's many small jobs). */
  progress?: boolean;
}

export interface TheorySettings {
  linear: string;
  nonlinear: boolean;
  spin2: boolean;
  shiftConvention: 'paper' | 'additive';
  /** Intrinsic alignments can make cross-spectra negative. */
  allowNegative: boolean;
}

export type TheoryReply = { kind: 'progress'; done: number } | { kind: 'done'; spectra: Float64Array } | { kind: 'error'; message: string };

export type EngineRequest =
  | { kind: 'init'; metaUrl: string; threads: number }
  | { kind: 'adapt'; sample: Sample; x: Float64Array; y: Float64Array; n: number; seed: number }
  | { kind: 'mcmc'; sample: Sample; steps: number; seed: number }
  | { kind: 'emulator-file' }
  | { kind: 'chain-file' }
  | { kind: 'chain-h5' }
  /** A survey's two-point file (SACC FITS or 2pt-FITS, gzip or not) analysed with a config, as `cosmeta mcmc --config`. */
  | { kind: 'survey'; name: string; bytes: Uint8Array; config: string; steps: number; seed: number; threads: number };

export interface ContourFrame {
  /** Omega_m (x) and S8 (y) ranges of the grid. */
  lo: [number, number];
  hi: [number, number];
  bins: number;
  /** Smoothed density [bins x bins], x fastest. */
  density: Float64Array;
}

export type EngineReply =
  | { kind: 'ready'; backend: string; nBins: number; parameterNames: string[]; ell: number[] }
  | { kind: 'adapted'; mape: number; f5: number; params: Float32Array }
  | { kind: 'mcmc-progress'; step: number; acceptance: number; frame: ContourFrame | null }
  | { kind: 'mcmc-done'; S8: [number, number, number]; Omega_m: [number, number, number]; steps: number; acceptance: number; seconds: number; frame: ContourFrame }
  | { kind: 'files'; files: Array<{ name: string; bytes: Uint8Array; type: string }> }
  | { kind: 'error'; message: string };
