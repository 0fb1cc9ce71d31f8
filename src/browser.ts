/**
 * The browser-safe entry point (`cosmeta/browser`): the computing core without Node built-ins, for
 * bundlers targeting the browser (the web page in web/ is built from it). Files, the CLI and the pipeline
 * stay in the main entry point. Call `setPlatform(browserPlatform(...))` once before creating a backend.
 */
export { CosmetaError } from './errors.js';
export { currentPlatform, setPlatform, type KernelThreadInit, type Platform, type PlatformThread } from './platform/platform.js';
export { browserPlatform, type BrowserPlatformOptions } from './platform/browser.js';
export { runKernelThread } from './nn/kernel-thread.js';
export { WasmBackend, createBackendOn, relaxedSimdOn, simdOn, type WasmBackendOptions } from './nn/wasm-backend.js';
export { JsBackend, type Backend, type Arr } from './nn/backend.js';
export { exportModel, modelFromExport, writeModelContent, MODEL_FORMAT, type ModelExport, type SavedModel } from './nn/model-file.js';
export { Random, deriveSeed } from './math/random.js';
export { validateDistributions, type RedshiftDistributions } from './cosmology/redshift.js';
export { ShearTheory, type TheoryOptions } from './cosmology/theory.js';
export { linearModel, LINEAR_MODEL_NAMES } from './cosmology/transfer/index.js';
export { pairOrder } from './cosmology/limber.js';
export { parseRedshiftDistributions } from './io/nz-parse.js';
export { parseNpy, parseNpz } from './io/npy.js';
export { formatGetDist, type GetDistColumn } from './io/getdist-format.js';
export { targetSample, paperEll, FIDUCIAL } from './tasks/target.js';
export { paperFamily, multiPeakFamily, type TaskFamily, type GalaxySample } from './tasks/families.js';
export { latinHypercube, modelInputs } from './tasks/design.js';
export { computeBlock } from './data/block.js';
export { SampleEmulator, predictSpectra, type EmulatorInfo } from './meta/sample-emulator.js';
export { adaptMetaEmulatorAs, metaEmulatorFromModel, type MetaEmulator, type MetaEmulatorInfo } from './meta/adaptation.js';
export { DEFAULT_ADAPT, type AdaptOptions, type Task } from './meta/maml.js';
export { accuracy, type Accuracy } from './meta/metrics.js';
export { paperProblem, paperParameters, paperPriorRanges, type InferenceProblem } from './inference/problem.js';
export { GaussianLikelihood, Posterior, type BatchedModel } from './inference/likelihood.js';
export { EnsembleSampler } from './inference/ensemble.js';
export { DEFAULT_MCMC, sampleChain, type McmcSettings } from './inference/chain-run.js';
export type { Chain } from './inference/chain-file.js';
export { CHAIN_FORMAT, writeChainContent } from './inference/chain-content.js';
export { integratedTime } from './inference/autocorr.js';
export { chainSamples, defaultBurnIn, gridDensity, quantileRange, summary } from './inference/compare.js';
export { STANDARD_DERIVED, type DerivedParameter, type ParameterSpec } from './inference/priors.js';
export { latexLabel, surveyProblem, type AnalysisProblem } from './analysis/problem.js';
export { parseConfig, type AnalysisConfig } from './analysis/config.js';
export { AnalysisModel, spectraInputs } from './analysis/model.js';
export { analysisSamplerSettings } from './analysis/sampler.js';
export { containerOf, gunzipBytes, twoPointFromFitsBytes, type TwoPointFormat } from './io/two-point-bytes.js';
export { saccFromHdf5Bytes, type H5Wasm, type H5WasmModule } from './io/sacc-hdf5-bytes.js';
export type { TwoPointData } from './io/sacc-types.js';
export { PkEmulator, type PkEmulatorJSON } from './cosmology/boltzmann/emulator.js';
export { DEFAULT_LINEAR_MODEL, type LinearModelOptions } from './cosmology/transfer/index.js';
