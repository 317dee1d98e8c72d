// The GEMM micro-kernel and the 4x4 transpose used in packing, shared by gemm.ts and the fused
// vocoder kernels (vocos.ts). Not a wasm export: index.ts does not re-export this module.

// a*b + c. In the relaxed-SIMD builds (kernels*-fma.wasm, see scripts/build-wasm.mjs) this is
// f32x4.relaxed_madd, which V8 emits as one vfmadd on FMA hardware; otherwise a mul and an add.
// The FMA halves the FP instructions of the micro-kernel loop, whose mul+add form is bound by the
// 6-wide dispatch of Zen 4 (31 instructions per k step; 44 -> 54 GFLOP/s in L1, measured).
// Fused rounding differs from mul+add in the last bit, so the two builds differ slightly.
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Micro-kernel: a 4x8 tile of C from a packed A sliver (kc x 4) and a packed B sliver (kc x 8).
// mode 0: C = alpha*acc (C's old contents ignored, even NaN); 1: C = alpha*acc + beta*C;
// 2: write the raw accumulators to `c` as a dense 4x8 buffer (edge tiles).
export function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldcB: usize, alpha: f32, beta: f32, mode: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Not unrolled: V8 hoists the loads of an unrolled body and spills accumulators (measured).
  // Loop on the A pointer alone: one fewer counter than a k loop, ~5-10% faster in V8 (measured).
  const paEnd = pa + (<usize>kc << 4);
  while (pa < paEnd) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (mode == 2) {
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c, c10, 32); v128.store(c, c11, 48);
    v128.store(c, c20, 64); v128.store(c, c21, 80);
    v128.store(c, c30, 96); v128.store(c, c31, 112);
    return;
  }
  const va = f32x4.splat(alpha);
  if (mode == 0) {
    v128.store(c, f32x4.mul(va, c00)); v128.store(c, f32x4.mul(va, c01), 16); c += ldcB;
    v128.store(c, f32x4.mul(va, c10)); v128.store(c, f32x4.mul(va, c11), 16); c += ldcB;
    v128.store(c, f32x4.mul(va, c20)); v128.store(c, f32x4.mul(va, c21), 16); c += ldcB;
    v128.store(c, f32x4.mul(va, c30)); v128.store(c, f32x4.mul(va, c31), 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(c, f32x4.add(f32x4.mul(va, c00), f32x4.mul(vb, v128.load(c))));
    v128.store(c, f32x4.add(f32x4.mul(va, c01), f32x4.mul(vb, v128.load(c, 16))), 16); c += ldcB;
    v128.store(c, f32x4.add(f32x4.mul(va, c10), f32x4.mul(vb, v128.load(c))));
    v128.store(c, f32x4.add(f32x4.mul(va, c11), f32x4.mul(vb, v128.load(c, 16))), 16); c += ldcB;
    v128.store(c, f32x4.add(f32x4.mul(va, c20), f32x4.mul(vb, v128.load(c))));
    v128.store(c, f32x4.add(f32x4.mul(va, c21), f32x4.mul(vb, v128.load(c, 16))), 16); c += ldcB;
    v128.store(c, f32x4.add(f32x4.mul(va, c30), f32x4.mul(vb, v128.load(c))));
    v128.store(c, f32x4.add(f32x4.mul(va, c31), f32x4.mul(vb, v128.load(c, 16))), 16);
  }
}

// Transposes the 4x4 block r0..r3 (rows) and stores its columns at dst, dst+step, dst+2step, dst+3step.
@inline
export function storeTransposed4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
