/**
 * Closed-form ("symbolic") linear matter power spectrum fitted to CAMB by symbolic regression:
 * Bartlett, Kammerer, Kronberger et al. 2024, A&A 686, A209, "A precise symbolic emulator of the linear
 * matter power spectrum" (arXiv:2311.15865).
 *
 * P(k) = P_EH,nw(k) F(k), where P_EH,nw is the zero-baryon Eisenstein & Hu (1998) shape (primordial
 * k^n_s included) and ln F(k) is the paper's fitted expression in k [h/Mpc], Omega_m, Omega_b and h. The
 * ratio F to CAMB does not depend on n_s or sigma8 (they cancel), so those enter exactly; the amplitude is
 * set by sigma8 with Cosmeta's own integral, as CCL does for CAMB spectra. The paper gives a fiducial
 * expression and a more precise one from its Pareto front; both are implemented and the precise one is
 * the default: measured against CAMB (N5K's linear spectrum, 9e-3 < k < 9 h/Mpc) it is within 0.18%
 * (RMS 0.07%) where the fiducial one is within 0.29% (RMS 0.10%).
 *
 * Validity (the paper's fitted range): 9e-3 <= k <= 9 h/Mpc, Omega_m in [0.24, 0.40], Omega_b in
 * [0.04, 0.06], h in [0.6, 0.8], flat LCDM. Outside the k range ln F is held at its value at the nearest
 * end (the ratio to EH tends to a constant on large scales; small scales matter to halofit only through
 * integrals). Outside the parameter range the model refuses unless created with `allowExtrapolation`.
 */

import { CosmetaError } from '../../errors.js';
import type { Cosmology } from '../params.js';
import { eisensteinHuParameters, transferNoWiggles } from './eisenstein_hu.js';
import type { LinearShape } from './model.js';

/**
 * The fitted ranges of Bartlett et al. (2024) for the parameters F depends on (their fit also spanned
 * sigma8 in [0.6, 1.0] and n_s in [0.92, 1.0], which do not enter F).
 */
export const BARTLETT23_VALIDITY = Object.freeze({
  Omega_m: [0.24, 0.4],
  Omega_b: [0.04, 0.06],
  h: [0.6, 0.8],
  /** k range of the fit [h/Mpc]. */
  k_h: [9e-3, 9],
} as const);

const B = [
  0.05448654, 0.00379, 0.0396711937097927, 0.127733431568858, 1.35, 4.053543862744234, 0.0008084539054750851,
  1.8852431049189666, 0.11418372931475675, 3.798, 14.909, 5.56, 15.8274343004709, 0.0230755621512691, 0.86531976,
  0.8425442636372944, 4.553956000000005, 5.116999999999995, 70.0234239999998, 0.01107, 5.35, 6.421, 134.309, 5.324,
  21.532, 4.741999999999985, 16.68722499999999, 3.078, 16.987, 0.05881491, 0.0006864690561825617, 195.498,
  0.0038454457516892, 0.276696018851544, 7.385, 12.3960625361899, 0.0134114370723638,
];

/** ln F(k) of the paper's fiducial expression; k in h/Mpc. */
export function logFFiducial(k: number, Om: number, Ob: number, h: number): number {
  const b = B;
  const line1 = b[0] * h - b[1];
  const line2 =
    Math.pow((Ob * b[2]) / Math.sqrt(h * h + b[3]), b[4] * Om) *
    ((((b[5] * k - Ob) / Math.sqrt(b[6] + (Ob - b[7] * k) ** 2)) * b[8] * Math.pow(b[9] * k, -b[10] * k) *
      Math.cos(Om * b[11] - (b[12] * k) / Math.sqrt(b[13] + Ob * Ob))) -
      b[14] * ((b[15] * k) / Math.sqrt(1 + b[16] * k * k) - Om) * Math.cos((b[17] * h) / Math.sqrt(1 + b[18] * k * k)));
  const line3 =
    b[19] * (b[20] * Om + b[21] * h - Math.log(b[22] * k) + Math.pow(b[23] * k, -b[24] * k)) *
    Math.cos(b[25] / Math.sqrt(1 + b[26] * k * k));
  const line4 =
    Math.pow(b[27] * k, -b[28] * k) *
    (b[29] * k - (b[30] * Math.log(b[31] * k)) / Math.sqrt(b[32] + (Om - b[33] * h) ** 2)) *
    Math.cos(Om * b[34] - (b[35] * k) / Math.sqrt(Ob * Ob + b[36]));
  return line1 + line2 + line3 + line4;
}

const C = [
  5.143911, 0.867, 8.52, 0.292004226840437, 0.03101767374643, 0.00329011222572802, 240.234, 682.449, 2061.023,
  6769.493, 7.125, 108.136, 6.2, 2.882, 59.585, 0.138395280663023, 1.0824838457885e-5, 0.00328579877768286, 85.791,
  19.855, 15.939, 9.547, 97.34, 94.83, 1.881, 3.945, 11.151, 0.000423716845242328, 26.822, 230.12, 0.000854664012107594,
  1.07964736074221e-5, 3.162, 99.918, 0.12102142079148, 0.495, 12.091, 0.607043446690064, 0.0176691274355561,
  0.0146461842903885, 0.867, 32.371, 7.058, 6.075, 16.3109603575571, 0.0024507401235173, 0.163242642976124,
  0.0770748313371466, 0.0522056904202558, 22.722, 774.688, 0.00272543411225559, 1.03366440501996, 0.00582005561365782,
  0.247172859450727, 0.289985439831066, 0.241, 0.867, 2.618, 2.1, 114.391, 13.968, 11.133, 4.205, 100.376, 106.993, 3.359,
  1.539, 1.773, 18.983, 0.383761383928493, 0.00238796278978367, 1.28652398757532e-7, 2.04818021850729e-8,
];

