// fp32 GEMM kernels (see index.ts for conventions).
//
//   C = alpha * op(A) * op(B) + beta * C,  row-major, op(X) = X or X^T,  op(A): M x K, op(B): K x N.
//
// Goto/BLIS structure: for each N block (NC) and K block (KC), op(B) is packed into NR-wide column
// slivers; for each M block (MC), op(A) is packed into MR-tall row slivers; a 4x8 register-tiled
// SIMD micro-kernel then walks the packed panels. Packing is where the transposes are resolved, so
// all four (transA, transB) forms run the same inner loop at the same speed. Packed panels are
// zero-padded to full MR/NR tiles, so the micro-kernel never branches on edges; edge tiles are
// written through a small buffer instead.
//
// Why 4x8: 8 f32x4 accumulators + 2 B vectors + 1 broadcast A fit the 16 xmm registers V8 has on
// x64; 6x8 spilled and ran at half speed (docs/engine-kernels.md).

import { microKernel, storeTransposed4x4 } from './microkernel';
const MR: i32 = 4;
const NR: i32 = 8;
/** Max rows of op(A) packed at once: MC*KC*4 bytes stays in L2. */
const MC: i32 = 128;
/** Max depth packed at once: a KC x NR sliver of op(B) (8 KiB at 256) stays in L1. */
const KC: i32 = 256;
/** Max columns of op(B) packed at once (KC*NC*4 bytes; streamed from L2/L3 one sliver at a time). */
const NC: i32 = 1024;

const PACK_A_BYTES: i32 = MC * KC * 4;
const PACK_B_BYTES: i32 = KC * NC * 4;
const EDGE_BYTES: i32 = MR * NR * 4;
/** Per-thread scratch: packed A block, packed B panel, one edge tile. */
const SCRATCH_BYTES: i32 = PACK_A_BYTES + PACK_B_BYTES + EDGE_BYTES;

/** Bytes of scratch each thread needs (the TS side checks its GEMM_SCRATCH_BYTES against this). */
export function gemm_scratch_bytes(): i32 {
  return SCRATCH_BYTES;
}

// ---------------------------------------------------------------------------------------------
// Packing


// Packs op(A)[0..mc, 0..kc] (a points at op(A)[0][0]) into MR-row slivers: sliver s holds, for each k,
// the MR values op(A)[s*MR + r][k] contiguously. Rows past mc are zero.
function packA(transA: i32, mc: i32, kc: i32, a: usize, lda: i32, dst: usize): void {
  const ldaB = <usize>lda << 2;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (transA == 0) {
      // op(A)[i][k] = A[i*lda + k]: gather down 4 rows, 4x4 transposes for the bulk.
      const src = a + <usize>i * ldaB;
      if (rows == MR) {
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const p = src + (<usize>k << 2);
          storeTransposed4x4(v128.load(p), v128.load(p + ldaB), v128.load(p + 2 * ldaB), v128.load(p + 3 * ldaB), dst + (<usize>k << 4), 16);
        }
        for (; k < kc; k++) {
          const p = src + (<usize>k << 2);
          const d = dst + (<usize>k << 4);
          store<f32>(d, load<f32>(p));
          store<f32>(d, load<f32>(p + ldaB), 4);
          store<f32>(d, load<f32>(p + 2 * ldaB), 8);
          store<f32>(d, load<f32>(p + 3 * ldaB), 12);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const d = dst + (<usize>k << 4);
          v128.store(d, f32x4.splat(0));
          for (let r = 0; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(src + <usize>r * ldaB + (<usize>k << 2)));
        }
      }
    } else {
      // op(A)[i][k] = A[k*lda + i]: the MR values for one k are contiguous in memory.
      const src = a + (<usize>i << 2);
      if (rows == MR) {
        for (let k = 0; k < kc; k++) v128.store(dst + (<usize>k << 4), v128.load(src + <usize>k * ldaB));
      } else {
        for (let k = 0; k < kc; k++) {
          const d = dst + (<usize>k << 4);
          v128.store(d, f32x4.splat(0));
          for (let r = 0; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(src + <usize>k * ldaB + (<usize>r << 2)));
        }
      }
    }
    dst += <usize>kc << 4;
  }
}

