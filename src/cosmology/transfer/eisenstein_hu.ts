/**
 * Eisenstein & Hu (1998, ApJ 496, 605; astro-ph/9709112) transfer functions, with baryon acoustic
 * oscillations (Eqs. 2-24) and without (the zero-baryon "no-wiggle" form, Eqs. 26-31). Lengths in
 * Mpc/h and wavenumbers in h/Mpc internally, as in CCL's ccl_eh.c, so both agree to rounding.
 */

import type { Cosmology } from '../params.js';
import type { LinearShape } from './model.js';

/** The EH98 quantities that depend on the cosmology only. */
export interface EisensteinHuParameters {
  readonly th2p7: number;
  readonly zeq: number;
  /** Equality wavenumber [h/Mpc], Eq. 3. */
  readonly keq: number;
  readonly zdrag: number;
  /** Sound horizon at the drag epoch [Mpc/h], Eq. 6. */
  readonly rsound: number;
  /** Silk damping scale [h/Mpc], Eq. 7. */
  readonly kSilk: number;
  readonly alphac: number;
  readonly betac: number;
  readonly alphab: number;
  readonly betab: number;
  readonly bnode: number;
  /** Approximate sound horizon [Mpc/h], Eq. 26. */
  readonly rsoundApprox: number;
  readonly fb: number;
}

export function eisensteinHuParameters(c: Cosmology): EisensteinHuParameters {
  const h = c.h;
  const omh2 = c.Omega_m * h * h;
  const obh2 = c.Omega_b * h * h;
  const th2p7 = c.T_CMB / 2.7;
  const th4 = th2p7 ** 4;
  const zeq = (2.5e4 * omh2) / th4; // Eq. 2
  const keq = (0.0746 * omh2) / (h * th2p7 * th2p7); // Eq. 3, h/Mpc
  const b1 = 0.313 * Math.pow(omh2, -0.419) * (1 + 0.607 * Math.pow(omh2, 0.674)); // Eq. 4
  const b2 = 0.238 * Math.pow(omh2, 0.223);
  const zdrag = (1291 * Math.pow(omh2, 0.251) * (1 + b1 * Math.pow(obh2, b2))) / (1 + 0.659 * Math.pow(omh2, 0.828));
  const req = (31.5 * obh2 * 1000) / (zeq * th4); // Eq. 5
  const rd = (31.5 * obh2 * 1000) / ((1 + zdrag) * th4);
  const rsound = (2 / (3 * keq)) * Math.sqrt(6 / req) * Math.log((Math.sqrt(1 + rd) + Math.sqrt(rd + req)) / (1 + Math.sqrt(req))); // Eq. 6
  const kSilk = (1.6 * Math.pow(obh2, 0.52) * Math.pow(omh2, 0.73) * (1 + Math.pow(10.4 * omh2, -0.95))) / h; // Eq. 7
  const fb = c.Omega_b / c.Omega_m;
  const a1 = Math.pow(46.9 * omh2, 0.67) * (1 + Math.pow(32.1 * omh2, -0.532)); // Eq. 11
  const a2 = Math.pow(12.0 * omh2, 0.424) * (1 + Math.pow(45.0 * omh2, -0.582));
  const alphac = Math.pow(a1, -fb) * Math.pow(a2, -fb * fb * fb);
  const bb1 = 0.944 / (1 + Math.pow(458 * omh2, -0.708)); // Eq. 12
  const bb2 = Math.pow(0.395 * omh2, -0.0266);
  const betac = 1 / (1 + bb1 * (Math.pow(1 - fb, bb2) - 1));
  const y = zeq / (1 + zdrag);
  const sqy = Math.sqrt(1 + y);
  const gy = y * (-6 * sqy + (2 + 3 * y) * Math.log((sqy + 1) / (sqy - 1))); // Eq. 15
  const alphab = 2.07 * keq * rsound * Math.pow(1 + rd, -0.75) * gy; // Eq. 14
  const betab = 0.5 + fb + (3 - 2 * fb) * Math.sqrt((17.2 * omh2) ** 2 + 1); // Eq. 24
  const bnode = 8.41 * Math.pow(omh2, 0.435); // Eq. 23
  const rsoundApprox = (h * 44.5 * Math.log(9.83 / omh2)) / Math.sqrt(1 + 10 * Math.pow(obh2, 0.75)); // Eq. 26
  return { th2p7, zeq, keq, zdrag, rsound, kSilk, alphac, betac, alphab, betab, bnode, rsoundApprox, fb };
}