/** ln F(k) of the paper's most precise expression; k in h/Mpc. */
export function logFMaxPrecision(k: number, Om: number, Ob: number, h: number): number {
  const c = C;
  const k2 = k * k;
  const sqrt = Math.sqrt;
  const cos = Math.cos;
  const pow = Math.pow;
  const inner =
    (-c[5] * (c[6] * Om - c[7] * k + (c[8] * Ob - c[9] * k) * cos(c[10] * Om - c[11] * k))) /
      (pow(c[12] * Om + c[13] * k, c[14] * k) * sqrt((c[15] * Ob + k) ** 2 + c[16])) +
    (c[17] * ((c[18] * Ob + c[19] * Om - c[20] * h) * cos(c[21] * Om - c[22] * k) + cos(c[23] * k - c[24]))) /
      (pow(c[25] * k, c[26] * k) * sqrt((-k + (c[27] * (-c[28] * Om + c[29] * k)) / sqrt(k2 + c[30])) ** 2 + c[31]));
  const bracket = -cos(c[32] * Om - c[33] * k) + c[34] / (pow(c[35] * k, c[36] * k) * sqrt((-Ob + c[37] * Om - c[38] * h) ** 2 + c[39]));
  const term2 = c[1] * (c[2] * Ob - (c[3] * k) / sqrt(k2 + c[4])) * inner * bracket;
  const term3 =
    c[40] *
    (c[41] * Om - c[42] * h + c[43] * k + (c[44] * k) / (sqrt(k2 + c[45]) * sqrt((-Om - c[46] * h) ** 2 + c[47])) -
      (c[48] * (c[49] * Om + c[50] * k)) / sqrt(k2 + c[51])) *
    cos((c[52] * k) / (sqrt(k2 + c[53]) * sqrt((c[54] * Om - k) ** 2 + c[55])));
  const term5 =
    (c[57] * (c[58] * Om - c[59] * k + (-c[60] * Ob - c[61] * Om + c[62] * h) * cos(c[63] * Om - c[64] * k) + cos(c[65] * k - c[66]))) /
    (pow(c[67] * Om + c[68] * k, c[69] * k) * sqrt((c[70] * (Ob + (c[71] * h) / sqrt(k2 + c[72])) ** 2) / (k2 + c[73]) + 1));
  return (c[0] * k + term2 - term3 - c[56] - term5) / 100;
}

export interface Bartlett23Options {
  /** Which of the paper's expressions: 'max_precision' (default) or 'fiducial'. */
  expression?: 'fiducial' | 'max_precision';
  /** Accept parameters outside the fitted range (results there are unvalidated). */
  allowExtrapolation?: boolean;
}

function checkValidity(c: Cosmology): void {
  const v = BARTLETT23_VALIDITY;
  const values: Record<string, number> = { Omega_m: c.Omega_m, Omega_b: c.Omega_b, h: c.h };
  for (const name of ['Omega_m', 'Omega_b', 'h'] as const) {
    const [lo, hi] = v[name];
    const x = values[name];
    if (x < lo || x > hi) {
      throw new CosmetaError(
        `${name}=${x} is outside the validity range [${lo}, ${hi}] of the symbolic linear P(k) (Bartlett et al. 2024); ` +
          'use another linear model or allow extrapolation explicitly',
      );
    }
  }
  if (c.w0 !== -1 || c.wa !== 0 || c.Omega_k !== 0) {
    throw new CosmetaError('the symbolic linear P(k) (Bartlett et al. 2024) is fitted for flat LCDM only (w0 = -1, wa = 0, Omega_k = 0)');
  }
}

/** Bartlett et al. (2024) symbolic linear P(k) as a linear-power model. */
export function bartlett23(options: Bartlett23Options = {}): LinearShape {
  const expression = options.expression ?? 'max_precision';
  const logF = expression === 'max_precision' ? logFMaxPrecision : logFFiducial;
  const allow = options.allowExtrapolation ?? false;
  const [kLo, kHi] = BARTLETT23_VALIDITY.k_h;
  return {
    name: expression === 'fiducial' ? 'symbolic_fiducial' : 'symbolic',
    check: allow ? undefined : checkValidity,
    prepare(c: Cosmology) {
      const p = eisensteinHuParameters(c);
      const ns = c.n_s;
      const ih = 1 / c.h;
      const Om = c.Omega_m;
      const Ob = c.Omega_b;
      const h = c.h;
      const fLo = logF(kLo, Om, Ob, h);
      const fHi = logF(kHi, Om, Ob, h);
      return (k: number): number => {
        const kh = k * ih;
        const t = transferNoWiggles(c, p, kh);
        const lf = kh <= kLo ? fLo : kh >= kHi ? fHi : logF(kh, Om, Ob, h);
        return Math.pow(k, ns) * t * t * Math.exp(lf);
      };
    },
  };
}