// Packs op(B)[0..kc, 0..nc] (b points at op(B)[0][0]) into NR-column slivers: sliver s holds, for
// each k, the NR values op(B)[k][s*NR + c] contiguously. Columns past nc are zero.
function packB(transB: i32, kc: i32, nc: i32, b: usize, ldb: i32, dst: usize): void {
  const ldbB = <usize>ldb << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (transB == 0) {
      // op(B)[k][j] = B[k*ldb + j]: rows of the sliver are contiguous.
      const src = b + (<usize>j << 2);
      if (cols == NR) {
        for (let k = 0; k < kc; k++) {
          const p = src + <usize>k * ldbB;
          const d = dst + (<usize>k << 5);
          v128.store(d, v128.load(p));
          v128.store(d, v128.load(p, 16), 16);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const p = src + <usize>k * ldbB;
          const d = dst + (<usize>k << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let c = 0; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(p + (<usize>c << 2)));
        }
      }
    } else {
      // op(B)[k][j] = B[j*ldb + k]: gather across 8 rows of B, two 4x4 transposes per 4 k's.
      const src = b + <usize>j * ldbB;
      if (cols == NR) {
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const p = src + (<usize>k << 2);
          const d = dst + (<usize>k << 5);
          storeTransposed4x4(v128.load(p), v128.load(p + ldbB), v128.load(p + 2 * ldbB), v128.load(p + 3 * ldbB), d, 32);
          const q = p + 4 * ldbB;
          storeTransposed4x4(v128.load(q), v128.load(q + ldbB), v128.load(q + 2 * ldbB), v128.load(q + 3 * ldbB), d + 16, 32);
        }
        for (; k < kc; k++) {
          const p = src + (<usize>k << 2);
          const d = dst + (<usize>k << 5);
          for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), load<f32>(p + <usize>c * ldbB));
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const p = src + (<usize>k << 2);
          const d = dst + (<usize>k << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let c = 0; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(p + <usize>c * ldbB));
        }
      }
    }
    dst += <usize>kc << 5;
  }
}

// ---------------------------------------------------------------------------------------------

// C[0..M, 0..N] *= beta (beta == 0 writes zeros, ignoring NaN): the K == 0 case.
function scaleC(M: i32, N: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) {
    const row = c + <usize>i * (<usize>ldc << 2);
    for (let j = 0; j < N; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
    }
  }
}

// The single-threaded blocked GEMM on a sub-problem; a, b, c point at op(A)[0][0], op(B)[0][0], C[0][0].
function gemmBlock(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32,
                   b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { scaleC(M, N, beta, c, ldc); return; }
  const packedA = ws;
  const packedB = ws + <usize>PACK_A_BYTES;
  const edge = packedB + <usize>PACK_B_BYTES;
  const ldcB = <usize>ldc << 2;
  // Balanced K blocks (e.g. K = 384 -> 2 x 192, not 256 + 128), rounded to 4 for the SIMD packers.
  const kBlocks = (K + KC - 1) / KC;
  const kcStep = (((K + kBlocks - 1) / kBlocks) + 3) & ~3;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = min(kcStep, K - pc);
      // op(B)[pc][jc]
      const bSrc = transB == 0 ? b + (<usize>pc * <usize>ldb + <usize>jc) * 4 : b + (<usize>jc * <usize>ldb + <usize>pc) * 4;
      packB(transB, kc, nc, bSrc, ldb, packedB);
      // Later K blocks accumulate onto what the first wrote.
      const betaEff: f32 = pc == 0 ? beta : 1;
      const mode = betaEff == 0 ? 0 : 1;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        const aSrc = transA == 0 ? a + (<usize>ic * <usize>lda + <usize>pc) * 4 : a + (<usize>pc * <usize>lda + <usize>ic) * 4;
        packA(transA, mc, kc, aSrc, lda, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + <usize>(jr / NR) * (<usize>kc << 5);
          let pa = packedA;
          let cTile = c + <usize>ic * ldcB + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            if (mr == MR && nr == NR) {
              microKernel(kc, pa, pb, cTile, ldcB, alpha, betaEff, mode);
            } else {
              microKernel(kc, pa, pb, edge, 0, alpha, betaEff, 2);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  const p = cTile + <usize>r * ldcB + (<usize>q << 2);
                  const v = alpha * load<f32>(edge + (<usize>(r * NR + q) << 2));
                  store<f32>(p, mode == 0 ? v : v + betaEff * load<f32>(p));
                }
              }
            }
            pa += <usize>kc << 4;
            cTile += <usize>MR * ldcB;
          }
        }
      }
    }
  }
}

