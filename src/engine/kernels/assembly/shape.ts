// Layout kernels owned by the ops layer (src/engine/ops/shape.ts).

// Copies a strided view into another strided view of the same shape (4-byte elements).
// shape/srcStrides/dstStrides are i32[ndim] (ndim ≤ 8, strides in elements). Threads split the
// outermost dimension, so no two threads write the same element.
export function copy_strided2_32(ndim: i32, shape: usize, src: usize, srcStrides: usize, dst: usize, dstStrides: usize, tid: i32, nthreads: i32): void {
  const n0 = load<i32>(shape);
  const lo = <i32>((<i64>n0 * tid) / nthreads);
  const hi = <i32>((<i64>n0 * (tid + 1)) / nthreads);
  if (lo >= hi) return;
  if (ndim == 1) {
    const ss = load<i32>(srcStrides), ds = load<i32>(dstStrides);
    copyRun(src + <usize>(lo * ss) * 4, ss, dst + <usize>(lo * ds) * 4, ds, hi - lo);
    return;
  }
  // Index counter over dims 1..ndim-2; the innermost dim is a run.
  const inner = load<i32>(shape + <usize>(ndim - 1) * 4);
  const sIn = load<i32>(srcStrides + <usize>(ndim - 1) * 4);
  const dIn = load<i32>(dstStrides + <usize>(ndim - 1) * 4);
  const s0 = load<i32>(srcStrides), d0 = load<i32>(dstStrides);
  // Static data is shared by all threads (one memory), so each thread takes its own 32-byte slot.
  const idx = memory.data(32 * 64) + <usize>(tid & 63) * 32;
  for (let i0 = lo; i0 < hi; i0++) {
    for (let d = 1; d < ndim - 1; d++) store<i32>(idx + <usize>d * 4, 0);
    while (true) {
      let so: i64 = <i64>i0 * s0, dof: i64 = <i64>i0 * d0;
      for (let d = 1; d < ndim - 1; d++) {
        const k = <i64>load<i32>(idx + <usize>d * 4);
        so += k * <i64>load<i32>(srcStrides + <usize>d * 4);
        dof += k * <i64>load<i32>(dstStrides + <usize>d * 4);
      }
      copyRun(src + <usize>so * 4, sIn, dst + <usize>dof * 4, dIn, inner);
      let d = ndim - 2;
      for (; d >= 1; d--) {
        const k = load<i32>(idx + <usize>d * 4) + 1;
        if (k < load<i32>(shape + <usize>d * 4)) { store<i32>(idx + <usize>d * 4, k); break; }
        store<i32>(idx + <usize>d * 4, 0);
      }
      if (d < 1) break;
    }
  }
}

// @ts-ignore: decorator
@inline
function copyRun(src: usize, ss: i32, dst: usize, ds: i32, n: i32): void {
  if (ss == 1 && ds == 1) { memory.copy(dst, src, <usize>n * 4); return; }
  if (ss == 0) { const v = load<u32>(src); for (let i = 0; i < n; i++) store<u32>(dst + <usize>(i * ds) * 4, v); return; }
  for (let i = 0; i < n; i++) store<u32>(dst + <usize>(i * ds) * 4, load<u32>(src + <usize>(i * ss) * 4));
}
