// Neural-network kernels, row-wise over the last dimension with rows split across threads:
// softmax / log-softmax / logsumexp (+ backward), layer norm (+ backward with per-thread
// dgamma/dbeta partials), row gather / scatter-add (embeddings), the FastSpeech length regulator
// and dropout. Conventions: see index.ts.
import {
  shareStart, at, exp4, lo64, hi64, hsum64, hmax, rowMoments, rowRstd, loadPartial, storePartial, randomBits, streamBase, uniform24,
} from './vecmath';

// ---------------------------------------------------------------------------------------------
// Softmax family. A row whose maximum is -inf (every entry masked, or n == 0) gives probabilities
// 0 (softmax), log-probabilities -inf (log_softmax) and logsumexp -inf, instead of torch's NaN:
// attention over padded keys needs exactly that.

@inline function rowMax(p: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(at(p, i)));
  let r = hmax(m);
  for (; i < n; i++) r = max<f32>(r, load<f32>(at(p, i)));
  return r;
}

/** y = exp(x - m) (y may be 0 to skip storing); returns Σ y in f64. */
@inline function expShiftSum(x: usize, y: usize, n: i32, m: f32): f64 {
  const vm = f32x4.splat(m);
  let a0 = f64x2.splat(0), a1 = a0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = exp4(f32x4.sub(v128.load(at(x, i)), vm));
    if (y) v128.store(at(y, i), v);
    a0 = f64x2.add(a0, lo64(v)); a1 = f64x2.add(a1, hi64(v));
  }
  if (i < n) {
    const k = n - i;
    const v = exp4(f32x4.sub(loadPartial(at(x, i), k), vm));
    if (y) storePartial(at(y, i), v, k);
    // The zero-padded lanes computed exp(0 - m): mask them out of the sum.
    const kept = v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(k)));
    a0 = f64x2.add(a0, lo64(kept)); a1 = f64x2.add(a1, hi64(kept));
  }
  return hsum64(f64x2.add(a0, a1));
}

@inline function fillRow(p: usize, n: i32, value: f32): void {
  for (let i = 0; i < n; i++) store<f32>(at(p, i), value);
}

export function softmax_f32(rows: i32, n: i32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const px = at(x, r * n), py = at(y, r * n);
    const m = rowMax(px, n);
    if (m == -Infinity) { fillRow(py, n, 0); continue; }
    const inv = f32x4.splat(<f32>(1.0 / expShiftSum(px, py, n, m)));
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(at(py, i), f32x4.mul(v128.load(at(py, i)), inv));
    for (; i < n; i++) store<f32>(at(py, i), load<f32>(at(py, i)) * f32x4.extract_lane(inv, 0));
  }
}

/** dx (= or +=) y·(dy − Σ dy·y) */
export function softmax_bwd_f32(rows: i32, n: i32, y: usize, dy: usize, dx: usize, accumulate: i32, tid: i32, nt: i32): void {
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const py = at(y, r * n), pdy = at(dy, r * n), pdx = at(dx, r * n);
    let a0 = f64x2.splat(0), a1 = a0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = f32x4.mul(v128.load(at(py, i)), v128.load(at(pdy, i)));
      a0 = f64x2.add(a0, lo64(v)); a1 = f64x2.add(a1, hi64(v));
    }
    let dot = hsum64(f64x2.add(a0, a1));
    for (; i < n; i++) dot += <f64>(load<f32>(at(py, i)) * load<f32>(at(pdy, i)));
    const d = <f32>dot;
    const vd = f32x4.splat(d);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      let g = f32x4.mul(v128.load(at(py, i)), f32x4.sub(v128.load(at(pdy, i)), vd));
      if (accumulate) g = f32x4.add(g, v128.load(at(pdx, i)));
      v128.store(at(pdx, i), g);
    }
    for (; i < n; i++) {
      let g = load<f32>(at(py, i)) * (load<f32>(at(pdy, i)) - d);
      if (accumulate) g += load<f32>(at(pdx, i));
      store<f32>(at(pdx, i), g);
    }
  }
}

