// conv1d lowering kernels (see index.ts for conventions). PyTorch layout: x [B, C, L],
// col [B, C*K, Lout] with row c*K + k, column t holding x[b, c, t*stride - pad + k*dilation]
// (0 outside [0, L)). A conv1d is then one batched GEMM: weight [Cout, C*K] x col.
// Threads split the B*C input rows: each (b, c) owns K col rows and one x row, so no two threads
// ever write the same element.

import { shareStart } from './vecmath';

// Valid output positions for kernel tap offset `off`: t in [lo, hi) has 0 <= t*stride + off < L.
@inline function validLo(off: i32, stride: i32, Lout: i32): i32 {
  return off >= 0 ? 0 : min(Lout, (-off + stride - 1) / stride);
}
@inline function validHi(off: i32, stride: i32, L: i32, Lout: i32): i32 {
  return off > L - 1 ? 0 : min(Lout, (L - 1 - off) / stride + 1);
}

export function im2col1d(x: usize, B: i32, C: i32, L: i32, K: i32, stride: i32, pad: i32, dilation: i32,
                         Lout: i32, col: usize, tid: i32, nthreads: i32): void {
  const rows = B * C;
  const r0 = <i32>(<i64>rows * tid / nthreads);
  const r1 = <i32>(<i64>rows * (tid + 1) / nthreads);
  const rowBytes = <usize>Lout << 2;
  for (let r = r0; r < r1; r++) {
    const xr = x + <usize>r * (<usize>L << 2);
    let dst = col + <usize>r * <usize>K * rowBytes;
    for (let k = 0; k < K; k++) {
      const off = k * dilation - pad;
      const lo = validLo(off, stride, Lout);
      const hi = max(lo, validHi(off, stride, L, Lout));
      if (lo > 0) memory.fill(dst, 0, <usize>lo << 2);
      if (stride == 1) {
        // Contiguous: a plain copy of the shifted input row.
        memory.copy(dst + (<usize>lo << 2), xr + (<usize>(lo + off) << 2), <usize>(hi - lo) << 2);
      } else {
        let src = xr + (<usize>(lo * stride + off) << 2);
        const step = <usize>stride << 2;
        for (let t = lo; t < hi; t++) {
          store<f32>(dst + (<usize>t << 2), load<f32>(src));
          src += step;
        }
      }
      if (hi < Lout) memory.fill(dst + (<usize>hi << 2), 0, <usize>(Lout - hi) << 2);
      dst += rowBytes;
    }
  }
}

/**
 * The adjoint of im2col1d: x_grad[b, c, t*stride - pad + k*dilation] += col[b, c*K + k, t].
 * accumulate = 0 overwrites x_grad (its old contents are ignored), 1 adds to it.
 */
export function col2im1d(col: usize, B: i32, C: i32, L: i32, K: i32, stride: i32, pad: i32, dilation: i32,
                         Lout: i32, x_grad: usize, accumulate: i32, tid: i32, nthreads: i32): void {
  const rows = B * C;
  const r0 = <i32>(<i64>rows * tid / nthreads);
  const r1 = <i32>(<i64>rows * (tid + 1) / nthreads);
  const rowBytes = <usize>Lout << 2;
  for (let r = r0; r < r1; r++) {
    const xr = x_grad + <usize>r * (<usize>L << 2);
    if (accumulate == 0) memory.fill(xr, 0, <usize>L << 2);
    let src = col + <usize>r * <usize>K * rowBytes;
    for (let k = 0; k < K; k++) {
      const off = k * dilation - pad;
      const lo = validLo(off, stride, Lout);
      const hi = max(lo, validHi(off, stride, L, Lout));
      if (stride == 1) {
        // Contiguous: x_row[lo+off .. hi+off) += col_row[lo .. hi), 4 lanes at a time.
        let d = xr + (<usize>(lo + off) << 2);
        let s = src + (<usize>lo << 2);
        let t = lo;
        for (; t + 4 <= hi; t += 4) {
          v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
          d += 16;
          s += 16;
        }
        for (; t < hi; t++) {
          store<f32>(d, load<f32>(d) + load<f32>(s));
          d += 4;
          s += 4;
        }
      } else {
        let d = xr + (<usize>(lo * stride + off) << 2);
        const step = <usize>stride << 2;
        for (let t = lo; t < hi; t++) {
          store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>t << 2)));
          d += step;
        }
      }
      src += rowBytes;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Channels-last lowering (x [B, L, C], as Transformer activations lie): col [B*Lout, K*C] with
