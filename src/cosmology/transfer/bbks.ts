/**
 * BBKS transfer function (Bardeen, Bond, Kaiser & Szalay 1986, ApJ 304, 15, Eq. G3) with the
 * shape parameter of Sugiyama (1995, ApJS 100, 281) as CCL writes it (ccl_bbks.c):
 * q = (T_CMB/2.7)^2 k / (Omega_m h^2 exp(-Omega_b (1 + sqrt(2h)/Omega_m))), k in 1/Mpc.
 */

import type { Cosmology } from '../params.js';
import type { LinearShape } from './model.js';

export const bbks: LinearShape = {
  name: 'bbks',
  prepare(c: Cosmology) {
    const theta2 = (c.T_CMB / 2.7) ** 2;
    const gammaH = c.Omega_m * c.h * c.h * Math.exp(-c.Omega_b * (1 + Math.sqrt(2 * c.h) / c.Omega_m));
    const qPerK = theta2 / gammaH;
    const ns = c.n_s;
    return (k: number): number => {
      const q = k * qPerK;
      const x = 2.34 * q;
      const t = (x < 1e-8 ? 1 - x / 2 : Math.log1p(x) / x) *
        Math.pow(1 + q * (3.89 + q * (16.1 ** 2 + q * (5.46 ** 3 + q * 6.71 ** 4))), -0.25);
      return Math.pow(k, ns) * t * t;
    };
  },
};