export function log_softmax_f32(rows: i32, n: i32, x: usize, y: usize, tid: i32, nt: i32): void {
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const px = at(x, r * n), py = at(y, r * n);
    const m = rowMax(px, n);
    if (m == -Infinity) { fillRow(py, n, -Infinity); continue; }
    const shift = f32x4.splat(m + <f32>Math.log(expShiftSum(px, 0, n, m)));
    // x - (m + log Σ): one rounding of the shift, as torch.
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(at(py, i), f32x4.sub(v128.load(at(px, i)), shift));
    for (; i < n; i++) store<f32>(at(py, i), load<f32>(at(px, i)) - f32x4.extract_lane(shift, 0));
  }
}

/** dx (= or +=) dy − exp(y)·Σ dy */
export function log_softmax_bwd_f32(rows: i32, n: i32, y: usize, dy: usize, dx: usize, accumulate: i32, tid: i32, nt: i32): void {
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const py = at(y, r * n), pdy = at(dy, r * n), pdx = at(dx, r * n);
    let a0 = f64x2.splat(0), a1 = a0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(pdy, i));
      a0 = f64x2.add(a0, lo64(v)); a1 = f64x2.add(a1, hi64(v));
    }
    let sum = hsum64(f64x2.add(a0, a1));
    for (; i < n; i++) sum += <f64>load<f32>(at(pdy, i));
    const vs = f32x4.splat(<f32>sum);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      let g = f32x4.sub(v128.load(at(pdy, i)), f32x4.mul(exp4(v128.load(at(py, i))), vs));
      if (accumulate) g = f32x4.add(g, v128.load(at(pdx, i)));
      v128.store(at(pdx, i), g);
    }
    if (i < n) {
      const k = n - i;
      let g = f32x4.sub(loadPartial(at(pdy, i), k), f32x4.mul(exp4(loadPartial(at(py, i), k)), vs));
      if (accumulate) g = f32x4.add(g, loadPartial(at(pdx, i), k));
      storePartial(at(pdx, i), g, k);
    }
  }
}

/** out[r] = log Σ exp x[r, :] (−inf for empty or fully masked rows). */
export function logsumexp_f32(rows: i32, n: i32, x: usize, out: usize, tid: i32, nt: i32): void {
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const px = at(x, r * n);
    const m = rowMax(px, n);
    if (m == -Infinity) { store<f32>(at(out, r), -Infinity); continue; }
    store<f32>(at(out, r), <f32>(<f64>m + Math.log(expShiftSum(px, 0, n, m))));
  }
}

// ---------------------------------------------------------------------------------------------
// Layer norm over the last dimension (biased variance, as torch).

/**
 * y = (x − mean)·rstd·gamma + beta per row; gamma/beta may be 0 (absent); mean/rstd [rows] are
 * stored when nonzero (the backward needs them). Mean and variance are accumulated in f64 (two-pass).
 */
export function layernorm_f32(rows: i32, n: i32, x: usize, gamma: usize, beta: usize, eps: f32, y: usize, mean: usize, rstd: usize, tid: i32, nt: i32): void {
  if (n <= 0) return;
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  for (let r = s; r < e; r++) {
    const px = at(x, r * n), py = at(y, r * n);
    const mu = rowMoments(px, n, eps);
    const rs = rowRstd;
    if (mean) store<f32>(at(mean, r), <f32>mu);
    if (rstd) store<f32>(at(rstd, r), <f32>rs);
    const m32 = f32x4.splat(<f32>mu), r32 = f32x4.splat(<f32>rs);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      let v = f32x4.mul(f32x4.sub(v128.load(at(px, i)), m32), r32);
      if (gamma) v = f32x4.mul(v, v128.load(at(gamma, i)));
      if (beta) v = f32x4.add(v, v128.load(at(beta, i)));
      v128.store(at(py, i), v);
    }
    for (; i < n; i++) {
      let v = (load<f32>(at(px, i)) - <f32>mu) * <f32>rs;
      if (gamma) v *= load<f32>(at(gamma, i));
      if (beta) v += load<f32>(at(beta, i));
      store<f32>(at(py, i), v);
    }
  }
}