// row (b, t) = x[b, t*stride - pad + k*dilation, :] for k = 0..K-1 (zeros outside). A conv1d is
// then ONE large GEMM col · W'ᵀ with W' = weight permuted to [Cout, K, C], and its gradients are
// one GEMM each: far better shaped than per-batch products, and no activation transposes.

// Threads split the B*Lout col rows (each writes only its own rows).
export function im2col1d_nlc(x: usize, B: i32, L: i32, C: i32, K: i32, stride: i32, pad: i32, dilation: i32,
                             Lout: i32, col: usize, tid: i32, nthreads: i32): void {
  const rows = B * Lout;
  const r0 = <i32>(<i64>rows * tid / nthreads);
  const r1 = <i32>(<i64>rows * (tid + 1) / nthreads);
  const cBytes = <usize>C << 2;
  for (let r = r0; r < r1; r++) {
    const b = r / Lout, t = r - b * Lout;
    let dst = col + <usize>r * <usize>K * cBytes;
    const xb = x + <usize>b * <usize>L * cBytes;
    for (let k = 0; k < K; k++) {
      const tin = t * stride - pad + k * dilation;
      if (tin >= 0 && tin < L) memory.copy(dst, xb + <usize>tin * cBytes, cBytes);
      else memory.fill(dst, 0, cBytes);
      dst += cBytes;
    }
  }
}