/** T_0(q; alpha, beta), Eqs. 19-20, given q = k / (13.41 k_eq) and q^1.08. */
function t0(q: number, q108: number, a: number, b: number): number {
  const cc = 14.2 / a + 386 / (1 + 69.9 * q108);
  const l = Math.log(Math.E + 1.8 * b * q);
  return l / (l + cc * q * q);
}

/** Full EH98 transfer function with BAO (Eqs. 8, 17-24); k in h/Mpc. */
export function transferWiggles(p: EisensteinHuParameters, k: number): number {
  const q = k / (13.41 * p.keq); // Eq. 10
  const q108 = q > 0 ? Math.exp(1.08 * Math.log(q)) : 0;
  // Cold dark matter part, Eqs. 17-18.
  const kr = (k * p.rsound) / 5.4;
  const kr2 = kr * kr;
  const f = 1 / (1 + kr2 * kr2);
  const tc = f * t0(q, q108, 1, p.betac) + (1 - f) * t0(q, q108, p.alphac, p.betac);
  // Baryon part, Eq. 21 with the node shift of Eq. 22.
  const x = k * p.rsound;
  let tb = 1;
  if (k > 0) {
    const xs = x / Math.cbrt(1 + (p.bnode * p.bnode * p.bnode) / (x * x * x));
    const j0 = xs * xs < 1e-4 ? 1 - ((xs * xs) * (1 - (xs * xs) / 20)) / 6 : Math.sin(xs) / xs;
    const part1 = t0(q, q108, 1, 1) / (1 + (x / 5.2) ** 2);
    const bx = p.betab / x;
    const part2 = (p.alphab / (1 + bx * bx * bx)) * Math.exp(-Math.exp(1.4 * Math.log(k / p.kSilk)));
    tb = j0 * (part1 + part2);
  }
  return p.fb * tb + (1 - p.fb) * tc;
}

/** Zero-baryon ("no-wiggle") EH98 transfer function, Eqs. 28-31; k in h/Mpc. */
export function transferNoWiggles(c: Cosmology, p: EisensteinHuParameters, k: number): number {
  const omh2 = c.Omega_m * c.h * c.h;
  const alphaGamma = 1 - 0.328 * Math.log(431 * omh2) * p.fb + 0.38 * Math.log(22.3 * omh2) * p.fb * p.fb; // Eq. 31
  const gammaEff = c.Omega_m * c.h * (alphaGamma + (1 - alphaGamma) / (1 + Math.pow(0.43 * k * p.rsoundApprox, 4))); // Eq. 30
  const q = (k * p.th2p7 * p.th2p7) / gammaEff; // Eq. 28
  const l0 = Math.log(2 * Math.E + 1.8 * q); // Eq. 29
  const c0 = 14.2 + 731 / (1 + 62.5 * q);
  return l0 / (l0 + c0 * q * q);
}

/** A linear shape k^n_s T(k)^2 from an EH98 transfer function of k [h/Mpc]. */
function ehShape(name: string, transfer: (c: Cosmology, p: EisensteinHuParameters, kh: number) => number): LinearShape {
  return {
    name,
    prepare(c: Cosmology) {
      const p = eisensteinHuParameters(c);
      const ns = c.n_s;
      const ih = 1 / c.h;
      return (k: number): number => {
        const t = transfer(c, p, k * ih);
        return Math.pow(k, ns) * t * t;
      };
    },
  };
}

/** EH98 with baryon wiggles: P(k) proportional to k^n_s T^2. */
export const eisensteinHu: LinearShape = ehShape('eisenstein_hu', (_c, p, kh) => transferWiggles(p, kh));

/** EH98 zero-baryon shape without wiggles: P(k) proportional to k^n_s T_0^2. */
export const eisensteinHuNoWiggles: LinearShape = ehShape('eisenstein_hu_nowiggles', transferNoWiggles);
