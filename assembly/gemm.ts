// Single-precision matrix products for the neural-network engine, written for WebAssembly SIMD (f32x4).
// All matrices are row-major; pointers are byte offsets into linear memory; leading dimensions are in
// elements. Every routine computes C = op(A) op(B), or C += op(A) op(B) when `acc` is non-zero, for the
// rows [r0, r1) of C, so callers can split the rows over threads sharing one memory.
//
// Register blocking: a 4 x 8 tile of C lives in eight v128 accumulators while the inner loop streams k.
// Cache blocking: k is taken in blocks of KC so the B strip of a tile stays in L1 across all row tiles.
// The fused multiply-add is `madd`, compiled twice: as mul + add, and as relaxed-SIMD FMA (FMA build).

// @ts-ignore: decorator
@inline const KC: i32 = 256;

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, c) : f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline function lds(p: usize): v128 {
  return f32x4.splat(load<f32>(p));
}

/** C[r0:r1, :] (+)= A[m x k] . B[k x n]. */
export function gemm_nn(r0: i32, r1: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  const n8 = n & ~7;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = min(k, p0 + KC);
    const add = acc != 0 || p0 > 0;
    for (let j = 0; j < n8; j += 8) {
      let i = r0;
      for (; i + 4 <= r1; i += 4) {
        const c0 = c + (<usize>(i * ldc + j) << 2);
        const c1 = c0 + (<usize>ldc << 2);
        const c2 = c1 + (<usize>ldc << 2);
        const c3 = c2 + (<usize>ldc << 2);
        let x00 = f32x4.splat(0), x01 = f32x4.splat(0), x10 = f32x4.splat(0), x11 = f32x4.splat(0);
        let x20 = f32x4.splat(0), x21 = f32x4.splat(0), x30 = f32x4.splat(0), x31 = f32x4.splat(0);
        if (add) {
          x00 = v128.load(c0); x01 = v128.load(c0, 16); x10 = v128.load(c1); x11 = v128.load(c1, 16);
          x20 = v128.load(c2); x21 = v128.load(c2, 16); x30 = v128.load(c3); x31 = v128.load(c3, 16);
        }
        let pa = a + (<usize>(i * lda + p0) << 2);
        const sa = <usize>lda << 2;
        let pb = b + (<usize>(p0 * ldb + j) << 2);
        const sb = <usize>ldb << 2;
        for (let p = p0; p < p1; p++) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const a0 = lds(pa);
          const a1 = lds(pa + sa);
          const a2 = lds(pa + 2 * sa);
          const a3 = lds(pa + 3 * sa);
          x00 = madd(a0, b0, x00); x01 = madd(a0, b1, x01);
          x10 = madd(a1, b0, x10); x11 = madd(a1, b1, x11);
          x20 = madd(a2, b0, x20); x21 = madd(a2, b1, x21);
          x30 = madd(a3, b0, x30); x31 = madd(a3, b1, x31);
          pa += 4;
          pb += sb;
        }
        v128.store(c0, x00); v128.store(c0, x01, 16); v128.store(c1, x10); v128.store(c1, x11, 16);
        v128.store(c2, x20); v128.store(c2, x21, 16); v128.store(c3, x30); v128.store(c3, x31, 16);
      }
      for (; i < r1; i++) {
        const c0 = c + (<usize>(i * ldc + j) << 2);
        let x0 = add ? v128.load(c0) : f32x4.splat(0);
        let x1 = add ? v128.load(c0, 16) : f32x4.splat(0);
        let pa = a + (<usize>(i * lda + p0) << 2);
        let pb = b + (<usize>(p0 * ldb + j) << 2);
        const sb = <usize>ldb << 2;
        for (let p = p0; p < p1; p++) {
          const a0 = lds(pa);
          x0 = madd(a0, v128.load(pb), x0);
          x1 = madd(a0, v128.load(pb, 16), x1);
          pa += 4;
          pb += sb;
        }
        v128.store(c0, x0);
        v128.store(c0, x1, 16);
      }
    }
    // Remaining columns, scalar.
    for (let i = r0; i < r1; i++) {
      for (let j = n8; j < n; j++) {
        let s: f32 = add ? load<f32>(c + (<usize>(i * ldc + j) << 2)) : 0;
        for (let p = p0; p < p1; p++) s += load<f32>(a + (<usize>(i * lda + p) << 2)) * load<f32>(b + (<usize>(p * ldb + j) << 2));
        store<f32>(c + (<usize>(i * ldc + j) << 2), s);
      }
    }
  }
}