/**
 * dx (= or +=) rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·gamma and x̂ = (x − mean)·rstd.
 * When `partials` is nonzero, thread tid writes its dgamma (Σ dy·x̂) and dbeta (Σ dy) over its rows
 * to partials + tid·2n floats ([dgamma n | dbeta n], zeroed first); sum_partials_f32 combines them.
 */
export function layernorm_bwd_f32(rows: i32, n: i32, x: usize, gamma: usize, dy: usize, mean: usize, rstd: usize, dx: usize, accumulate: i32, partials: usize, tid: i32, nt: i32): void {
  if (n <= 0) return;
  const s = shareStart(rows, tid, nt, 1);
  const e = shareStart(rows, tid + 1, nt, 1);
  const dgamma = partials ? at(partials, tid * 2 * n) : 0;
  const dbeta = partials ? at(dgamma, n) : 0;
  if (partials) memory.fill(dgamma, 0, <usize>n << 3);
  const one = f32x4.splat(1.0);
  for (let r = s; r < e; r++) {
    const px = at(x, r * n), pdy = at(dy, r * n), pdx = at(dx, r * n);
    const mu = f32x4.splat(load<f32>(at(mean, r)));
    const rs = load<f32>(at(rstd, r));
    const vrs = f32x4.splat(rs);
    // Pass 1: Σ g and Σ g·x̂ (f64).
    let s0 = f64x2.splat(0), s1 = s0, t0 = s0, t1 = s0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const xh = f32x4.mul(f32x4.sub(v128.load(at(px, i)), mu), vrs);
      const g = f32x4.mul(v128.load(at(pdy, i)), gamma ? v128.load(at(gamma, i)) : one);
      const gx = f32x4.mul(g, xh);
      s0 = f64x2.add(s0, lo64(g)); s1 = f64x2.add(s1, hi64(g));
      t0 = f64x2.add(t0, lo64(gx)); t1 = f64x2.add(t1, hi64(gx));
    }
    let sg = hsum64(f64x2.add(s0, s1)), sgx = hsum64(f64x2.add(t0, t1));
    for (; i < n; i++) {
      const xh = (load<f32>(at(px, i)) - f32x4.extract_lane(mu, 0)) * rs;
      const g = load<f32>(at(pdy, i)) * (gamma ? load<f32>(at(gamma, i)) : 1);
      sg += <f64>g; sgx += <f64>(g * xh);
    }
    const mg = f32x4.splat(<f32>(sg / <f64>n)), mgx = f32x4.splat(<f32>(sgx / <f64>n));
    // Pass 2: dx and the parameter-gradient partials.
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const xh = f32x4.mul(f32x4.sub(v128.load(at(px, i)), mu), vrs);
      const d = v128.load(at(pdy, i));
      const g = f32x4.mul(d, gamma ? v128.load(at(gamma, i)) : one);
      let v = f32x4.mul(vrs, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xh, mgx)));
      if (accumulate) v = f32x4.add(v, v128.load(at(pdx, i)));
      v128.store(at(pdx, i), v);
      if (partials) {
        v128.store(at(dgamma, i), f32x4.add(v128.load(at(dgamma, i)), f32x4.mul(d, xh)));
        v128.store(at(dbeta, i), f32x4.add(v128.load(at(dbeta, i)), d));
      }
    }
    for (; i < n; i++) {
      const xh = (load<f32>(at(px, i)) - f32x4.extract_lane(mu, 0)) * rs;
      const d = load<f32>(at(pdy, i));
      const g = d * (gamma ? load<f32>(at(gamma, i)) : 1);
      let v = rs * ((g - f32x4.extract_lane(mg, 0)) - xh * f32x4.extract_lane(mgx, 0));
      if (accumulate) v += load<f32>(at(pdx, i));
      store<f32>(at(pdx, i), v);
      if (partials) {
        store<f32>(at(dgamma, i), load<f32>(at(dgamma, i)) + d * xh);
        store<f32>(at(dbeta, i), load<f32>(at(dbeta, i)) + d);
      }
    }
  }
}

