/** Exact comparison of two TwoPointData values (every float to the bit), for reader and writer tests. */
import { expect } from 'vitest';
import type { TwoPointData } from '../../src/io/sacc-types.js';

function bits(a: ArrayLike<number>): string {
  return Buffer.from(Float64Array.from(a).buffer).toString('hex');
}

export function expectSameTwoPoint(a: TwoPointData, b: TwoPointData, what = ''): void {
  expect(b.points.length, what).toBe(a.points.length);
  expect(b.points, what).toEqual(a.points);
  expect(bits(b.points.map((p) => p.value)) === bits(a.points.map((p) => p.value)), `${what}: value bytes`).toBe(true);
  // JSON prints the shortest round-trip decimal, so equal JSON means equal doubles; the covariance
  // and n(z) are compared as raw bytes.
  expect(bits(b.covariance) === bits(a.covariance), `${what}: covariance bytes`).toBe(true);
  expect(b.tracers.map((t) => [t.name, t.quantity]), what).toEqual(a.tracers.map((t) => [t.name, t.quantity]));
  a.tracers.forEach((t, i) => {
    expect(bits(b.tracers[i].z) === bits(t.z), `${what}: z of ${t.name}`).toBe(true);
    expect(bits(b.tracers[i].nz) === bits(t.nz), `${what}: n(z) of ${t.name}`).toBe(true);
  });
  expect(b.windows.length, what).toBe(a.windows.length);
  a.windows.forEach((w, i) => {
    expect(bits(b.windows[i].ell) === bits(w.ell), `${what}: window ${i} ell`).toBe(true);
    expect(b.windows[i].weight.map(bits), `${what}: window ${i} weights`).toEqual(w.weight.map(bits));
  });
  expect(b.metadata, what).toEqual(a.metadata);
}