/** C[r0:r1, :] (+)= A^T . B with A stored [k x m] and B [k x n]. */
export function gemm_tn(r0: i32, r1: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  const n8 = n & ~7;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = min(k, p0 + KC);
    const add = acc != 0 || p0 > 0;
    for (let j = 0; j < n8; j += 8) {
      let i = r0;
      for (; i + 4 <= r1; i += 4) {
        const c0 = c + (<usize>(i * ldc + j) << 2);
        const c1 = c0 + (<usize>ldc << 2);
        const c2 = c1 + (<usize>ldc << 2);
        const c3 = c2 + (<usize>ldc << 2);
        let x00 = f32x4.splat(0), x01 = f32x4.splat(0), x10 = f32x4.splat(0), x11 = f32x4.splat(0);
        let x20 = f32x4.splat(0), x21 = f32x4.splat(0), x30 = f32x4.splat(0), x31 = f32x4.splat(0);
        if (add) {
          x00 = v128.load(c0); x01 = v128.load(c0, 16); x10 = v128.load(c1); x11 = v128.load(c1, 16);
          x20 = v128.load(c2); x21 = v128.load(c2, 16); x30 = v128.load(c3); x31 = v128.load(c3, 16);
        }
        let pa = a + (<usize>(p0 * lda + i) << 2);
        const sa = <usize>lda << 2;
        let pb = b + (<usize>(p0 * ldb + j) << 2);
        const sb = <usize>ldb << 2;
        for (let p = p0; p < p1; p++) {
          const av = v128.load(pa);
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const a0 = v128.shuffle<f32>(av, av, 0, 0, 0, 0);
          const a1 = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
          const a2 = v128.shuffle<f32>(av, av, 2, 2, 2, 2);
          const a3 = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
          x00 = madd(a0, b0, x00); x01 = madd(a0, b1, x01);
          x10 = madd(a1, b0, x10); x11 = madd(a1, b1, x11);
          x20 = madd(a2, b0, x20); x21 = madd(a2, b1, x21);
          x30 = madd(a3, b0, x30); x31 = madd(a3, b1, x31);
          pa += sa;
          pb += sb;
        }
        v128.store(c0, x00); v128.store(c0, x01, 16); v128.store(c1, x10); v128.store(c1, x11, 16);
        v128.store(c2, x20); v128.store(c2, x21, 16); v128.store(c3, x30); v128.store(c3, x31, 16);
      }
      for (; i < r1; i++) {
        const c0 = c + (<usize>(i * ldc + j) << 2);
        let x0 = add ? v128.load(c0) : f32x4.splat(0);
        let x1 = add ? v128.load(c0, 16) : f32x4.splat(0);
        let pa = a + (<usize>(p0 * lda + i) << 2);
        const sa = <usize>lda << 2;
        let pb = b + (<usize>(p0 * ldb + j) << 2);
        const sb = <usize>ldb << 2;
        for (let p = p0; p < p1; p++) {
          const a0 = lds(pa);
          x0 = madd(a0, v128.load(pb), x0);
          x1 = madd(a0, v128.load(pb, 16), x1);
          pa += sa;
          pb += sb;
        }
        v128.store(c0, x0);
        v128.store(c0, x1, 16);
      }
    }
    for (let i = r0; i < r1; i++) {
      for (let j = n8; j < n; j++) {
        let s: f32 = add ? load<f32>(c + (<usize>(i * ldc + j) << 2)) : 0;
        for (let p = p0; p < p1; p++) s += load<f32>(a + (<usize>(p * lda + i) << 2)) * load<f32>(b + (<usize>(p * ldb + j) << 2));
        store<f32>(c + (<usize>(i * ldc + j) << 2), s);
      }
    }
  }
}

/**
 * C[r0:r1, :] (+)= A . B^T with A [m x k] and B [n x k]: dot products along k, four rows by four columns
 * at a time, with k taken in blocks of KC so the rows of B in use stay in cache across the row tiles
 * (no packing, so it also suits a handful of rows).
 */