/** out[j] (= or +=) Σ_{p < parts} partials[p·n2 + j]; columns split across threads. */
export function sum_partials_f32(parts: i32, n2: i32, partials: usize, out: usize, accumulate: i32, tid: i32, nt: i32): void {
  const s = shareStart(n2, tid, nt, 4);
  const e = shareStart(n2, tid + 1, nt, 4);
  let j = s;
  for (; j + 4 <= e; j += 4) {
    let v = accumulate ? v128.load(at(out, j)) : f32x4.splat(0);
    for (let p = 0; p < parts; p++) v = f32x4.add(v, v128.load(at(partials, p * n2 + j)));
    v128.store(at(out, j), v);
  }
  for (; j < e; j++) {
    let v: f32 = accumulate ? load<f32>(at(out, j)) : 0;
    for (let p = 0; p < parts; p++) v += load<f32>(at(partials, p * n2 + j));
    store<f32>(at(out, j), v);
  }
}

// ---------------------------------------------------------------------------------------------
// Embedding gather / scatter-add

/**
 * out[i, :] = table[idx[i], :] for a table of nRows × width. An index outside [0, nRows) writes a
 * NaN row and stores 1 into the i32 word at `errFlag` (if nonzero; the caller zeroes it first);
 * the kernel also returns the number of bad indices in its share.
 */
export function gather_rows_f32(nIdx: i32, width: i32, nRows: i32, table: usize, idx: usize, out: usize, errFlag: usize, tid: i32, nt: i32): i32 {
  const s = shareStart(nIdx, tid, nt, 1);
  const e = shareStart(nIdx, tid + 1, nt, 1);
  let bad = 0;
  for (let i = s; i < e; i++) {
    const row = load<i32>(at(idx, i));
    const dst = at(out, i * width);
    if (row < 0 || row >= nRows) {
      fillRow(dst, width, NaN);
      bad++;
      continue;
    }
    memory.copy(dst, at(table, row * width), <usize>width << 2);
  }
  if (bad && errFlag) store<i32>(errFlag, 1);
  return bad;
}

/**
 * tableGrad[idx[i], :] += src[i, :]. Columns (not rows) are split across threads, so repeated
 * indices never race. Out-of-range indices are skipped (the forward already flagged them).
 */
export function scatter_add_rows_f32(nIdx: i32, width: i32, nRows: i32, src: usize, idx: usize, tableGrad: usize, tid: i32, nt: i32): void {
  const c0 = shareStart(width, tid, nt, 4);
  const c1 = shareStart(width, tid + 1, nt, 4);
  if (c0 >= c1) return;
  for (let i = 0; i < nIdx; i++) {
    const row = load<i32>(at(idx, i));
    if (row < 0 || row >= nRows) continue;
    const ps = at(src, i * width), pd = at(tableGrad, row * width);
    let j = c0;
    for (; j + 4 <= c1; j += 4) v128.store(at(pd, j), f32x4.add(v128.load(at(pd, j)), v128.load(at(ps, j))));
    for (; j < c1; j++) store<f32>(at(pd, j), load<f32>(at(pd, j)) + load<f32>(at(ps, j)));
  }
}

// ---------------------------------------------------------------------------------------------
// FastSpeech length regulator

/**
 * y[b] = concat_t (x[b, t] repeated lengths[b, t] times), truncated / zero-padded to Tout rows.
 * x [B, Tin, width], lengths i32 [B, Tin] (negative counts as 0), y [B, Tout, width]. Output rows
 * are split across threads.
 */
