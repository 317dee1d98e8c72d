// Reductions over one axis of a contiguous [outer, red, inner] view, arg-reductions, cumulative
// sums, top-k and global dot/sum-of-squares partials. Sums accumulate in f64 (f64x2 SIMD), so a
// sum of 10^6 f32 values is accurate to f32 rounding of the exact result.
//
// Op codes mirror src/engine/kernels/opcodes.ts (ReduceOp): keep both in sync.
import { shareStart, at, lo64, hi64, pack64, hsum64, hmax, hmin } from './vecmath';

// ReduceOp (opcodes.ts)
const SUM: i32 = 0;
const MEAN: i32 = 1;
const MAX: i32 = 2;
const MIN: i32 = 3;
const SUMSQ: i32 = 4;
const PROD: i32 = 5;

/** Reduction of a contiguous run of `red` floats (inner == 1). */
function reduceContiguous(op: i32, red: i32, p: usize): f64 {
  if (op == MAX || op == MIN) {
    const isMax = op == MAX;
    let m0 = f32x4.splat(isMax ? -Infinity : Infinity);
    let m1 = m0;
    let i = 0;
    for (; i + 8 <= red; i += 8) {
      const a = v128.load(at(p, i));
      const b = v128.load(at(p, i), 16);
      if (isMax) { m0 = f32x4.max(m0, a); m1 = f32x4.max(m1, b); } else { m0 = f32x4.min(m0, a); m1 = f32x4.min(m1, b); }
    }
    let r: f32 = isMax ? hmax(f32x4.max(m0, m1)) : hmin(f32x4.min(m0, m1));
    for (; i < red; i++) r = isMax ? max<f32>(r, load<f32>(at(p, i))) : min<f32>(r, load<f32>(at(p, i)));
    return <f64>r;
  }
  if (op == PROD) {
    let r: f64 = 1;
    for (let i = 0; i < red; i++) r *= <f64>load<f32>(at(p, i));
    return r;
  }
  const sq = op == SUMSQ;
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 8 <= red; i += 8) {
    const u = v128.load(at(p, i));
    const w = v128.load(at(p, i), 16);
    let u0 = lo64(u), u1 = hi64(u), w0 = lo64(w), w1 = hi64(w);
    if (sq) { u0 = f64x2.mul(u0, u0); u1 = f64x2.mul(u1, u1); w0 = f64x2.mul(w0, w0); w1 = f64x2.mul(w1, w1); }
    a0 = f64x2.add(a0, u0); a1 = f64x2.add(a1, u1); a2 = f64x2.add(a2, w0); a3 = f64x2.add(a3, w1);
  }
  let r = hsum64(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
  for (; i < red; i++) {
    const v = <f64>load<f32>(at(p, i));
    r += sq ? v * v : v;
  }
  if (op == MEAN) r /= <f64>red; // red == 0 → NaN like torch.mean of nothing
  return r;
}

/** out[j] for j in [j0, j1) of one outer slice: reduce down the `red` rows of width `inner`. */
function reduceColumns(op: i32, red: i32, inner: i32, base: usize, outRow: usize, j0: i32, j1: i32): void {
  const rowBytes = <usize>inner << 2;
  let j = j0;
  if (op == SUM || op == MEAN || op == SUMSQ) {
    const sq = op == SUMSQ;
    const scale: f64 = op == MEAN ? 1.0 / <f64>red : 1.0;
    const vs = f64x2.splat(scale);
    for (; j + 8 <= j1; j += 8) {
      let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let p = at(base, j);
      for (let r = 0; r < red; r++, p += rowBytes) {
        const u = v128.load(p);
        const w = v128.load(p, 16);
        let u0 = lo64(u), u1 = hi64(u), w0 = lo64(w), w1 = hi64(w);
        if (sq) { u0 = f64x2.mul(u0, u0); u1 = f64x2.mul(u1, u1); w0 = f64x2.mul(w0, w0); w1 = f64x2.mul(w1, w1); }
        a0 = f64x2.add(a0, u0); a1 = f64x2.add(a1, u1); a2 = f64x2.add(a2, w0); a3 = f64x2.add(a3, w1);
      }
      v128.store(at(outRow, j), pack64(f64x2.mul(a0, vs), f64x2.mul(a1, vs)));
      v128.store(at(outRow, j), pack64(f64x2.mul(a2, vs), f64x2.mul(a3, vs)), 16);
    }
    for (; j + 4 <= j1; j += 4) {
      let a0 = f64x2.splat(0), a1 = a0;
      let p = at(base, j);
      for (let r = 0; r < red; r++, p += rowBytes) {
        const u = v128.load(p);
        let u0 = lo64(u), u1 = hi64(u);
        if (sq) { u0 = f64x2.mul(u0, u0); u1 = f64x2.mul(u1, u1); }
        a0 = f64x2.add(a0, u0); a1 = f64x2.add(a1, u1);
      }
      v128.store(at(outRow, j), pack64(f64x2.mul(a0, vs), f64x2.mul(a1, vs)));
    }
  } else if (op == MAX || op == MIN) {
    const isMax = op == MAX;
    for (; j + 4 <= j1; j += 4) {
      let m = f32x4.splat(isMax ? -Infinity : Infinity);
      let p = at(base, j);
      for (let r = 0; r < red; r++, p += rowBytes) m = isMax ? f32x4.max(m, v128.load(p)) : f32x4.min(m, v128.load(p));
      v128.store(at(outRow, j), m);
    }
  }
  // Remaining columns (and PROD): scalar, f64 accumulation.
  for (; j < j1; j++) {
    let p = at(base, j);
    let r: f64 = op == PROD ? 1 : op == MAX ? -Infinity : op == MIN ? Infinity : 0;
    for (let k = 0; k < red; k++, p += rowBytes) {
      const v = <f64>load<f32>(p);
      if (op == PROD) r *= v;
      else if (op == MAX) r = max<f64>(r, v);
      else if (op == MIN) r = min<f64>(r, v);
      else r += op == SUMSQ ? v * v : v;
    }
    if (op == MEAN) r /= <f64>red;
    store<f32>(at(outRow, j), <f32>r);
  }
}

