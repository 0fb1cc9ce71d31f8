/**
 * The full forward model for cosmic shear, as one object prepared for a survey: parameters ->
 * background and growth -> linear P(k) (any linear model) -> halofit (or linear only) -> Limber C_ell.
 */

import { DEFAULT_ACCURACY, type Accuracy } from './accuracy.js';
import { Background } from './background.js';
import { ShearSpectra, type ShearNuisance, type ShearOptions } from './limber.js';
import { cosmology, type Cosmology, type CosmologyInput } from './params.js';
import { Halofit } from './power/halofit.js';
import { LinearPower } from './power/linear.js';
import type { LinearMatterPower } from './power/linear-matter-power.js';
import type { MatterPower } from './power/matter-power.js';
import type { RedshiftDistributions } from './redshift.js';
import type { LinearShape } from './transfer/model.js';

export interface TheoryOptions extends ShearOptions {
  /** Linear P(k) model. */
  linear: LinearShape;
  /** Apply Takahashi 2012 halofit (default true); false gives the linear-theory spectra. */
  nonlinear?: boolean;
  accuracy?: Accuracy;
}

/** Everything the forward model computed for one cosmology. */
export interface TheoryResult {
  cosmology: Cosmology;
  background: Background;
  linear: LinearMatterPower;
  power: MatterPower;
  /** Data vector [nPairs x nEll], pair-major (see `pairOrder`). */
  cl: Float64Array;
}

export class ShearTheory {
  readonly spectra: ShearSpectra;
  readonly linear: LinearShape;
  readonly nonlinear: boolean;
  readonly accuracy: Accuracy;

  constructor(distributions: RedshiftDistributions, ell: ArrayLike<number>, options: TheoryOptions) {
    this.accuracy = options.accuracy ?? DEFAULT_ACCURACY;
    this.spectra = new ShearSpectra(distributions, ell, options, this.accuracy);
    this.linear = options.linear;
    this.nonlinear = options.nonlinear ?? true;
  }

  /** Forward model for one parameter set (cosmology plus nuisance parameters). */
  run(params: CosmologyInput, nuisance: ShearNuisance = {}, out?: Float64Array): TheoryResult {
    const c = cosmology(params);
    const zTop = this.spectra.zMax(nuisance);
    const background = new Background(c, zTop * (1 + 1e-9) + 1e-9, this.accuracy);
    const linear = new LinearPower(background, this.linear, this.accuracy);
    const power: MatterPower = this.nonlinear ? new Halofit(linear) : linear;
    const cl = this.spectra.compute(background, power, nuisance, out);
    return { cosmology: c, background, linear, power, cl };
  }

  /** The data vector only. */
  compute(params: CosmologyInput, nuisance: ShearNuisance = {}, out?: Float64Array): Float64Array {
    return this.run(params, nuisance, out).cl;
  }

  /** The accuracy settings and models in force, for recording with results. */
  describe(): Record<string, unknown> {
    return {
      linear: this.linear.name,
      nonlinear: this.nonlinear ? 'halofit_takahashi12' : 'none',
      spin2: this.spectra.options.spin2,
      shiftConvention: this.spectra.options.shiftConvention,
      accuracy: this.accuracy,
    };
  }
}
