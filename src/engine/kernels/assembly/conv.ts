// conv1d lowering kernels (see index.ts for conventions). PyTorch layout: x [B, C, L],
// col [B, C*K, Lout] with row c*K + k, column t holding x[b, c, t*stride - pad + k*dilation]
// (0 outside [0, L)). A conv1d is then one batched GEMM: weight [Cout, C*K] x col.
// Threads split the B*C input rows: each (b, c) owns K col rows and one x row, so no two threads
// ever write the same element.

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