/**
 * out[o, j] = reduce_r x[o, r, j]. Empty reductions give SUM/SUMSQ 0, MEAN NaN, MAX -inf, MIN +inf,
 * PROD 1. MAX/MIN propagate NaN.
 */
export function reduce_f32(op: i32, outer: i32, red: i32, inner: i32, x: usize, out: usize, tid: i32, nt: i32): void {
  if (inner == 1) {
    const s = shareStart(outer, tid, nt, 1);
    const e = shareStart(outer, tid + 1, nt, 1);
    for (let o = s; o < e; o++) store<f32>(at(out, o), <f32>reduceContiguous(op, red, at(x, o * red)));
    return;
  }
  // Split the outer*inner outputs; a thread's range is walked one outer slice at a time.
  const total = outer * inner;
  const s = shareStart(total, tid, nt, 4);
  const e = shareStart(total, tid + 1, nt, 4);
  let q = s;
  while (q < e) {
    const o = q / inner;
    const j0 = q - o * inner;
    const j1 = min<i32>(inner, e - o * inner);
    reduceColumns(op, red, inner, at(x, o * red * inner), at(out, o * inner), j0, j1);
    q += j1 - j0;
  }
}

/** Index search shared by argmax/argmin: first index on ties; the first NaN wins. */
@inline function argReduce(isMax: bool, outer: i32, red: i32, inner: i32, x: usize, outIdx: usize, tid: i32, nt: i32): void {
  const total = outer * inner;
  const s = shareStart(total, tid, nt, 1);
  const e = shareStart(total, tid + 1, nt, 1);
  for (let q = s; q < e; q++) {
    const o = q / inner;
    const j = q - o * inner;
    let p = at(x, o * red * inner + j);
    const step = <usize>inner << 2;
    let best: f32 = red > 0 ? load<f32>(p) : NaN;
    let bi = 0;
    if (best == best) {
      p += step;
      for (let r = 1; r < red; r++, p += step) {
        const v = load<f32>(p);
        if (v != v) { bi = r; break; }
        if (isMax ? v > best : v < best) { best = v; bi = r; }
      }
    }
    store<i32>(at(outIdx, q), bi);
  }
}

/** outIdx[o, j] (i32) = argmax_r x[o, r, j]; 0 for empty reductions. */
export function argmax_f32(outer: i32, red: i32, inner: i32, x: usize, outIdx: usize, tid: i32, nt: i32): void {
  argReduce(true, outer, red, inner, x, outIdx, tid, nt);
}

export function argmin_f32(outer: i32, red: i32, inner: i32, x: usize, outIdx: usize, tid: i32, nt: i32): void {
  argReduce(false, outer, red, inner, x, outIdx, tid, nt);
}