export function gemm_nt(r0: i32, r1: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, acc: i32): void {
  const n4 = n & ~3;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = min(k, p0 + KC);
    const pe = p0 + ((p1 - p0) & ~3);
    const add = acc != 0 || p0 > 0;
    let i = r0;
    for (; i + 4 <= r1; i += 4) {
      for (let j = 0; j < n4; j += 4) {
        let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
        let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
        let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s22 = f32x4.splat(0), s23 = f32x4.splat(0);
        let s30 = f32x4.splat(0), s31 = f32x4.splat(0), s32 = f32x4.splat(0), s33 = f32x4.splat(0);
        const pa0 = a + (<usize>(i * lda) << 2);
        const pa1 = pa0 + (<usize>lda << 2);
        const pa2 = pa1 + (<usize>lda << 2);
        const pa3 = pa2 + (<usize>lda << 2);
        const pb0 = b + (<usize>(j * ldb) << 2);
        const pb1 = pb0 + (<usize>ldb << 2);
        const pb2 = pb1 + (<usize>ldb << 2);
        const pb3 = pb2 + (<usize>ldb << 2);
        for (let p = p0; p < pe; p += 4) {
          const o = <usize>p << 2;
          const a0 = v128.load(pa0 + o), a1 = v128.load(pa1 + o), a2 = v128.load(pa2 + o), a3 = v128.load(pa3 + o);
          const b0 = v128.load(pb0 + o), b1 = v128.load(pb1 + o), b2 = v128.load(pb2 + o), b3 = v128.load(pb3 + o);
          s00 = madd(a0, b0, s00); s01 = madd(a0, b1, s01); s02 = madd(a0, b2, s02); s03 = madd(a0, b3, s03);
          s10 = madd(a1, b0, s10); s11 = madd(a1, b1, s11); s12 = madd(a1, b2, s12); s13 = madd(a1, b3, s13);
          s20 = madd(a2, b0, s20); s21 = madd(a2, b1, s21); s22 = madd(a2, b2, s22); s23 = madd(a2, b3, s23);
          s30 = madd(a3, b0, s30); s31 = madd(a3, b1, s31); s32 = madd(a3, b2, s32); s33 = madd(a3, b3, s33);
        }
        // Horizontal sums: row q gets [sum s_q0, sum s_q1, sum s_q2, sum s_q3].
        let r_0 = hsum4(s00, s01, s02, s03);
        let r_1 = hsum4(s10, s11, s12, s13);
        let r_2 = hsum4(s20, s21, s22, s23);
        let r_3 = hsum4(s30, s31, s32, s33);
        for (let p = pe; p < p1; p++) {
          const o = <usize>p << 2;
          const bv = f32x4(load<f32>(pb0 + o), load<f32>(pb1 + o), load<f32>(pb2 + o), load<f32>(pb3 + o));
          r_0 = madd(lds(pa0 + o), bv, r_0);
          r_1 = madd(lds(pa1 + o), bv, r_1);
          r_2 = madd(lds(pa2 + o), bv, r_2);
          r_3 = madd(lds(pa3 + o), bv, r_3);
        }
        const c0 = c + (<usize>(i * ldc + j) << 2);
        const sc = <usize>ldc << 2;
        if (add) {
          r_0 = f32x4.add(r_0, v128.load(c0)); r_1 = f32x4.add(r_1, v128.load(c0 + sc));
          r_2 = f32x4.add(r_2, v128.load(c0 + 2 * sc)); r_3 = f32x4.add(r_3, v128.load(c0 + 3 * sc));
        }
        v128.store(c0, r_0); v128.store(c0 + sc, r_1); v128.store(c0 + 2 * sc, r_2); v128.store(c0 + 3 * sc, r_3);
      }
      for (let q = 0; q < 4; q++) for (let j = n4; j < n; j++) ntScalar(i + q, j, p0, p1, a, lda, b, ldb, c, ldc, add);
    }
    for (; i < r1; i++) {
      for (let j = 0; j < n; j++) ntScalar(i, j, p0, p1, a, lda, b, ldb, c, ldc, add);
    }
  }
}

// @ts-ignore: decorator
@inline function hsum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  // Transpose-add: result lane q = horizontal sum of x_q.
  const t0 = f32x4.add(v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), v128.shuffle<f32>(x0, x1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), v128.shuffle<f32>(x2, x3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

function ntScalar(i: i32, j: i32, p0: i32, p1: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, add: bool): void {
  const pa = a + (<usize>(i * lda) << 2);
  const pb = b + (<usize>(j * ldb) << 2);
  const pe = p0 + ((p1 - p0) & ~3);
  let v = f32x4.splat(0);
  for (let p = p0; p < pe; p += 4) v = madd(v128.load(pa + (<usize>p << 2)), v128.load(pb + (<usize>p << 2)), v);
  let s: f32 = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (let p = pe; p < p1; p++) s += load<f32>(pa + (<usize>p << 2)) * load<f32>(pb + (<usize>p << 2));
  const pc = c + (<usize>(i * ldc + j) << 2);
  store<f32>(pc, add ? load<f32>(pc) + s : s);
}
