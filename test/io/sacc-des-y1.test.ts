import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSaccFits } from '../../src/io/sacc-fits.js';
import { readSaccHdf5 } from '../../src/io/sacc-hdf5.js';
import type { TwoPointData } from '../../src/io/sacc-types.js';
import { expectSameTwoPoint } from '../helpers/two-point.js';

const DES = join(__dirname, '..', 'reference', 'surveys', 'des-y1');

/** Mean redshift of a tabulated n(z) by the trapezoidal rule on its own grid. */
function meanZ(z: Float64Array, nz: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 1; i < z.length; i++) {
    const h = z[i] - z[i - 1];
    num += (h * (z[i] * nz[i] + z[i - 1] * nz[i - 1])) / 2;
    den += (h * (nz[i] + nz[i - 1])) / 2;
  }
  return num / den;
}

function count(d: TwoPointData, type: string): number {
  return d.points.filter((p) => p.dataType === type).length;
}

describe('DES Y1 SACC file (LSST DESC firecrown test data)', () => {
  it('HDF5: 167 xi_plus + 60 xi_minus points, 457 x 457 covariance, 4 src + 5 lens tracers with 400-point n(z)', async () => {
    const d = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
    expect(d.points.length).toBe(457);
    expect(count(d, 'galaxy_shear_xi_plus')).toBe(167);
    expect(count(d, 'galaxy_shear_xi_minus')).toBe(60);
    expect(count(d, 'galaxy_shearDensity_xi_t')).toBe(176);
    expect(count(d, 'galaxy_density_xi')).toBe(54);
    expect(d.covariance.length).toBe(457 * 457);
    expect(d.tracers.map((t) => t.name)).toEqual(['lens0', 'lens1', 'lens2', 'lens3', 'lens4', 'src0', 'src1', 'src2', 'src3']);
    for (const t of d.tracers) expect(t.z.length).toBe(400);
    // The README of the reference file gives the mean z of src0..3 to three decimals.
    const src = d.tracers.filter((t) => t.name.startsWith('src'));
    expect(src.map((t) => Number(meanZ(t.z, t.nz).toFixed(3)))).toEqual([0.39, 0.526, 0.744, 0.967]);
    // Shear points are the covariance's indices 230..456 (sacc_ordering), a contiguous block of 227.
    const shear = d.points.map((p, i) => [p.dataType, i] as const).filter(([t]) => t.startsWith('galaxy_shear_xi'));
    expect(shear.length).toBe(227);
    expect(shear[0][1]).toBe(230);
    expect(shear[shear.length - 1][1]).toBe(456);
    const first = d.points[230];
    expect(first.tracers).toEqual(['src0', 'src0']);
    expect(first.theta).toBeGreaterThan(2);
    expect(first.theta).toBeLessThan(300); // arcmin
  });

  it('FITS (legacy_sacc_data.fits) gives the same points, tags, tracers and covariance as HDF5, to the bit', async () => {
    const h = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
    const f = readSaccFits(join(DES, 'legacy_sacc_data.fits'));
    expectSameTwoPoint(h, f, 'DES Y1 HDF5 vs FITS');
  });
});

describe('SACC HDF5 in the newest HDF5 layout (h5py, libver latest)', () => {
  it('superblock v3, variable-length string columns and a boolean enum read as the same DES Y1 points, covariance block and n(z)', async () => {
    const path = join(__dirname, '..', 'reference', 'surveys', 'h5py-latest', 'sacc_xip_subset.hdf5');
    const sub = await readSaccHdf5(path);
    const des = await readSaccHdf5(join(DES, 'sacc_data.hdf5'));
    const keep = des.points.map((p, i) => [p, i] as const).filter(([p]) => p.dataType === 'galaxy_shear_xi_plus' && p.tracers.every((t) => t === 'src0' || t === 'src1'));
    expect(sub.points).toEqual(keep.map(([p]) => p));
    const m = keep.length;
    const block = new Float64Array(m * m);
    keep.forEach(([, i], a) => keep.forEach(([, j], b) => (block[a * m + b] = des.covariance[i * des.points.length + j])));
    expect(Buffer.from(sub.covariance.buffer).equals(Buffer.from(block.buffer))).toBe(true);
    expect(sub.tracers.map((t) => t.name)).toEqual(['src0', 'src1']);
    expect(Array.from(sub.tracers[1].nz)).toEqual(Array.from(des.tracers.find((t) => t.name === 'src1')!.nz));
    expect(sub.metadata).toEqual({ survey: 'DES Y1 xi_plus, src0 and src1', blinded: false, nside: 4096 });
  });
});