// The adjoint: x_grad[b, tin, :] (=|+=) Σ over (t, k) with t*stride - pad + k*dilation = tin of
// col[b*Lout + t, k, :]. Threads split the B*L input rows, so each output row has one writer.
export function col2im1d_nlc(col: usize, B: i32, L: i32, C: i32, K: i32, stride: i32, pad: i32, dilation: i32,
                             Lout: i32, xGrad: usize, accumulate: i32, tid: i32, nthreads: i32): void {
  const rows = B * L;
  const r0 = <i32>(<i64>rows * tid / nthreads);
  const r1 = <i32>(<i64>rows * (tid + 1) / nthreads);
  const cBytes = <usize>C << 2;
  const c4 = C & ~3;
  for (let r = r0; r < r1; r++) {
    const b = r / L, tin = r - b * L;
    const dst = xGrad + <usize>r * cBytes;
    if (!accumulate) memory.fill(dst, 0, cBytes);
    for (let k = 0; k < K; k++) {
      const num = tin + pad - k * dilation;
      if (num < 0 || num % stride != 0) continue;
      const t = num / stride;
      if (t >= Lout) continue;
      const src = col + (<usize>(b * Lout + t) * <usize>K + <usize>k) * cBytes;
      let c = 0;
      for (; c < c4; c += 4) {
        const o = <usize>c << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Winograd F(4, 3) and F(2, 5) for stride-1 convs on channels-last x [B, L, C] (Lavin & Gray
// 2016). Both use the six points 0, +-1, +-2, inf, so they share the input transform B^T: output
// frames m*i .. m*i+m-1 come from the six input frames d_l = x[m*i - pad + l] (zero outside
// [0, L)), u = B^T d, one batched GEMM m_j = u_j . V_j^T over the six points, then y = A^T m.
// The transforms are written out (a table-driven loop ran ~4x slower). Threads split the B*n
// tiles (n = ceil(Lout / m)); channel counts must be multiples of 4.

@inline function frameOrZero(xb: usize, t: i32, L: i32, rowBytes: usize): v128 {
  return t >= 0 && t < L ? v128.load(xb + <usize>t * rowBytes) : f32x4.splat(0);
}

@inline function times(k: f32, v: v128): v128 {
  return f32x4.mul(f32x4.splat(k), v);
}

// u [6, B*n, C] from x [B, L, C], m outputs per tile.
export function winograd6_input_nlc(x: usize, B: i32, L: i32, C: i32, Lout: i32, m: i32, pad: i32, u: usize, tid: i32, nthreads: i32): void {
  const n = (Lout + m - 1) / m;
  const tiles = B * n;
  const r0 = shareStart(tiles, tid, nthreads, 1), r1 = shareStart(tiles, tid + 1, nthreads, 1);
  const rowBytes = <usize>C << 2;
  const plane = <usize>tiles * rowBytes;
  for (let r = r0; r < r1; r++) {
    const b = r / n, i = r - b * n;
    const t0 = m * i - pad;
    const xb = x + <usize>b * <usize>L * rowBytes;
    const dst = u + <usize>r * rowBytes;
    for (let c: usize = 0; c < rowBytes; c += 16) {
      const d0 = frameOrZero(xb + c, t0, L, rowBytes), d1 = frameOrZero(xb + c, t0 + 1, L, rowBytes);
      const d2 = frameOrZero(xb + c, t0 + 2, L, rowBytes), d3 = frameOrZero(xb + c, t0 + 3, L, rowBytes);
      const d4 = frameOrZero(xb + c, t0 + 4, L, rowBytes), d5 = frameOrZero(xb + c, t0 + 5, L, rowBytes);
      // B^T rows: [4 0 -5 0 1 0] [0 -4 -4 1 1 0] [0 4 -4 -1 1 0] [0 -2 -1 2 1 0] [0 2 -1 -2 1 0] [0 4 0 -5 0 1]
      const s34 = f32x4.add(d3, d4), d24 = f32x4.sub(d4, d2);
      v128.store(dst + c, f32x4.add(f32x4.sub(times(4, d0), times(5, d2)), d4));
      v128.store(dst + plane + c, f32x4.add(times(-4, f32x4.add(d1, d2)), s34));
      v128.store(dst + 2 * plane + c, f32x4.add(times(4, f32x4.sub(d1, d2)), f32x4.sub(d4, d3)));
      v128.store(dst + 3 * plane + c, f32x4.add(times(2, f32x4.sub(d3, d1)), d24));
      v128.store(dst + 4 * plane + c, f32x4.add(times(2, f32x4.sub(d1, d3)), d24));
      v128.store(dst + 5 * plane + c, f32x4.add(f32x4.sub(times(4, d1), times(5, d3)), d5));
    }
  }
}

// y [B, Lout, Cout] from mm [6, B*n, Cout] with m = 4 (F(4, 3)) or 2 (F(2, 5)), plus bias [Cout]
// (0 = none), then ReLU when relu != 0.
export function winograd6_output_nlc(mm: usize, B: i32, Lout: i32, Cout: i32, m: i32, bias: usize, relu: i32, y: usize, tid: i32, nthreads: i32): void {
  const n = (Lout + m - 1) / m;
  const tiles = B * n;
  const r0 = shareStart(tiles, tid, nthreads, 1), r1 = shareStart(tiles, tid + 1, nthreads, 1);
  const rowBytes = <usize>Cout << 2;
  const plane = <usize>tiles * rowBytes;
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const b = r / n, i = r - b * n;
    const src = mm + <usize>r * rowBytes;
    const outRows = min(m, Lout - m * i);
    const dst = y + (<usize>b * <usize>Lout + <usize>(m * i)) * rowBytes;
    for (let c: usize = 0; c < rowBytes; c += 16) {
      const m0 = v128.load(src + c), m1 = v128.load(src + plane + c), m2 = v128.load(src + 2 * plane + c);
      const m3 = v128.load(src + 3 * plane + c), m4 = v128.load(src + 4 * plane + c), m5 = v128.load(src + 5 * plane + c);
      const bv = bias ? v128.load(bias + c) : zero;
      const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
      // F(4, 3) A^T: [1 1 1 1 1 0] [0 1 -1 2 -2 0] [0 1 1 4 4 0] [0 1 -1 8 -8 1];
      // F(2, 5) A^T: [1 1 1 1 1 0] [0 1 -1 2 -2 1].
      let y0 = f32x4.add(f32x4.add(m0, s12), f32x4.add(s34, bv));
      let y1 = f32x4.add(f32x4.add(d12, times(2, d34)), bv);
      if (m == 2) y1 = f32x4.add(y1, m5);
      if (relu) { y0 = f32x4.max(y0, zero); y1 = f32x4.max(y1, zero); }
      v128.store(dst + c, y0);
      if (outRows > 1) v128.store(dst + rowBytes + c, y1);
      if (m == 4 && outRows > 2) {
        let y2 = f32x4.add(f32x4.add(s12, times(4, s34)), bv);
        if (relu) y2 = f32x4.max(y2, zero);
        v128.store(dst + 2 * rowBytes + c, y2);
        if (outRows > 3) {
          let y3 = f32x4.add(f32x4.add(f32x4.add(d12, times(8, d34)), m5), bv);
          if (relu) y3 = f32x4.max(y3, zero);
          v128.store(dst + 3 * rowBytes + c, y3);
        }
      }
    }
  }
}
