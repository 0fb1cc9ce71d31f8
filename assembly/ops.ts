// Elementwise and data-layout kernels of the neural-network engine (f32, SIMD where it pays). Pointers
// are byte offsets; counts are in elements.

/** y[i] = max(x[i], 0); x and y may alias. */
export function relu(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  const z = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) v128.store(y + (<usize>i << 2), f32x4.max(v128.load(x + (<usize>i << 2)), z));
  for (let i = n4; i < n; i++) store<f32>(y + (<usize>i << 2), max(load<f32>(x + (<usize>i << 2)), 0));
}

/** dx[i] = y[i] > 0 ? dy[i] : 0 (y the ReLU output); dx and dy may alias. */
export function relu_backward(y: usize, dy: usize, dx: usize, n: i32): void {
  const n4 = n & ~3;
  const z = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), z)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** x[r, :] += bias for each of the rows (x is [rows x cols]). */
export function add_row_bias(x: usize, bias: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    for (let j = 0; j < c4; j += 4) v128.store(row + (<usize>j << 2), f32x4.add(v128.load(row + (<usize>j << 2)), v128.load(bias + (<usize>j << 2))));
    for (let j = c4; j < cols; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + load<f32>(bias + (<usize>j << 2)));
  }
}

/** g[j] (+)= sum over rows of x[r, j] (bias gradients). */
export function sum_rows(x: usize, g: usize, rows: i32, cols: i32, acc: i32): void {
  if (acc == 0) memory.fill(g, 0, <usize>cols << 2);
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    for (let j = 0; j < c4; j += 4) v128.store(g + (<usize>j << 2), f32x4.add(v128.load(g + (<usize>j << 2)), v128.load(row + (<usize>j << 2))));
    for (let j = c4; j < cols; j++) store<f32>(g + (<usize>j << 2), load<f32>(g + (<usize>j << 2)) + load<f32>(row + (<usize>j << 2)));
  }
}

/** y[i] = x[i] * mask[i] (dropout with a precomputed scaled mask); x and y may alias. */
export function mul(x: usize, m: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.mul(v128.load(x + o), v128.load(m + o)));
  }
  for (let i = n4; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * load<f32>(m + (<usize>i << 2)));
}

/**
 * One Adam step (Kingma & Ba 2015) with bias correction: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * p -= lr_t m / (sqrt(v) + eps_t), where lr_t = lr sqrt(1-b2^t)/(1-b1^t) and eps_t = eps sqrt(1-b2^t)
 * (algebraically PyTorch's update, folded so only one division is needed).
 */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, lr_t: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps_t: f32): void {
  // c1 = 1 - b1 and c2 = 1 - b2 come from the caller in double precision: 1 - b2 formed in float32
  // from b2 = 0.999 would be off by 1.3e-5.
  const n4 = n & ~3;
  const vb1 = f32x4.splat(b1), vc1 = f32x4.splat(c1), vb2 = f32x4.splat(b2), vc2 = f32x4.splat(c2);
  const vlr = f32x4.splat(lr_t), veps = f32x4.splat(eps_t);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gg = v128.load(g + o);
    const mm = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gg));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gg, gg)));
    v128.store(m + o, mm);
    v128.store(v + o, vv);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(vlr, mm), f32x4.add(f32x4.sqrt(vv), veps))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const gg = load<f32>(g + o);
    const mm = b1 * load<f32>(m + o) + c1 * gg;
    const vv = b2 * load<f32>(v + o) + c2 * gg * gg;
    store<f32>(m + o, mm);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) - (lr_t * mm) / (sqrt<f32>(vv) + eps_t));
  }
}

/**
 * im2col for a 3 x 3 convolution with dilation d and 'same' zero padding d on one image x [C x H x W]:
 * cols [(C*9) x (H*W)], row (c*9 + ky*3 + kx) holding x[c, y + (ky-1) d, x + (kx-1) d].
 */
export function im2col3(x: usize, cols: usize, C: i32, H: i32, W: i32, d: i32): void {
  const HW = H * W;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        const row = cols + (<usize>((c * 9 + ky * 3 + kx) * HW) << 2);
        const dy = (ky - 1) * d;
        const dx = (kx - 1) * d;
        for (let y = 0; y < H; y++) {
          const sy = y + dy;
          const out = row + (<usize>(y * W) << 2);
          if (sy < 0 || sy >= H) {
            memory.fill(out, 0, <usize>W << 2);
            continue;
          }
          const src = x + (<usize>((c * H + sy) * W) << 2);
          for (let xx = 0; xx < W; xx++) {
            const sx = xx + dx;
            store<f32>(out + (<usize>xx << 2), sx >= 0 && sx < W ? load<f32>(src + (<usize>sx << 2)) : 0);
          }
        }
      }
    }
  }
}

/** The adjoint of im2col3: dx [C x H x W] (+)= scatter of dcols [(C*9) x (H*W)]. */
export function col2im3(dcols: usize, dx: usize, C: i32, H: i32, W: i32, d: i32, acc: i32): void {
  const HW = H * W;
  if (acc == 0) memory.fill(dx, 0, <usize>(C * HW) << 2);
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        const row = dcols + (<usize>((c * 9 + ky * 3 + kx) * HW) << 2);
        const dy = (ky - 1) * d;
        const ddx = (kx - 1) * d;
        for (let y = 0; y < H; y++) {
          const sy = y + dy;
          if (sy < 0 || sy >= H) continue;
          const inp = row + (<usize>(y * W) << 2);
          const dst = dx + (<usize>((c * H + sy) * W) << 2);
          for (let xx = 0; xx < W; xx++) {
            const sx = xx + ddx;
            if (sx >= 0 && sx < W) store<f32>(dst + (<usize>sx << 2), load<f32>(dst + (<usize>sx << 2)) + load<f32>(inp + (<usize>xx << 2)));
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  // exp(x) = 2^n exp(r), x = n ln2 + r, |r| <= ln2/2; Taylor to r^6 (error < 2e-7 relative).
  const cx = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.floor(f32x4.add(f32x4.mul(cx, f32x4.splat(1.4426950408889634)), f32x4.splat(0.5)));
  let r = f32x4.sub(cx, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.0 / 720.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

/** SiLU: y = x sigmoid(x), and sig = sigmoid(x) kept for the backward pass. */
export function silu(x: usize, y: usize, sig: usize, n: i32): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const s = f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(xv))));
    v128.store(sig + o, s);
    v128.store(y + o, f32x4.mul(xv, s));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const xv = load<f32>(x + o);
    const s: f32 = 1.0 / (1.0 + Mathf.exp(-xv));
    store<f32>(sig + o, s);
    store<f32>(y + o, xv * s);
  }
}

/** dx = dy sig (1 + x (1 - sig)). */
export function silu_backward(x: usize, sig: usize, dy: usize, dx: usize, n: i32): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const s = v128.load(sig + o);
    const t = f32x4.add(one, f32x4.mul(v128.load(x + o), f32x4.sub(one, s)));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(s, t)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(sig + o);
    store<f32>(dx + o, load<f32>(dy + o) * s * (1 + load<f32>(x + o) * (1 - s)));
  }
}