/** y[o, r, j] = Σ_{r' ≤ r} x[o, r', j] (reverse: Σ_{r' ≥ r}); f64 running sums. In place allowed. */
export function cumsum_f32(outer: i32, red: i32, inner: i32, x: usize, y: usize, reverse: i32, tid: i32, nt: i32): void {
  const rev = reverse != 0;
  if (inner == 1) {
    const s = shareStart(outer, tid, nt, 1);
    const e = shareStart(outer, tid + 1, nt, 1);
    for (let o = s; o < e; o++) {
      const px = at(x, o * red), py = at(y, o * red);
      let acc: f64 = 0;
      if (rev) for (let r = red - 1; r >= 0; r--) { acc += <f64>load<f32>(at(px, r)); store<f32>(at(py, r), <f32>acc); }
      else for (let r = 0; r < red; r++) { acc += <f64>load<f32>(at(px, r)); store<f32>(at(py, r), <f32>acc); }
    }
    return;
  }
  const total = outer * inner;
  const s = shareStart(total, tid, nt, 4);
  const e = shareStart(total, tid + 1, nt, 4);
  const rowBytes = <isize>inner << 2;
  let q = s;
  while (q < e) {
    const o = q / inner;
    const j0 = q - o * inner;
    const j1 = min<i32>(inner, e - o * inner);
    const first = rev ? red - 1 : 0;
    const step: isize = rev ? -rowBytes : rowBytes;
    const bx = at(x, o * red * inner + first * inner), by = at(y, o * red * inner + first * inner);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      let a0 = f64x2.splat(0), a1 = a0;
      let px = at(bx, j), py = at(by, j);
      for (let r = 0; r < red; r++, px += step, py += step) {
        const u = v128.load(px);
        a0 = f64x2.add(a0, lo64(u)); a1 = f64x2.add(a1, hi64(u));
        v128.store(py, pack64(a0, a1));
      }
    }
    for (; j < j1; j++) {
      let acc: f64 = 0;
      let px = at(bx, j), py = at(by, j);
      for (let r = 0; r < red; r++, px += step, py += step) { acc += <f64>load<f32>(px); store<f32>(py, <f32>acc); }
    }
    q += j1 - j0;
  }
}

/** a ranks before b in top-k order: larger first, NaN largest. */
@inline function ranksBefore(a: f32, b: f32): bool {
  return (a != a && b == b) || a > b;
}

/**
 * Per row of `red` floats (inner = 1): the k largest values, descending, with their i32 indices;
 * ties keep the smaller index first. Insertion into the k-slot output: O(red·k) worst case, meant
 * for small k (sampling); rows split across threads. Requires 0 ≤ k ≤ red.
 */
export function topk_f32(outer: i32, red: i32, k: i32, x: usize, values: usize, indices: usize, tid: i32, nt: i32): void {
  const s = shareStart(outer, tid, nt, 1);
  const e = shareStart(outer, tid + 1, nt, 1);
  if (k <= 0) return;
  for (let o = s; o < e; o++) {
    const px = at(x, o * red), pv = at(values, o * k), pi = at(indices, o * k);
    let count = 0;
    for (let i = 0; i < red; i++) {
      const v = load<f32>(at(px, i));
      if (count == k && !ranksBefore(v, load<f32>(at(pv, k - 1)))) continue;
      // Shift strictly-worse entries down, insert after any equal ones (stable).
      let pos = count < k ? count : k - 1;
      while (pos > 0 && ranksBefore(v, load<f32>(at(pv, pos - 1)))) {
        store<f32>(at(pv, pos), load<f32>(at(pv, pos - 1)));
        store<i32>(at(pi, pos), load<i32>(at(pi, pos - 1)));
        pos--;
      }
      store<f32>(at(pv, pos), v);
      store<i32>(at(pi, pos), i);
      if (count < k) count++;
    }
  }
}

/** partials[tid] (f64) = Σ x·y over this thread's share; the caller adds the nt partials. */
export function dot_f32(n: i32, x: usize, y: usize, partials: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const u = v128.load(at(x, i)), w = v128.load(at(y, i));
    a0 = f64x2.add(a0, f64x2.mul(lo64(u), lo64(w)));
    a1 = f64x2.add(a1, f64x2.mul(hi64(u), hi64(w)));
  }
  let r = hsum64(f64x2.add(a0, a1));
  for (; i < e; i++) r += <f64>load<f32>(at(x, i)) * <f64>load<f32>(at(y, i));
  store<f64>(partials + (<usize>tid << 3), r);
}

/** partials[tid] (f64) = Σ x² over this thread's share (global gradient-norm clipping). */
export function sumsq_f32(n: i32, x: usize, partials: usize, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const u = v128.load(at(x, i));
    const u0 = lo64(u), u1 = hi64(u);
    a0 = f64x2.add(a0, f64x2.mul(u0, u0));
    a1 = f64x2.add(a1, f64x2.mul(u1, u1));
  }
  let r = hsum64(f64x2.add(a0, a1));
  for (; i < e; i++) { const v = <f64>load<f32>(at(x, i)); r += v * v; }
  store<f64>(partials + (<usize>tid << 3), r);
}