export function repeat_rows_f32(B: i32, Tin: i32, width: i32, x: usize, lengths: usize, Tout: i32, y: usize, tid: i32, nt: i32): void {
  const total = B * Tout;
  const s = shareStart(total, tid, nt, 1);
  const e = shareStart(total, tid + 1, nt, 1);
  const rowBytes = <usize>width << 2;
  let q = s;
  while (q < e) {
    const b = q / Tout;
    const r0 = q - b * Tout;
    const r1 = min<i32>(Tout, e - b * Tout);
    let pos = 0;
    for (let t = 0; t < Tin && pos < r1; t++) {
      const len = max<i32>(load<i32>(at(lengths, b * Tin + t)), 0);
      const lo = max<i32>(pos, r0), hi = min<i32>(pos + len, r1);
      const srcRow = at(x, (b * Tin + t) * width);
      for (let r = lo; r < hi; r++) memory.copy(at(y, (b * Tout + r) * width), srcRow, rowBytes);
      pos += len;
    }
    const padFrom = max<i32>(pos, r0);
    if (padFrom < r1) memory.fill(at(y, (b * Tout + padFrom) * width), 0, <usize>(r1 - padFrom) * rowBytes);
    q += r1 - r0;
  }
}

/** dx[b, t] (= or +=) Σ of dy rows that repeated x[b, t] (rows cut off by Tout contribute nothing). */
export function repeat_rows_bwd_f32(B: i32, Tin: i32, width: i32, dy: usize, lengths: usize, Tout: i32, dx: usize, accumulate: i32, tid: i32, nt: i32): void {
  const total = B * Tin;
  const s = shareStart(total, tid, nt, 1);
  const e = shareStart(total, tid + 1, nt, 1);
  let q = s;
  while (q < e) {
    const b = q / Tin;
    const t0 = q - b * Tin;
    const t1 = min<i32>(Tin, e - b * Tin);
    let pos = 0;
    for (let t = 0; t < t0; t++) pos += max<i32>(load<i32>(at(lengths, b * Tin + t)), 0);
    for (let t = t0; t < t1; t++) {
      const len = max<i32>(load<i32>(at(lengths, b * Tin + t)), 0);
      const lo = min<i32>(pos, Tout), hi = min<i32>(pos + len, Tout);
      const pdx = at(dx, (b * Tin + t) * width);
      if (!accumulate) memory.fill(pdx, 0, <usize>width << 2);
      for (let r = lo; r < hi; r++) {
        const pdy = at(dy, (b * Tout + r) * width);
        let j = 0;
        for (; j + 4 <= width; j += 4) v128.store(at(pdx, j), f32x4.add(v128.load(at(pdx, j)), v128.load(at(pdy, j))));
        for (; j < width; j++) store<f32>(at(pdx, j), load<f32>(at(pdx, j)) + load<f32>(at(pdy, j)));
      }
      pos += len;
    }
    q += t1 - t0;
  }
}

// ---------------------------------------------------------------------------------------------
// Dropout

/**
 * Keeps element i when uniform(seed, offset + i) ≥ p: y = x·scale and mask[i] = scale with
 * scale = 1/(1−p) (0 where dropped, and everywhere when p ≥ 1). The backward is dy·mask. The draw
 * depends only on (seed, offset + i), never on the thread split. mask may be 0 (not stored).
 */
export function dropout_f32(n: i32, x: usize, y: usize, mask: usize, p: f32, seed: u32, offset: u32, tid: i32, nt: i32): void {
  const s = shareStart(n, tid, nt, 4);
  const e = shareStart(n, tid + 1, nt, 4);
  const scale: f32 = p >= 1 ? 0 : <f32>(1.0 / (1.0 - <f64>p));
  const base = streamBase(seed);
  for (let i = s; i < e; i++) {
    const u = uniform24(randomBits(base, <u64>offset + <u64>i));
    const m: f32 = u >= p ? scale : 0;
    if (mask) store<f32>(at(mask, i), m);
    store<f32>(at(y, i), load<f32>(at(x, i)) * m);
  }
}