// Pointers to the sub-problem starting at row m0 of op(A)/C and column n0 of op(B)/C.
@inline function aAtRow(transA: i32, a: usize, lda: i32, m0: i32): usize {
  return transA == 0 ? a + <usize>m0 * (<usize>lda << 2) : a + (<usize>m0 << 2);
}
@inline function bAtCol(transB: i32, b: usize, ldb: i32, n0: i32): usize {
  return transB == 0 ? b + (<usize>n0 << 2) : b + <usize>n0 * (<usize>ldb << 2);
}

/**
 * C = alpha*op(A)*op(B) + beta*C. Thread tid computes a slice of rows (in whole micro-tiles) when
 * M >= N, else a slice of columns: each thread packs the whole of the other operand, and packing
 * the smaller one per thread costs least. Thread tid uses scratch + tid*gemm_scratch_bytes().
 */
export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32,
                     b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, scratch: usize, tid: i32, nthreads: i32): void {
  if (M <= 0 || N <= 0) return;
  const ws = scratch + <usize>tid * <usize>SCRATCH_BYTES;
  if (nthreads <= 1) {
    gemmBlock(transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, ws);
    return;
  }
  const mBlocks = (M + MR - 1) / MR;
  const nBlocks = (N + NR - 1) / NR;
  const splitRows = mBlocks >= nthreads && (M >= N || nBlocks < nthreads);
  if (splitRows) {
    const m0 = <i32>(<i64>mBlocks * tid / nthreads) * MR;
    const m1 = min(M, <i32>(<i64>mBlocks * (tid + 1) / nthreads) * MR);
    if (m0 >= m1) return;
    gemmBlock(transA, transB, m1 - m0, N, K, alpha, aAtRow(transA, a, lda, m0), lda, b, ldb, beta,
              c + <usize>m0 * (<usize>ldc << 2), ldc, ws);
  } else {
    const n0 = <i32>(<i64>nBlocks * tid / nthreads) * NR;
    const n1 = min(N, <i32>(<i64>nBlocks * (tid + 1) / nthreads) * NR);
    if (n0 >= n1) return;
    gemmBlock(transA, transB, M, n1 - n0, K, alpha, a, lda, bAtCol(transB, b, ldb, n0), ldb, beta,
              c + (<usize>n0 << 2), ldc, ws);
  }
}

/**
 * Batched GEMM: C_i = alpha*op(A_i)*op(B_i) + beta*C_i, X_i = x + i*strideX elements (stride 0
 * broadcasts one matrix over the batch). Threads split the (batch x row-tile) space evenly.
 */
export function gemm_batched(transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
                             a: usize, lda: i32, strideA: i32, b: usize, ldb: i32, strideB: i32,
                             beta: f32, c: usize, ldc: i32, strideC: i32, batch: i32,
                             scratch: usize, tid: i32, nthreads: i32): void {
  if (M <= 0 || N <= 0 || batch <= 0) return;
  if (batch == 1) {
    gemm(transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, scratch, tid, nthreads);
    return;
  }
  const ws = scratch + <usize>tid * <usize>SCRATCH_BYTES;
  const mBlocks = (M + MR - 1) / MR;
  const total = <i64>batch * <i64>mBlocks;
  const u0 = total * tid / nthreads;
  const u1 = total * (tid + 1) / nthreads;
  if (u0 >= u1) return;
  const first = <i32>(u0 / mBlocks);
  const last = <i32>((u1 - 1) / mBlocks);
  for (let bi = first; bi <= last; bi++) {
    const base = <i64>bi * mBlocks;
    const r0 = <i32>max<i64>(u0 - base, 0) * MR;
    const r1 = min(M, <i32>min<i64>(u1 - base, mBlocks) * MR);
    if (r0 >= r1) continue;
    const ai = a + <usize>bi * <usize>strideA * 4;
    const bb = b + <usize>bi * <usize>strideB * 4;
    const ci = c + <usize>bi * <usize>strideC * 4;
    gemmBlock(transA, transB, r1 - r0, N, K, alpha, aAtRow(transA, ai, lda, r0), lda, bb, ldb, beta,
              ci + <usize>r0 * (<usize>ldc << 2), ldc, ws);
  }
}
