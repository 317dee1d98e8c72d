/**
 * The engine's memory: one WebAssembly.Memory holding every tensor, shared with the kernel worker
 * threads when SharedArrayBuffer is available.
 *
 * Two kinds of allocation live in it:
 *  - heap blocks (parameters, gradients, optimizer state, long-lived tensors): first-fit free list
 *    with coalescing, freed explicitly (or by the Tensor finalizer as a safety net);
 *  - arena blocks (a training step's temporaries): bump-allocated from chunks, released in bulk by
 *    resetting the arena to a mark, so a long training loop's memory stays flat.
 * Byte offsets ("pointers") are what kernels receive. Everything is 64-byte aligned (cache line,
 * and SIMD loads never straddle).
 */

export const ALIGN = 64;
const PAGE = 65536;
/** Bytes below this belong to the kernels' static data (see scripts/build-wasm.mjs). */
const HEAP_START = 4 * PAGE;
/** Hard ceiling: 4 GiB of wasm32 address space. */
const MAX_PAGES = 65536;

function alignUp(n: number, a: number = ALIGN): number {
  return Math.ceil(n / a) * a;
}

interface FreeBlock { ptr: number; bytes: number }

export class EngineMemory {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Sorted by pointer, non-adjacent (adjacent blocks are merged on free). */
  private free: FreeBlock[] = [];
  private sizes = new Map<number, number>();
  private top = HEAP_START;
  private heapInUse = 0;
  private f32Cache: Float32Array | null = null;
  private i32Cache: Int32Array | null = null;
  private u8Cache: Uint8Array | null = null;

  constructor(opts: { shared: boolean; initialBytes?: number }) {
    const initial = Math.max(HEAP_START / PAGE + 16, Math.ceil((opts.initialBytes ?? 64 << 20) / PAGE));
    this.shared = opts.shared;
    this.memory = opts.shared
      ? new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true })
      : new WebAssembly.Memory({ initial, maximum: MAX_PAGES });
  }

  /** Current byte size of the memory. */
  get byteLength(): number { return this.memory.buffer.byteLength; }
  /** Bytes held by live heap blocks (arena chunks count as heap blocks). */
  get heapBytesInUse(): number { return this.heapInUse; }
  /** Highest address ever handed out: the high-water mark of the memory's footprint. */
  get highWater(): number { return this.top; }

  /** Float32 view of the whole memory (re-created after the memory grows). */
  get f32(): Float32Array {
    const buf = this.memory.buffer;
    if (!this.f32Cache || this.f32Cache.buffer !== buf || this.f32Cache.byteLength !== buf.byteLength) this.f32Cache = new Float32Array(buf);
    return this.f32Cache;
  }
  get i32(): Int32Array {
    const buf = this.memory.buffer;
    if (!this.i32Cache || this.i32Cache.buffer !== buf || this.i32Cache.byteLength !== buf.byteLength) this.i32Cache = new Int32Array(buf);
    return this.i32Cache;
  }
  get u8(): Uint8Array {
    const buf = this.memory.buffer;
    if (!this.u8Cache || this.u8Cache.buffer !== buf || this.u8Cache.byteLength !== buf.byteLength) this.u8Cache = new Uint8Array(buf);
    return this.u8Cache;
  }

  /** Allocates a heap block of at least `bytes` (64-byte aligned). Contents are unspecified. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.bytes >= size) {
        const ptr = b.ptr;
        if (b.bytes === size) this.free.splice(i, 1);
        else { b.ptr += size; b.bytes -= size; }
        this.sizes.set(ptr, size);
        this.heapInUse += size;
        return ptr;
      }
    }
    // No free block fits: take fresh space at the top, reusing a free block that ends at the top.
    let ptr = this.top;
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.top) { ptr = last.ptr; this.free.pop(); }
    const end = ptr + size;
    this.ensure(end);
    this.top = end;
    this.sizes.set(ptr, size);
    this.heapInUse += size;
    return ptr;
  }

  /** Returns a heap block to the free list. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`engine memory: release of unknown block ${ptr}`);
    this.sizes.delete(ptr);
    this.heapInUse -= size;
    // Binary search for the insertion point, then merge with neighbours.
    let lo = 0, hi = this.free.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.free[mid]!.ptr < ptr) lo = mid + 1; else hi = mid; }
    const block: FreeBlock = { ptr, bytes: size };
    this.free.splice(lo, 0, block);
    const next = this.free[lo + 1];
    if (next && block.ptr + block.bytes === next.ptr) { block.bytes += next.bytes; this.free.splice(lo + 1, 1); }
    const prev = this.free[lo - 1];
    if (prev && prev.ptr + prev.bytes === block.ptr) { prev.bytes += block.bytes; this.free.splice(lo, 1); }
  }

  /** Size in bytes of a live heap block. */
  sizeOf(ptr: number): number {
    const s = this.sizes.get(ptr);
    if (s === undefined) throw new Error(`engine memory: unknown block ${ptr}`);
    return s;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow geometrically so repeated growth is amortized.
    const wantPages = Math.ceil(Math.max(end, have * 1.25) / PAGE);
    const pages = Math.min(MAX_PAGES, wantPages) - have / PAGE;
    if (have / PAGE + pages < Math.ceil(end / PAGE)) {
      throw new Error(`engine memory: out of memory (need ${(end / 2 ** 20).toFixed(0)} MiB; wasm32 limit is 4096 MiB)`);
    }
    this.memory.grow(pages);
  }
}

/**
 * Step-scoped bump allocator over heap chunks. `mark()`/`reset(mark)` nest, so scopes can be
 * stacked; reset frees every allocation made after the mark in one go (the Tensor layer records
 * which scope a tensor was born in and refuses to touch it once that scope has closed).
 */
export class Arena {
  private chunks: { ptr: number; bytes: number }[] = [];
  private chunkIndex = 0;
  private offset = 0;
  /** Bytes handed out since the arena was last empty. */
  used = 0;

  constructor(private readonly mem: EngineMemory, private readonly chunkBytes: number = 32 << 20) {}

  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    for (;;) {
      const chunk = this.chunks[this.chunkIndex];
      if (chunk && this.offset + size <= chunk.bytes) {
        const ptr = chunk.ptr + this.offset;
        this.offset += size;
        this.used += size;
        return ptr;
      }
      if (chunk && this.chunkIndex + 1 < this.chunks.length) {
        // Skip to the next (already allocated) chunk; the tail of this one is wasted until reset.
        this.used += chunk.bytes - this.offset;
        this.chunkIndex++;
        this.offset = 0;
        continue;
      }
      if (chunk) this.used += chunk.bytes - this.offset;
      const bytesNew = Math.max(this.chunkBytes, size);
      const ptr = this.mem.alloc(bytesNew);
      this.chunks.push({ ptr, bytes: bytesNew });
      this.chunkIndex = this.chunks.length - 1;
      this.offset = 0;
    }
  }

  /** An opaque position to reset to. */
  mark(): ArenaMark {
    return { chunkIndex: this.chunkIndex, offset: this.offset, used: this.used };
  }

  /** Frees everything allocated after `m` (all of it when `m` is omitted). */
  reset(m: ArenaMark = { chunkIndex: 0, offset: 0, used: 0 }): void {
    this.chunkIndex = m.chunkIndex;
    this.offset = m.offset;
    this.used = m.used;
  }

  /** Bytes of heap held by the arena's chunks (kept for reuse after reset). */
  get reservedBytes(): number {
    return this.chunks.reduce((s, c) => s + c.bytes, 0);
  }
}

export interface ArenaMark { chunkIndex: number; offset: number; used: number }
